/**
 * One build: the frontend's exact command line (buildCommand, pure), run
 * with the environment of build-env.ts, its output streamed into the build
 * log as it comes, and exactly one wheel expected in the output directory.
 *
 * No timeout unless asked: a build of a large C++ project takes tens of
 * minutes on a slow machine, and killing it halfway helps nobody. An abort
 * (the caller's signal) or a requested timeout kills the frontend and every
 * process below it (the backend, its compilers) with SIGTERM, then SIGKILL
 * (kill-tree.ts). The frontend stays in lockhouse's process group, so Ctrl-C
 * at a terminal reaches it and its backend too.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, open, readdir, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { BuildError } from './build-error.js';
import { APPEND_NO_FOLLOW, LogRedactor, appendLog, commandLine, logHeader, readTail } from './build-log.js';
import { splitIndexCredential, writeNetrc, type NetrcFile } from './index-netrc.js';
import { buildEnv, describeEnvChanges } from './build-env.js';
import { killTree } from './kill-tree.js';
import type { BuildRequest, BuildResult } from './types.js';
import { unpackSdist } from './unpack-sdist.js';

export { BuildError } from './build-error.js';

export interface BuildCommand {
  readonly file: string;
  readonly args: readonly string[];
  /** Only what the build adds to (or takes from) the caller's env: see build-env.ts. */
  readonly envChanges: Readonly<Record<string, string>>;
  readonly env: NodeJS.ProcessEnv;
  /** The (empty) output directory: nothing there for `python -m` to import by mistake. */
  readonly cwd: string;
}

/**
 * The command that builds `request`'s wheel. `sourcePath` replaces the
 * source's path (`python -m build` gets the unpacked tree of an sdist).
 * The index URL goes on the command line (or, for `build`, into pip's
 * environment) without its userinfo; `netrcPath` is the file holding its
 * credential (index-netrc.ts), named to the frontend by NETRC. Pure.
 */
export function buildCommand(request: BuildRequest, sourcePath: string = request.source.path, netrcPath: string | null = null): BuildCommand {
  const { python, outDir, findLinks, isolation } = request;
  const indexUrl = splitIndexCredential(request.indexUrl).url;
  let file: string;
  let args: string[];
  let envChanges: Record<string, string> = {};
  /** What uv and pip both take, as they spell it, and the source last. */
  const shared = (indexFlag: string): string[] => [
    ...(isolation ? [] : ['--no-build-isolation']),
    ...(indexUrl === null ? ['--no-index'] : [indexFlag, indexUrl]),
    ...findLinks.flatMap((dir) => ['--find-links', dir]),
    sourcePath,
  ];
  switch (request.frontend.name) {
    case 'uv':
      file = 'uv';
      args = ['build', '--wheel', '--no-config', '--python', python.command, '--out-dir', outDir, ...shared('--default-index')];
      break;
    case 'build':
      // build has no index options: it installs build requirements with pip
      // (in the isolated environment), which reads these.
      file = python.command;
      args = ['-m', 'build', '--wheel', '--outdir', outDir, ...(isolation ? [] : ['--no-isolation']), sourcePath];
      envChanges = {
        ...(indexUrl === null ? { PIP_NO_INDEX: '1' } : { PIP_INDEX_URL: indexUrl }),
        ...(findLinks.length > 0 ? { PIP_FIND_LINKS: findLinks.join(' ') } : {}),
      };
      break;
    case 'pip':
      file = python.command;
      args = ['-m', 'pip', 'wheel', '--no-deps', '--no-cache-dir', '--wheel-dir', outDir, ...shared('--index-url')];
      break;
  }
  if (netrcPath !== null) envChanges = { ...envChanges, NETRC: netrcPath };
  return { file, args, envChanges, env: buildEnv(request.env, envChanges), cwd: outDir };
}

/** How long a killed frontend gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 5_000;

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Why it did not start, or was stopped: "ENOENT", "timed out after 60000 ms", "aborted". */
  readonly stopped: string | null;
}

async function run(command: BuildCommand, logPath: string, secrets: readonly string[], signal: AbortSignal | undefined, timeoutMs: number | undefined): Promise<Exit> {
  // appendLog made the log a regular file just before; a link swapped in
  // since is not followed (ELOOP): the build goes on, unlogged.
  const handle = await open(logPath, APPEND_NO_FOLLOW, 0o666).catch(() => null);
  return new Promise((resolvePromise) => {
    // Both streams into one file descriptor, each chunk as it arrives: the
    // log reads in the order the frontend wrote (up to pipe buffering).
    const log = handle ? handle.createWriteStream() : new Writable({ write: (_chunk, _encoding, done) => done() });
    // A log that cannot be written (a full disk) must not take the process down; the build goes on.
    log.on('error', () => undefined);
    let stopped: string | null = null;
    const child = spawn(command.file, command.args, { cwd: command.cwd, env: command.env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    let killTimer: NodeJS.Timeout | undefined;
    let closed = false;
    const stop = (why: string): void => {
      if (stopped !== null || child.exitCode !== null || child.pid === undefined) return;
      stopped = why;
      const pid = child.pid;
      void killTree(pid, 'SIGTERM').then((signalled) => {
        if (closed) return;
        killTimer = setTimeout(() => void killTree(pid, 'SIGKILL', signalled), KILL_GRACE_MS);
        killTimer.unref();
      });
    };
    const onAbort = (): void => stop('aborted');
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    const timer = timeoutMs ? setTimeout(() => stop(`timed out after ${timeoutMs} ms`), timeoutMs) : undefined;
    // Each stream through its own redactor, a line at a time: no credential reaches the log.
    const out = new LogRedactor(secrets);
    const err = new LogRedactor(secrets);
    const write = (text: string): void => {
      if (text !== '') log.write(text);
    };
    child.stdout.on('data', (chunk: Buffer) => write(out.push(chunk)));
    child.stderr.on('data', (chunk: Buffer) => write(err.push(chunk)));
    child.on('error', (error: NodeJS.ErrnoException) => {
      stopped ??= error.code ?? error.message;
    });
    child.on('close', (code, exitSignal) => {
      closed = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
      write(out.end());
      write(err.end());
      log.end(() => resolvePromise({ code: stopped === null ? code : null, signal: exitSignal, stopped }));
    });
  });
}

/** "it exited with code 1", "it was killed by SIGKILL", "timed out after 60000 ms", "uv was not found". */
function describe(exit: Exit, file: string): string {
  if (exit.stopped === 'ENOENT') return `${file} was not found`;
  if (exit.stopped !== null) return exit.stopped;
  if (exit.signal !== null) return `it was killed by ${exit.signal}`;
  return `it exited with code ${exit.code}`;
}

/**
 * Build `request.source` into exactly one wheel in `request.outDir`. Throws
 * BuildError (BUILD_FAILED) on a failed build, a build that wrote no wheel
 * or several, or a timeout; the signal's reason when aborted.
 */
export async function runBuild(request: BuildRequest): Promise<BuildResult> {
  request.signal?.throwIfAborted();
  const started = performance.now();
  const label = request.label ?? request.source.path;
  const { frontend, logPath } = request;
  await mkdir(request.outDir, { recursive: true });
  await mkdir(dirname(logPath), { recursive: true });
  const failed = async (why: string, cause?: unknown): Promise<BuildError> => {
    await appendLog(logPath, `\n==== lockhouse: ${why}\n`).catch(() => undefined);
    return new BuildError(`Building ${label} with ${frontend.name} failed: ${why}.`, { logPath, tail: await readTail(logPath, 20) }, cause === undefined ? {} : { cause });
  };

  let unpacked: string | null = null;
  // The index's credential, if its URL carries one: for the frontend's netrc only.
  const { credential } = splitIndexCredential(request.indexUrl);
  let netrc: NetrcFile | null = null;
  try {
    let sourcePath = request.source.path;
    if (frontend.name === 'build' && request.source.kind === 'sdist') {
      unpacked = await mkdtemp(join(dirname(request.outDir), `${basename(request.outDir)}-src-`));
      await appendLog(logPath, logHeader([['unpacking', `${request.source.path} into ${unpacked} (python -m build takes a directory)`]]));
      try {
        sourcePath = await unpackSdist(request.python.command, request.source.path, unpacked, buildEnv(request.env), (text) => appendLog(logPath, text));
      } catch (error) {
        throw await failed((error as Error).message.replace(/\.$/, ''), error);
      }
    }

    // Beside the output folder: in the build's own work folder, which goes when the build ends.
    if (credential !== null && request.indexUrl !== null) netrc = await writeNetrc(dirname(request.outDir), credential);
    const command = buildCommand(request, sourcePath, netrc?.path ?? null);
    await appendLog(
      logPath,
      logHeader([
        ['frontend', frontend.description],
        ['python', `${request.python.command} (${request.python.version.join('.')}${request.python.freeThreaded ? 't' : ''}, ${request.python.platform})`],
        ['command', commandLine(command.file, command.args)],
        ['cwd', command.cwd],
        ['env', describeEnvChanges(request.env, command.envChanges)],
      ]),
    );

    const exit = await run(command, logPath, credential ? [credential.password] : [], request.signal, request.timeoutMs);
    if (exit.stopped === 'aborted') {
      await appendLog(logPath, '\n==== lockhouse: aborted\n').catch(() => undefined);
      throw request.signal?.reason ?? new Error('aborted');
    }
    if (exit.stopped !== null || exit.code !== 0) throw await failed(describe(exit, command.file));

    const wheels = (await readdir(request.outDir)).filter((name) => name.endsWith('.whl'));
    if (wheels.length !== 1) {
      throw await failed(wheels.length === 0 ? `it wrote no wheel into ${request.outDir}` : `it wrote ${wheels.length} wheels (${wheels.join(', ')}), expected one`);
    }
    const durationMs = performance.now() - started;
    await appendLog(logPath, `\n==== lockhouse: built ${wheels[0]} in ${(durationMs / 1000).toFixed(1)} s\n`);
    return { wheel: join(request.outDir, wheels[0]!), durationMs };
  } finally {
    await netrc?.remove();
    if (unpacked !== null) await rm(unpacked, { recursive: true, force: true });
  }
}
