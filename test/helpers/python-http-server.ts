/**
 * The plainest static host there is: `python3 -m http.server` serving a
 * folder, as a user would run it on the far side to try an index. It knows
 * nothing of PEP 691: every page is `index.html` (text/html), every other
 * file is sent as it is. It binds port 0 and says which port it took, so
 * there is no race for a port; its request log (stderr) is read back as
 * `STATUS METHOD PATH` lines.
 *
 * A line is logged before its answer is sent, but reaches the test through a
 * pipe that may lag behind a client's exit: `requests()` asks for a mark
 * path of its own and waits for that line, so every earlier request is in.
 *
 * It runs as a child of the test, with the environment of the caller
 * (pipEnv(): no PYTHON* settings), and `stop()` ends that process by its pid.
 */
import { spawn } from 'node:child_process';
import { PYTHON, pipEnv } from './pip.js';

export interface StaticServer {
  readonly url: string;
  /** The requests so far: `STATUS METHOD PATH` (the path as sent), the mark's left out. */
  requests(): Promise<string[]>;
  stop(): Promise<void>;
}

/** `"GET /simple/a/ HTTP/1.1" 200 -` in http.server's log line. */
const LOGGED = /"([A-Z]+) (\S+) HTTP\/[0-9.]+" ([0-9]{3}) /;
const MARK = '/lockhouse-test-log-mark';

export function startPythonHttpServer(root: string, python: string = PYTHON): Promise<StaticServer> {
  // -u: the "Serving HTTP on" line must reach us as it is printed, not when a buffer fills.
  const child = spawn(python, ['-u', '-m', 'http.server', '0', '--bind', '127.0.0.1', '--directory', root], {
    env: pipEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let marks = 0;
  const waiting: Array<() => void> = [];
  const logged = (): string[] =>
    stderr
      .split('\n')
      .map((line) => LOGGED.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => `${match[3]} ${match[1]} ${match[2]}`);
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return new Promise((resolve, reject) => {
    const fail = (why: string): void => reject(new Error(`${python} -m http.server did not start: ${why} ${stderr.trim()}`));
    child.on('error', (error) => fail(error.message));
    child.on('exit', (code, signal) => fail(`exited (${code ?? signal})`));
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      for (const wake of waiting.splice(0)) wake();
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const port = /Serving HTTP on \S+ port ([0-9]+)/.exec(stdout)?.[1];
      if (port === undefined) return;
      const url = `http://127.0.0.1:${port}`;
      resolve({
        url,
        async requests() {
          const mark = `${MARK}-${++marks}`;
          await (await fetch(`${url}${mark}`)).arrayBuffer();
          while (!logged().some((line) => line.endsWith(` ${mark}`))) await new Promise<void>((wake) => waiting.push(wake));
          return logged().filter((line) => !line.includes(MARK));
        },
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await closed;
        },
      });
    });
  });
}
