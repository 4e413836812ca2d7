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
import { ExitCode, LockhouseError } from '../errors.js';
import { scrubSecrets } from '../secrets.js';
import { reportError } from './base-command.js';
import { styleFor, wantsColour, type Style } from './style.js';
import { explainUsage, formatUsageProblem, namePlaceholders } from './usage-error.js';
import BundleCommand from './commands/bundle.js';
import CollectCommand from './commands/collect.js';
import MergeCommand from './commands/merge.js';
import PlanCommand from './commands/plan.js';
import SbomCommand from './commands/sbom.js';
import StaticIndexCommand from './commands/static-index.js';
import VerifyCommand from './commands/verify.js';
import { version } from './version.js';

export const commands = [CollectCommand, BundleCommand, MergeCommand, PlanCommand, VerifyCommand, StaticIndexCommand, SbomCommand] as const;

/**
 * The command line, with every command, or only the one named `only` when
 * there is one: clipanion builds its parser from every command it holds
 * (40 ms for all seven, 7 ms for one), so a run that names its command
 * parses with that command alone. Its options and errors are the same; a
 * usage error is explained against every command (main).
 */
export function createCli(only?: string): Cli {
  const cli = new Cli({
    binaryLabel: 'lockhouse',
    binaryName: 'lockhouse',
    binaryVersion: version,
    enableCapture: false,
    // Colours for a terminal only (NO_COLOR off, FORCE_COLOR on): help piped to a file or a pager stays plain.
    enableColors: wantsColour(process.stdout),
  });
  const named = commands.filter((command) => command.paths.some((path) => path[0] === only));
  for (const command of named.length > 0 ? named : commands) cli.register(command);
  cli.register(Builtins.HelpCommand);
  return cli;
}

export async function main(argv: readonly string[], context: Partial<BaseContext> = {}): Promise<number> {
  // Everything a command prints goes through these two streams: logs, summaries, reports, errors, --json.
  const given: BaseContext = { ...Cli.defaultContext, ...context };
  const full: BaseContext = { ...given, stdout: scrubbed(given.stdout), stderr: scrubbed(given.stderr) };
  const [first, ...rest] = argv;
  // uv's spellings: -V/--version (and `version`) print the version; `help [COMMAND]` is `[COMMAND] --help`; -v is always verbose.
  if (first === '-V' || first === '--version' || first === 'version') {
    full.stdout.write(`lockhouse ${version}\n`);
    return ExitCode.OK;
  }
  const args = first === 'help' ? [...rest, '--help'] : [...argv];
  let cli = createCli(args[0]);
  // The overview: the commands and what each does (clipanion's would list every option of every command).
  if (args.length === 0 || (args.length === 1 && (args[0] === '-h' || args[0] === '--help'))) {
    full.stdout.write(overview(styleFor(full.stdout)));
    return args.length === 0 ? ExitCode.USAGE : ExitCode.OK;
  }
  // --json and --log-format json apply to errors found before the command runs too.
  const output = { stderr: full.stderr, stdout: full.stdout, json: args.includes('--json'), logFormat: logFormatOf(args) } as const;
  let command;
  try {
    try {
      command = cli.process(args, full);
    } catch {
      // Parsed again with every command, so that the error and its explanation are as they always were.
      cli = createCli();
      command = cli.process(args, full);
    }
  } catch (error) {
    const problem = explainUsage(args, cli.definitions(), 'lockhouse');
    if (output.json || output.logFormat === 'json') {
      const message = problem ? `${problem.message}${problem.tip ? ` (${problem.tip})` : ''}` : firstLine(error);
      return reportError(new LockhouseError('USAGE', message, { hint: `${problem?.usage ?? 'lockhouse <COMMAND>'}; lockhouse --help says more` }), output);
    }
    const style = styleFor(full.stderr);
    if (problem) full.stderr.write(formatUsageProblem(problem, style));
    else full.stderr.write(`${style.error('error:')} ${firstLine(error)}\n\nFor more information, try '${style.bold('--help')}'.\n`);
    return ExitCode.USAGE;
  }
  try {
    // A command's --help: clipanion's page, with uv's <VALUE> placeholders for its #0.
    if (args.includes('--help') || args.includes('-h')) {
      let help = '';
      const code = await cli.run(command, { ...full, stdout: { write: (chunk: unknown) => ((help += String(chunk)), true) } as unknown as typeof full.stdout });
      full.stdout.write(namePlaceholders(help));
      return code;
    }
    return await cli.run(command, full);
  } catch (error) {
    return reportError(error, output);
  }
}

/**
 * `stream` with every write scrubbed of secrets (src/secrets.ts): the one
 * place the command line's output passes. Everything else about the stream
 * (isTTY, columns, events) is the stream's own. Each write is scrubbed
 * whole: lockhouse writes a message, a log record or a JSON document in one
 * write. Bytes are passed on as they came when they hold no secret (a
 * multi-byte character split between two writes stays whole).
 */
function scrubbed<S extends NodeJS.WritableStream>(stream: S): S {
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString('utf8') : null;
    const clean = text === null ? null : scrubSecrets(text);
    const out = clean === null || clean === text ? chunk : typeof chunk === 'string' ? clean : Buffer.from(clean, 'utf8');
    return (stream.write as (...args: unknown[]) => boolean).call(stream, out, ...rest);
  };
  return new Proxy(stream, {
    get(target, property) {
      if (property === 'write') return write;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** `lockhouse --help`: what lockhouse is, its commands with one line each, and where to read more. */
function overview(style: Style): string {
  const rows = commands.map((command) => [command.paths[0]![0]!, command.usage?.description ?? ''] as const);
  const width = Math.max(...rows.map(([name]) => name.length), 'help'.length);
  const row = (name: string, text: string): string => `  ${style.bold(name.padEnd(width))}  ${text}`;
  return [
    `lockhouse ${version}: turn a uv.lock or PEP 751 pylock.toml into a hash-verified wheelhouse that installs offline`,
    '',
    `${style.bold('Usage:')} lockhouse <COMMAND> [OPTIONS]`,
    '',
    `${style.bold('Commands:')}`,
    ...rows.map(([name, text]) => row(name, text)),
    row('help', "Show a command's options: lockhouse help <COMMAND>"),
    '',
    `${style.bold('Options:')}`,
    `  ${style.bold('-h, --help')}     Print this help (with a command: its options)`,
    `  ${style.bold('-V, --version')}  Print the version`,
    '',
    "Run 'lockhouse <COMMAND> --help' for a command's options; docs/commands.md has them all.",
    '',
  ].join('\n');
}

/** The --log-format the arguments ask for (its value is checked when the command runs). */
function logFormatOf(args: readonly string[]): 'pretty' | 'json' {
  const at = args.findIndex((arg) => arg === '--log-format' || arg.startsWith('--log-format='));
  if (at < 0) return 'pretty';
  const value = args[at]!.includes('=') ? args[at]!.split('=')[1] : args[at + 1];
  return value === 'json' ? 'json' : 'pretty';
}

/** clipanion's own message, without the synopsis of every option it appends. */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? text).replace(/^Unknown Syntax Error: /, '').trim();
}
