/**
 * The lockhouse command line. Arguments are parsed first, so a usage error
 * is reported on stderr with exit 2 (clipanion alone would print it on
 * stdout and exit 1: stdout is reserved for `--json` data).
 *
 * The layout: commands/ holds one file per command (its usage, its own
 * options, its run()); options/ the option groups commands inherit (the lock,
 * targets, selection and builds; where collected files come from) and the one
 * way option values are checked; base-command.ts the logging flags and the
 * error-to-exit-code rule every command shares.
 *
 * Start-up: this module and the command classes load clipanion and little
 * else. Each command imports what it runs (app/, report/, the logger and
 * pino) inside run(), so `--help` and `--version` pay for none of it, and a
 * command only for what it uses (test/cli/startup.test.ts).
 */
import { Builtins, Cli, type BaseContext } from 'clipanion';
import { ExitCode } from '../errors.js';
import { reportError } from './base-command.js';
import BundleCommand from './commands/bundle.js';
import CollectCommand from './commands/collect.js';
import PlanCommand from './commands/plan.js';
import StaticIndexCommand from './commands/static-index.js';
import VerifyCommand from './commands/verify.js';
import { version } from './version.js';

export const commands = [CollectCommand, BundleCommand, PlanCommand, VerifyCommand, StaticIndexCommand] as const;

export function createCli(): Cli {
  const cli = new Cli({
    binaryLabel: 'lockhouse',
    binaryName: 'lockhouse',
    binaryVersion: version,
    enableCapture: false,
    // Colours for a terminal only: help piped to a file or a pager stays plain.
    enableColors: Boolean(process.stdout.isTTY) && !process.env['NO_COLOR'],
  });
  for (const command of commands) cli.register(command);
  cli.register(Builtins.HelpCommand);
  cli.register(Builtins.VersionCommand);
  return cli;
}

export async function main(argv: readonly string[], context: Partial<BaseContext> = {}): Promise<number> {
  const cli = createCli();
  const full: BaseContext = { ...Cli.defaultContext, ...context };
  let command;
  try {
    command = cli.process([...argv], full);
  } catch (error) {
    full.stderr.write(cli.error(error as Error, { colored: false }));
    full.stderr.write('Run `lockhouse --help` for the commands, or `lockhouse <command> --help` for one.\n');
    return ExitCode.USAGE;
  }
  try {
    return await cli.run(command, full);
  } catch (error) {
    return reportError(error, full.stderr, false);
  }
}
