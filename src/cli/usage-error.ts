/**
 * Mistakes on the command line, told as uv tells them: what was wrong, the
 * nearest thing that exists, a one-line usage, and where to read more —
 * instead of clipanion's "Unknown Syntax Error" and every option of every
 * command. Built from the commands' own definitions, so it never drifts
 * from them. Pure.
 */
import type { Style } from './style.js';

/** What clipanion says a command takes: its path and its options' definitions ("-o,--output #0", "--json"). */
export interface CommandShape {
  readonly path: string;
  readonly options: ReadonlyArray<{ readonly definition: string; readonly required: boolean }>;
  /** clipanion's synopsis ("lockhouse merge [-o,--output #0] … <PART> ..."): its positionals are read from it. */
  readonly usage?: string;
}

/** The positionals a command takes, from its synopsis: `<DIR>`, or `<PART>...` for a rest. */
function positionalsOf(command: CommandShape): { names: string[]; rest: boolean } {
  const bare = (command.usage ?? '').replace(/\[[^\]]*\]/g, ' ');
  const names = [...bare.matchAll(/<([A-Z0-9_-]+)>/g)].map((match) => `<${match[1]}>`);
  return { names, rest: /\.\.\./.test(bare) };
}

interface OptionShape {
  readonly names: readonly string[];
  readonly takesValue: boolean;
  readonly required: boolean;
}

function optionsOf(command: CommandShape): OptionShape[] {
  return command.options.map(({ definition, required }) => {
    const [names = ''] = definition.split(' ');
    const takesValue = definition.includes('#0');
    const listed = names.split(',');
    // A boolean option also takes its --no- form (clipanion gives every one).
    const negated = takesValue ? [] : listed.filter((name) => name.startsWith('--')).map((name) => `--no-${name.slice(2)}`);
    return { names: [...listed, ...negated], takesValue, required };
  });
}

/** `<OUTPUT>` for --output: the placeholder uv would print. */
function placeholder(option: OptionShape): string {
  const long = option.names.find((name) => name.startsWith('--')) ?? option.names[0]!;
  return `<${long.replace(/^-+/, '').toUpperCase().replace(/-/g, '_')}>`;
}

/**
 * A command's `--help` with uv's placeholders: clipanion writes an option
 * that takes a value as `--lock #0`; uv as `--lock <LOCK>`.
 */
export function namePlaceholders(help: string): string {
  const named = help.replace(/((?:-[A-Za-z],)?--([a-z0-9][a-z0-9-]*)) #0/g, (_all, names: string, long: string) => `${names} <${long.toUpperCase().replace(/-/g, '_')}>`);
  // The option rows ("  --lock <LOCK>   The lock to read…"), aligned again: the names grew.
  const row = /^ {2}(-\S*(?: <[A-Z0-9_]+>)?) {2,}(\S.*)$/;
  const lines = named.split('\n');
  const width = Math.max(0, ...lines.map((line) => row.exec(line)?.[1]!.length ?? 0));
  return lines.map((line) => line.replace(row, (_all, names: string, text: string) => `  ${names.padEnd(width)}  ${text}`)).join('\n');
}

/** Levenshtein distance, for "did you mean". */
export function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const kept = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = kept;
    }
  }
  return row[b.length]!;
}

/** The nearest of `candidates` to `word`, when near enough to be a typo. */
export function nearest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = distance(word, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

export interface UsageProblem {
  readonly message: string;
  readonly tip: string | null;
  readonly usage: string;
}

/**
 * What is wrong with `argv` for these commands, or null when this module
 * finds nothing (clipanion's own message is then used). `binary` is the
 * program's name.
 */
export function explainUsage(argv: readonly string[], commands: readonly CommandShape[], binary: string): UsageProblem | null {
  const names = commands.map((command) => command.path.split(' ').slice(1).join(' '));
  const first = argv.findIndex((arg) => !arg.startsWith('-'));
  const topUsage = `${binary} <COMMAND>`;
  if (first < 0) {
    const option = argv[0];
    if (option === undefined) return { message: 'a command is required', tip: `one of: ${names.join(', ')}`, usage: topUsage };
    return { message: `unexpected argument '${option}' found`, tip: `options go after the command: ${binary} <COMMAND> ${option}`, usage: topUsage };
  }
  const word = argv[first]!;
  const index = names.indexOf(word);
  if (index < 0) {
    const similar = nearest(word, names);
    return { message: `unrecognized subcommand '${word}'`, tip: similar ? `a similar subcommand exists: '${similar}'` : `one of: ${names.join(', ')}`, usage: topUsage };
  }
  const command = commands[index]!;
  const options = optionsOf(command);
  const positionals = positionalsOf(command);
  const synopsis = positionals.names.map((name, i) => (positionals.rest && i === positionals.names.length - 1 ? `${name}...` : name)).join(' ');
  const usage = `${binary} ${word} [OPTIONS]${synopsis ? ` ${synopsis}` : ''}`;
  const given: string[] = [];
  const byName = new Map(options.flatMap((option) => option.names.map((name) => [name, option] as const)));
  const seen = new Set<OptionShape>();
  const rest = argv.slice(first + 1);
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--') {
      given.push(...rest.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      given.push(arg);
      continue;
    }
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const option = byName.get(name!);
    if (!option) {
      const similar = nearest(name!, [...byName.keys()]);
      return { message: `unexpected argument '${name}' found`, tip: similar ? `a similar argument exists: '${similar}'` : null, usage };
    }
    seen.add(option);
    if (option.takesValue && inline === undefined) {
      const value = rest[i + 1];
      if (value === undefined || (value.startsWith('-') && byName.has(value.split('=')[0]!))) {
        return { message: `a value is required for '${name} ${placeholder(option)}' but none was supplied`, tip: null, usage };
      }
      i++;
    }
  }
  const missing = options.filter((option) => option.required && !seen.has(option));
  if (missing.length > 0) {
    const listed = missing.map((option) => `  ${option.names.find((n) => n.startsWith('--')) ?? option.names[0]} ${placeholder(option)}`).join('\n');
    return { message: `the following required arguments were not provided:\n${listed}`, tip: null, usage };
  }
  if (given.length < positionals.names.length) {
    return { message: `the following required arguments were not provided:\n${positionals.names.slice(given.length).map((name) => `  ${name}`).join('\n')}`, tip: null, usage };
  }
  if (given.length > positionals.names.length && !positionals.rest) {
    return { message: `unexpected argument '${given[positionals.names.length]!}' found`, tip: null, usage };
  }
  return null;
}

/** The problem as uv prints one. */
export function formatUsageProblem(problem: UsageProblem, style: Style): string {
  const lines = [`${style.error('error:')} ${problem.message}`, ''];
  if (problem.tip) lines.push(`  ${style.hint('tip:')} ${problem.tip}`, '');
  lines.push(`${style.bold('Usage:')} ${problem.usage}`, '', `For more information, try '${style.bold('--help')}'.`);
  return `${lines.join('\n')}\n`;
}
