/**
 * What every lockhouse command shares: logging flags, warnings to the log,
 * and turning errors into DESIGN.md's exit codes. clipanion would print an
 * uncaught error on stdout and exit 1; stdout is for `--json` data, so every
 * error goes through here to stderr with its own exit code.
 */
import { Command, Option } from 'clipanion';
import { ExitCode, isLockhouseError } from '../errors.js';
import type { Log } from '../model.js';
import type { Logger } from './logger.js';
import { errorLogRecord, errorToJson, type FatalError } from './fatal.js';
import { styleFor } from './style.js';
import { oneOf } from './options/validate.js';

export abstract class BaseCommand extends Command {
  verbose = Option.Counter('-v,--verbose', 0, { description: 'Log more: -v for details and timings, -vv for everything' });
  quiet = Option.Boolean('-q,--quiet', false, { description: 'Log errors only' });
  logFormat = Option.String('--log-format', 'pretty', {
    description: 'How logs on stderr look: pretty (for people) or json (one pino record per line)',
  });

  /** The command's work; returns the exit code. */
  abstract run(logger: Logger): Promise<number>;

  async execute(): Promise<number> {
    const format = this.logFormat === 'json' ? 'json' : 'pretty';
    try {
      oneOf('--log-format', this.logFormat, ['pretty', 'json']);
      // The logger is loaded here, when a command runs: --help and --version never need it.
      const { createLogger } = await import('./logger.js');
      return await this.run(createLogger({ verbosity: this.verbose, quiet: this.quiet, format, stream: this.context.stderr }));
    } catch (error) {
      const json = (this as { json?: unknown }).json === true;
      return reportError(error, { stderr: this.context.stderr, stdout: this.context.stdout, verbose: this.verbose > 0, json, logFormat: format });
    }
  }
}

/** Log each warning of each list (the lock's, then the command's own), in order. */
export function logWarnings(logger: Logger, ...lists: ReadonlyArray<readonly string[]>): void {
  for (const warning of lists.flat()) logger.warn(warning);
}

/** Where and how a fatal error is told: to people on stderr, or as a JSON record there (--log-format json), and as JSON on stdout too (--json). */
export interface ErrorOutput {
  readonly stderr: NodeJS.WritableStream;
  readonly stdout?: NodeJS.WritableStream;
  readonly verbose?: boolean;
  readonly json?: boolean;
  readonly logFormat?: 'pretty' | 'json';
}

/** Tell a fatal error (its `error[…]:` label and `hint:` coloured on a terminal) and return its exit code. Unexpected errors keep their stack only with -v. */
export function reportError(error: unknown, output: ErrorOutput): number {
  const fatal = fatalOf(error);
  if (output.json && output.stdout) output.stdout.write(`${JSON.stringify(errorToJson(fatal), null, 2)}\n`);
  if (output.logFormat === 'json') {
    output.stderr.write(`${errorLogRecord(fatal)}\n`);
    return fatal.exitCode;
  }
  const style = styleFor(output.stderr);
  output.stderr.write(`${style.error(`error[${fatal.code}]:`)} ${fatal.message}\n`);
  if (!isLockhouseError(error) && output.verbose && error instanceof Error && error.stack) output.stderr.write(`${error.stack}\n`);
  else if (fatal.hint) output.stderr.write(`  ${style.hint('hint:')} ${fatal.hint}\n`);
  return fatal.exitCode;
}

function fatalOf(error: unknown): FatalError {
  if (isLockhouseError(error)) return { code: error.code, message: error.message, hint: error.hint ?? null, exitCode: error.exitCode };
  return {
    code: 'INTERNAL',
    message: error instanceof Error ? error.message : String(error),
    hint: 'this is a bug in lockhouse; run again with -v for details and report it',
    exitCode: ExitCode.USAGE,
  };
}

/** The library's `Log` (level, message, fields) written to the command's logger: one adapter for every command. */
export function logOf(logger: Logger): Log {
  return (level, message, fields) => logger[level](fields ?? {}, message);
}
