/**
 * lockhouse in a real pseudo-terminal (Python's `pty`, standard library), as
 * a person at a terminal runs it: stdout and stderr are a TTY, so colour and
 * progress switch on exactly as they would for them. Resolves with what the
 * terminal showed (both streams, in order) and the exit code.
 */
import { spawn } from 'node:child_process';
import { BIN } from './process.js';
import { PYTHON } from './python.js';

const RUNNER = String.raw`
import fcntl, os, pty, struct, sys, termios
columns = int(os.environ.get("LOCKHOUSE_TEST_COLUMNS", "100"))
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
while True:
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if hasattr(os, "waitstatus_to_exitcode") else status >> 8)
`;

export interface TerminalRun {
  readonly code: number | null;
  readonly screen: string;
}

/**
 * `onScreen`, when given, is called with everything shown so far each time
 * more arrives: a test waits on it for what a person would see mid-run.
 */
export function runInTerminal(args: readonly string[], env: NodeJS.ProcessEnv = process.env, columns = 100, onScreen?: (screen: string) => void): Promise<TerminalRun> {
  const child = spawn(PYTHON, ['-c', RUNNER, process.execPath, BIN, ...args], {
    env: { ...env, LOCKHOUSE_TEST_COLUMNS: String(columns), TERM: 'xterm-256color' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.on('data', (chunk: Buffer) => {
    screen += chunk.toString('utf8');
    onScreen?.(screen);
  });
  child.stderr.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8')));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, screen })));
}
