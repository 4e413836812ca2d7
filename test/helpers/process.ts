/** lockhouse as a real process (bin/lockhouse.cjs over the dist/ that test/global-setup.ts builds). */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './corpus.js';

export const BIN = join(repoRoot, 'bin', 'lockhouse.cjs');

export interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Running {
  readonly child: ChildProcess;
  readonly done: Promise<Finished>;
}

/** `cwd`: where it runs, for commands that name paths relative to a project folder (`collect -o .`). */
export function startLockhouse(args: readonly string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): Running {
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Finished>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}
