/**
 * Ctrl-C and SIGTERM (a CI job cancelled, `docker stop`, `timeout`): the
 * first one aborts the work — downloads and builds under way stop (their
 * process trees killed), temporary files go, and the command records what
 * is in place and says so in one line; a second one exits at once. The exit
 * code is the shell's: 128 + the signal's number (130, 143).
 */
import { constants } from 'node:os';

const WATCHED = ['SIGINT', 'SIGTERM'] as const;
type Watched = (typeof WATCHED)[number];

export interface Interrupts {
  readonly signal: AbortSignal;
  /** The signal that arrived first, or null. */
  received(): Watched | null;
  /** Stop listening (the default behaviour comes back). */
  dispose(): void;
}

export function watchInterrupts(processLike: Pick<NodeJS.Process, 'on' | 'off' | 'exit'> = process): Interrupts {
  const controller = new AbortController();
  let first: Watched | null = null;
  const handlers = WATCHED.map((name) => {
    const handler = (): void => {
      if (first !== null) processLike.exit(exitCodeOf(name));
      first = name;
      controller.abort(new Error(`interrupted by ${name}`));
    };
    processLike.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    received: () => first,
    dispose: () => {
      for (const [name, handler] of handlers) processLike.off(name, handler);
    },
  };
}

/** 128 + the signal's number, as a shell reports a process it killed. */
export function exitCodeOf(signal: Watched): number {
  return 128 + constants.signals[signal];
}
