/**
 * Stopping a build means stopping the backend too: pip and uv run the PEP
 * 517 hooks in a child process, which runs compilers in children of its
 * own, and killing the frontend alone leaves them running (orphaned, for as
 * long as the compile takes).
 *
 * A process group would make that one kill(-pgid), but a frontend in a group
 * of its own no longer gets the terminal's Ctrl-C; so the frontend stays in
 * lockhouse's group and its descendants are found with `ps` when it must be
 * stopped (`taskkill /T` on Windows).
 */
import { spawn } from 'node:child_process';
import { capture } from './exec.js';

/** Every process below `root`, from `ps -A -o pid= -o ppid=` (POSIX; Linux and macOS alike). */
async function descendants(root: number): Promise<number[]> {
  const listed = await capture('ps', ['-A', '-o', 'pid=', '-o', 'ppid='], { env: process.env, timeoutMs: 5_000 });
  if (listed.code !== 0) return [];
  const children = new Map<number, number[]>();
  for (const line of listed.stdout.split('\n')) {
    const [pid, ppid] = line.trim().split(/\s+/).map(Number);
    if (!pid || ppid === undefined || Number.isNaN(ppid)) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      if (found.includes(child)) continue;
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/**
 * Send `signal` to `root` and everything below it. `known` carries the pids
 * seen by an earlier call: once the frontend has died, its children hang
 * from init and only that list still finds them. Returns the pids signalled.
 */
export async function killTree(root: number, signal: NodeJS.Signals, known: readonly number[] = []): Promise<number[]> {
  if (process.platform === 'win32') {
    spawn('taskkill', ['/PID', String(root), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', () => undefined);
    return [root];
  }
  const pids = [...new Set([root, ...known, ...(await descendants(root))])];
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Gone already.
    }
  }
  return pids;
}
