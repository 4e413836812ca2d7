/**
 * Running a short program and keeping what it said: probes (`python -c`,
 * `uv --version`, `python -m pip --version`) and git's steps. Builds, which
 * stream into a log for minutes, have their own loop in run-build.ts.
 */
import { spawn } from 'node:child_process';

export interface Captured {
  /** The exit code; null when the program could not start or was killed. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr in the order they came, for logs. */
  readonly output: string;
  /** Why it did not start or did not finish ("ENOENT", "timed out after 20000 ms", "killed by SIGTERM"), or null. */
  readonly failure: string | null;
}

export interface CaptureOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Kill it after this long (probes: a hung interpreter must not hang lockhouse). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Output beyond this is dropped: a probe or a git step that says more is not worth keeping. */
const MAX_OUTPUT = 4 << 20;

export function capture(file: string, args: readonly string[], options: CaptureOptions): Promise<Captured> {
  return new Promise((resolvePromise) => {
    let stdout = '';
    let stderr = '';
    let output = '';
    let failure: string | null = null;
    let child;
    try {
      child = spawn(file, args, {
        env: options.env,
        cwd: options.cwd,
        stdio: ['ignore', 'pipe', 'pipe'],
        windowsHide: true,
        ...(options.timeoutMs ? { timeout: options.timeoutMs, killSignal: 'SIGKILL' as const } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      resolvePromise({ code: null, stdout, stderr, output, failure: (error as Error).message });
      return;
    }
    const take = (which: 'out' | 'err') => (chunk: Buffer) => {
      if (output.length > MAX_OUTPUT) return;
      const text = chunk.toString('utf8');
      if (which === 'out') stdout += text;
      else stderr += text;
      output += text;
    };
    child.stdout.on('data', take('out'));
    child.stderr.on('data', take('err'));
    child.on('error', (error: NodeJS.ErrnoException) => {
      failure = error.name === 'AbortError' ? 'aborted' : (error.code ?? error.message);
    });
    child.on('close', (code, signal) => {
      if (failure === null && signal) {
        failure = options.timeoutMs && signal === 'SIGKILL' ? `timed out after ${options.timeoutMs} ms` : `killed by ${signal}`;
      }
      resolvePromise({ code: failure === null ? code : null, stdout, stderr, output, failure });
    });
  });
}
