// bench/real.js: running a measured command (wall time, peak RSS) and
// checking what it wrote: every expected file, with its sha256, in a
// folder or in a bundle.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { gnuTime, MiB, plainEnv } from './machine.js';

/** `fn` over `items`, at most `width` at a time. */
export async function pool(items, width, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

export const hashFile = (path) =>
  new Promise((done, fail) => {
    const hash = createHash('sha256');
    createReadStream(path, { highWaterMark: MiB })
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => done(hash.digest('hex')))
      .on('error', fail);
  });

/** A process and its descendants, from /proc/PID/stat. */
function processTree(rootPid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(entry));
    } catch {
      // gone
    }
  }
  const tree = [rootPid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

/**
 * The measuring function for commands run in `work` (their default folder;
 * GNU time's report goes there too): runs a command; wall seconds, peak RSS
 * (KiB), exit code and the end of its stderr.
 */
export function makeMeasure(work) {
  const rssFile = join(work, 'rss.txt');
  return async function measure(file, argv, { cwd = work, env = plainEnv } = {}) {
    spawnSync('sync'); // every measurement starts with no dirty pages of the last one
    const started = process.hrtime.bigint();
    const child = gnuTime
      ? spawn(gnuTime, ['-f', '%M', '-o', rssFile, file, ...argv], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(file, argv, { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      if (stderr.length > 200_000) stderr = stderr.slice(-20_000);
    });
    // Without GNU time: the largest VmHWM of any process in the command's tree (as ru_maxrss
    // reports it), polled; a wrapper (sh, a pyenv shim) would otherwise hide the real process.
    let hwm = 0;
    const poll = gnuTime
      ? null
      : setInterval(() => {
          for (const pid of processTree(child.pid)) {
            try {
              const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
              if (m) hwm = Math.max(hwm, Number(m[1]));
            } catch {
              // exited
            }
          }
        }, 25);
    const code = await new Promise((done) => child.on('close', (status, signal) => done(status ?? signal)));
    const wall = Number(process.hrtime.bigint() - started) / 1e9;
    if (poll) clearInterval(poll);
    const rssKiB = gnuTime ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : hwm;
    return { wall, rssKiB, code, stderr: stderr.trim().split('\n').slice(-5).join('\n') };
  };
}

/** Every expected file in DIR with its sha256; what is missing or wrong, and what else is there. */
export async function checkDir(dir, files) {
  const present = new Set(existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : []);
  const bad = [];
  await pool(files, 2, async (file) => {
    if (!present.has(file.filename)) return void bad.push(`${file.filename}: missing`);
    const path = join(dir, file.filename);
    const size = statSync(path).size;
    if (size !== file.size) return void bad.push(`${file.filename}: ${size} bytes, expected ${file.size}`);
    const digest = await hashFile(path);
    if (digest !== file.sha256) bad.push(`${file.filename}: sha256 ${digest}, expected ${file.sha256}`);
  });
  const expected = new Set(files.map((f) => f.filename));
  const extra = [...present].filter((name) => !expected.has(name) && name !== 'lockhouse.json' && !name.startsWith('.'));
  return { bad, extra };
}

/** Every expected file as `wheels/<file>` in the bundle, with its sha256 (read with yauzl, streamed). */
export async function checkBundle(path, files) {
  const digests = new Map();
  if (existsSync(path)) {
    const zip = await new Promise((done, fail) => yauzl.open(path, { lazyEntries: true }, (error, z) => (error ? fail(error) : done(z))));
    await new Promise((done, fail) => {
      zip.on('entry', (entry) => {
        if (!entry.fileName.startsWith('wheels/')) return void zip.readEntry();
        zip.openReadStream(entry, (error, stream) => {
          if (error) return fail(error);
          const hash = createHash('sha256');
          stream.on('data', (chunk) => hash.update(chunk));
          stream.on('end', () => {
            digests.set(entry.fileName.slice('wheels/'.length), hash.digest('hex'));
            zip.readEntry();
          });
          stream.on('error', fail);
        });
      });
      zip.on('end', done);
      zip.on('error', fail);
      zip.readEntry();
    });
    zip.close();
  }
  const bad = [];
  for (const file of files) {
    const digest = digests.get(file.filename);
    if (digest === undefined) bad.push(`${file.filename}: not in the bundle`);
    else if (digest !== file.sha256) bad.push(`${file.filename}: sha256 ${digest}, expected ${file.sha256}`);
  }
  const expected = new Set(files.map((f) => f.filename));
  return { bad, extra: [...digests.keys()].filter((name) => !expected.has(name)) };
}
