// bench/real.js: the machine and its tools (nginx, curl, GNU time, pip's
// local PyPI copy), the environments the measured commands run in, and the
// small formatting helpers every part of the report uses.
import { accessSync, constants, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipEnv as benchPipEnv, python } from '../common.js';

export const node = process.execPath;
export const MB = 1e6;
export const MiB = 2 ** 20;
export const say = (line = '') => console.log(line);
export const fmt = (value, digits = 2) => (value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits));
export const load = () =>
  os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(', ');

export function executable(name, extra = []) {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter), ...extra]) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return null;
}

/** Project names as PEP 503 normalizes them. */
export const normalize = (name) => name.replace(/[-_.]+/g, '-').toLowerCase();

const LOCAL = { NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
/** The environment of every pip run: no PIP_* variable, no pip configuration. */
export const pipEnv = () => benchPipEnv(LOCAL);
export const plainEnv = { ...process.env, ...LOCAL };

// LOCKHOUSE_BENCH_NO_NGINX=1 and LOCKHOUSE_BENCH_NO_GNU_TIME=1 try the fallbacks on a machine that has both.
export const nginx = process.env.LOCKHOUSE_BENCH_NO_NGINX ? null : executable('nginx', ['/usr/sbin', '/usr/local/sbin', '/sbin']);
export const curl = executable('curl');
export const gnuTime = !process.env.LOCKHOUSE_BENCH_NO_GNU_TIME && existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0 ? '/usr/bin/time' : null;
export const versionOf = (file, argv, env = plainEnv) => {
  const ran = spawnSync(file, argv, { encoding: 'utf8', env });
  return `${ran.stdout ?? ''}${ran.stderr ?? ''}`.trim().split('\n')[0];
};


/** The local PyPI copy: the folders holding simple/ and files/ that pip's configuration names. */
export function localPypiRoots() {
  const listed = spawnSync(python, ['-m', 'pip', 'config', 'list'], { encoding: 'utf8' });
  const urls = (listed.stdout ?? '').match(/file:\/\/[^\s'"]+/g) ?? [];
  return [...new Set(urls.map((url) => dirname(fileURLToPath(url.replace(/\/+$/, '')))))].filter((dir) => existsSync(join(dir, 'files')));
}
