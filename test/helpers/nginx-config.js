// nginx.conf for one nginx in the foreground (`daemon off; master_process
// off;`, one worker), everything it writes in `workDir`: its pid file, error
// log and the temporary folders of the modules it was built with (each must
// be writable even when unused, or nginx refuses to start). Tests
// (helpers/nginx.ts, examples.test.ts) and bench/real.js give only their
// `http { }` lines. Plain JavaScript (types in nginx-config.d.ts).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The `*_temp_path` directives for this nginx, their folders made under `workDir`/tmp. */
export function nginxTempPaths(nginx, workDir) {
  const ran = spawnSync(nginx, ['-V'], { encoding: 'utf8' });
  const built = `${ran.stdout ?? ''}${ran.stderr ?? ''}`;
  const modules = ['proxy', 'fastcgi', 'uwsgi', 'scgi'].filter((module) => !built.includes(`--without-http_${module}_module`));
  return [['client_body', 'body'], ...modules.map((module) => [module, module])].map(([directive, dir]) => {
    mkdirSync(join(workDir, 'tmp', dir), { recursive: true });
    return `${directive}_temp_path ${join(workDir, 'tmp', dir)};`;
  });
}

/** The whole nginx.conf: the foreground settings, then `http { temp paths; …http }` (the `http` lines as given, indented here). */
export function foregroundNginxConfig({ nginx, workDir, errorLevel = 'error', connections = 64, http }) {
  return [
    'daemon off;',
    'master_process off;',
    'worker_processes 1;',
    `pid ${join(workDir, 'nginx.pid')};`,
    `error_log ${join(workDir, 'error.log')} ${errorLevel};`,
    `events { worker_connections ${connections}; }`,
    'http {',
    ...[...nginxTempPaths(nginx, workDir), ...http].map((line) => `  ${line}`),
    '}',
    '',
  ].join('\n');
}
