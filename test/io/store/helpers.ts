/**
 * Helpers for the storage tests: a temporary folder per test, random bytes,
 * and the storage modules compiled to plain JavaScript so child processes
 * (killed mid-write, or racing on one cache) run the real code under Node.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { onTestFinished } from 'vitest';
import { testdir } from '../../helpers/testdir.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A temporary folder for one test (test/helpers/testdir.ts). */
export const tempdir = (): string => testdir();

export function sha(algorithm: string, data: Uint8Array): string {
  return createHash(algorithm).update(data).digest('hex');
}

/** Deterministic-enough random bytes, generated quickly for large sizes. */
export function randomData(size: number): Buffer {
  return randomBytes(size);
}

export function listDir(dir: string): string[] {
  return readdirSync(dir).sort();
}

/**
 * Transpile src/errors.ts (and src/secrets.ts, which it imports) and src/io/store/*.ts into `out`, keeping the
 * layout so their relative imports resolve; returns the path of
 * src/io/store inside it. Type-only modules compile to empty ones.
 */
export function compileStore(out: string): string {
  const sources = [join(repo, 'src', 'errors.ts'), join(repo, 'src', 'secrets.ts'), join(repo, 'src', 'io', 'http', 'types.ts')];
  const storeDir = join(repo, 'src', 'io', 'store');
  for (const name of readdirSync(storeDir)) if (name.endsWith('.ts')) sources.push(join(storeDir, name));
  for (const source of sources) {
    const { outputText } = ts.transpileModule(readFileSync(source, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      fileName: source,
    });
    const target = join(out, relative(repo, source)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  writeFileSync(join(out, 'package.json'), '{"type":"module"}');
  return join(out, 'src', 'io', 'store');
}

/** Run an ES module script in a child Node; resolves with the child. Killed when the test ends. */
export function runScript(dir: string, name: string, text: string, args: readonly string[] = []): ChildProcess {
  const path = join(dir, name);
  writeFileSync(path, text);
  const child = spawn(process.execPath, [path, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

/** Resolve with the child's first stdout line. */
export function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const end = text.indexOf('\n');
      if (end >= 0) resolve(text.slice(0, end));
    });
    child.on('exit', (code) => reject(new Error(`child exited (${code}) before a line: ${text}`)));
  });
}

export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

/** The pid of a process that has already exited. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  const pid = child.pid!;
  await exited(child);
  return pid;
}
