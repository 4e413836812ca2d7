/**
 * pino on stderr, the only place lockhouse logs. `--log-format json` gives
 * pino's own lines (for CI log collectors); `pretty` (the default) gives one
 * short line per message for people.
 *
 * pino is loaded by the first message that passes the level, not before:
 * most runs (a plan, a re-run, anything with -q) log nothing and never pay
 * for it.
 */
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import type pino from 'pino';
import { styleFor } from './style.js';

export type LogFormat = 'pretty' | 'json';

export interface LoggerOptions {
  readonly verbosity: number;
  readonly quiet: boolean;
  readonly format: LogFormat;
  readonly stream: NodeJS.WritableStream;
}

/** The levels lockhouse logs at, with pino's numbers. */
const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
type Level = keyof typeof LEVELS;

/** The logging methods of pino's Logger: all that the commands use. */
export type Logger = Pick<pino.Logger, Level>;

const require = createRequire(import.meta.url);

function level(options: LoggerOptions): Level {
  if (options.quiet) return 'error';
  if (options.verbosity >= 2) return 'trace';
  if (options.verbosity === 1) return 'debug';
  return 'info';
}

const LABELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

/** Turns pino's JSON lines into `lockhouse: message (key=value …)`. */
function prettyStream(out: NodeJS.WritableStream): Writable {
  const style = styleFor(out);
  const paint = (label: string, text: string): string => (label === 'warning' ? style.warning(text) : label === 'error' || label === 'fatal' ? style.error(text) : text);
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        try {
          const record = JSON.parse(line) as Record<string, unknown>;
          const label = LABELS[record['level'] as number] ?? 'log';
          const extra = Object.entries(record)
            .filter(([key]) => !HIDDEN.has(key))
            .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
          const prefix = label === 'info' ? 'lockhouse:' : paint(label, `lockhouse ${label}:`);
          out.write(`${prefix} ${String(record['msg'] ?? '')}${extra.length ? ` (${extra.join(' ')})` : ''}\n`);
        } catch {
          out.write(`${line}\n`);
        }
      }
      done();
    },
  });
}

export function createLogger(options: LoggerOptions): Logger {
  const threshold = LEVELS[level(options)];
  let instance: pino.Logger | undefined;
  const real = (): pino.Logger => {
    if (!instance) {
      const create = require('pino') as typeof pino;
      const destination = options.format === 'json' ? options.stream : prettyStream(options.stream);
      instance = create({ level: level(options), base: undefined }, destination as pino.DestinationStream);
    }
    return instance;
  };
  const method =
    (name: Level): pino.LogFn =>
    (...args: unknown[]) => {
      if (LEVELS[name] < threshold) return;
      const logger = real();
      (logger[name] as (this: pino.Logger, ...args: unknown[]) => void).apply(logger, args);
    };
  return { trace: method('trace'), debug: method('debug'), info: method('info'), warn: method('warn'), error: method('error'), fatal: method('fatal') };
}
