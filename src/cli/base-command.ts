/**
 * What every lockhouse command shares: logging flags, warnings to the log,
 * and turning errors into DESIGN.md's exit codes. clipanion would print an
 * uncaught error on stdout and exit 1; stdout is for `--json` data, so every
 * error goes through here to stderr with its own exit code.
 */
import { Command, Option } from 'clipanion';
import { ExitCode, isLockhouseError } from '../errors.js';
import type { Logger } from './logger.js';
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
    try {
      const format = oneOf('--log-format', this.logFormat, ['pretty', 'json']);
      // The logger is loaded here, when a command runs: --help and --version never need it.
      const { createLogger } = await import('./logger.js');
      return await this.run(createLogger({ verbosity: this.verbose, quiet: this.quiet, format, stream: this.context.stderr }));
    } catch (error) {
      return reportError(error, this.context.stderr, this.verbose > 0);
    }
  }
}

/** Log each warning of each list (the lock's, then the command's own), in order. */
export function logWarnings(logger: Logger, ...lists: ReadonlyArray<readonly string[]>): void {
  for (const warning of lists.flat()) logger.warn(warning);
}

/** Print an error for people (its `error[…]:` label and `hint:` coloured on a terminal) and return its exit code. Unexpected errors keep their stack only with -v. */
export function reportError(error: unknown, stderr: NodeJS.WritableStream, verbose: boolean): number {
  const style = styleFor(stderr);
  if (isLockhouseError(error)) {
    stderr.write(`${style.error(`error[${error.code}]:`)} ${error.message}\n`);
    if (error.hint) stderr.write(`  ${style.hint('hint:')} ${error.hint}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`${style.error('error[INTERNAL]:')} ${message}\n`);
  if (verbose && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
  else stderr.write(`  ${style.hint('hint:')} this is a bug in lockhouse; run again with -v for details and report it\n`);
  return ExitCode.USAGE;
}
