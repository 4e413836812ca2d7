/**
 * pino on stderr, the only place lockhouse logs. `--log-format json` gives
 * pino's own lines (for CI log collectors); `pretty` (the default) gives one
 * short line per message for people.
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export type LogFormat = 'pretty' | 'json';

export interface LoggerOptions {
  readonly verbosity: number;
  readonly quiet: boolean;
  readonly format: LogFormat;
  readonly stream: NodeJS.WritableStream;
}

export type { Logger };

function level(options: LoggerOptions): pino.LevelWithSilent {
  if (options.quiet) return 'error';
  if (options.verbosity >= 2) return 'trace';
  if (options.verbosity === 1) return 'debug';
  return 'info';
}

const LABELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warning', 50: 'error', 60: 'fatal' };
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

/** Turns pino's JSON lines into `lockhouse: message (key=value …)`. */
function prettyStream(out: NodeJS.WritableStream): Writable {
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
          const prefix = label === 'info' ? 'lockhouse' : `lockhouse ${label}`;
          out.write(`${prefix}: ${String(record['msg'] ?? '')}${extra.length ? ` (${extra.join(' ')})` : ''}\n`);
        } catch {
          out.write(`${line}\n`);
        }
      }
      done();
    },
  });
}

export function createLogger(options: LoggerOptions): Logger {
  const destination = options.format === 'json' ? options.stream : prettyStream(options.stream);
  return pino({ level: level(options), base: undefined }, destination as pino.DestinationStream);
}
