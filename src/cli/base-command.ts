/**
 * What every lockhouse command shares: logging flags, and turning errors
 * into DESIGN.md's exit codes. clipanion would print an uncaught error on
 * stdout and exit 1; stdout is for `--json` data, so every error goes through
 * here to stderr with its own exit code.
 */
import { Command, Option } from 'clipanion';
import { ExitCode, isLockhouseError } from '../errors.js';
import type { LogFormat, Logger } from './logger.js';

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
    if (this.logFormat !== 'json' && this.logFormat !== 'pretty') {
      this.context.stderr.write(`error[USAGE]: --log-format must be pretty or json, not "${this.logFormat}"\n`);
      return ExitCode.USAGE;
    }
    // pino is loaded here, when a command runs: --help and --version never need it.
    const { createLogger } = await import('./logger.js');
    const logger = createLogger({ verbosity: this.verbose, quiet: this.quiet, format: format as LogFormat, stream: this.context.stderr });
    try {
      return await this.run(logger);
    } catch (error) {
      return reportError(error, this.context.stderr, this.verbose > 0);
    }
  }
}

/** Print an error for people and return its exit code. Unexpected errors keep their stack only with -v. */
export function reportError(error: unknown, stderr: NodeJS.WritableStream, verbose: boolean): number {
  if (isLockhouseError(error)) {
    stderr.write(`${error.format()}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`error[INTERNAL]: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
  else stderr.write('  hint: this is a bug in lockhouse; run again with -v for details and report it\n');
  return ExitCode.USAGE;
}
