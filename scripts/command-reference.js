// The command reference, docs/commands.md, rendered from the clipanion
// definitions of the commands (their `Command.Usage` and options). Pure: it
// takes the Cli and the command classes and returns Markdown, so the script
// that writes the file (write-command-reference.js, from dist/) and the test
// that checks it is not stale (test/docs-commands.test.ts, from src/) render
// the same text.
//
// Options are listed in clipanion's order (the order `--help` shows them),
// grouped by the class that declares them: a command's own options first,
// then the groups it inherits (the lock, targets, selection and builds of
// every command that reads a lock; the sources of collect and bundle; the
// logging flags of all), each of those written once, at the end, with the
// commands that take it. The groups are the classes of src/cli/options/
// (LockCommand, CollectingCommand) and src/cli/base-command.ts (BaseCommand).

/** Headings of the option groups that commands inherit, by declaring class. */
const GROUPS = new Map([
  ['LockCommand', { title: 'Lock, target, selection and build options', about: 'The lock to read, the [targets](targets.md), [what gets collected](selection.md) and whether to build.' }],
  ['CollectingCommand', { title: 'Source, cache, network and build options', about: 'Where files come from, the cache, the network, hash policy and builds ([collect.md](collect.md)).' }],
  ['BaseCommand', { title: 'Logging options', about: 'Logs go to stderr; stdout carries only the output (and `--json` data).' }],
]);

const HEADER =
  '<!-- Generated from the clipanion definitions in src/cli/commands/ and src/cli/options/ by scripts/write-command-reference.js: do not edit; run `npm run docs:commands`. -->';

/**
 * @param {import('clipanion').Cli} cli a Cli with the commands registered
 * @param {ReadonlyArray<Function>} commands the command classes, in the order to document them
 * @returns {string} docs/commands.md
 */
export function renderCommandReference(cli, commands) {
  const definitions = cli.definitions({ colored: false });
  const documented = commands.map((commandClass) => {
    const definition = definitions.find((candidate) => candidate.path === `${cli.binaryName} ${commandClass.paths[0].join(' ')}`);
    if (!definition) throw new Error(`${commandClass.name} is not registered in the Cli`);
    return { commandClass, definition, groups: optionGroups(cli, commandClass, definition.options) };
  });

  const out = [HEADER, '', '# Command reference', ''];
  out.push(
    ...wrap(
      'Every `lockhouse` command with its options and examples, as `lockhouse <command> --help` prints them. ' +
        'An option that takes a value is shown with `VALUE`; a repeatable one says so. ' +
        'Exit codes: 0 done, 1 some files failed or problems found (each listed), 2 bad usage or a lock that cannot be read, 3 a hash mismatch ([errors.md](errors.md)).',
    ),
    '',
  );
  for (const { definition } of documented) out.push(`- [\`${definition.path}\`](#${slug(definition.path)}): ${oneLine(definition.description)}`);
  const shared = sharedGroups(documented);
  for (const group of shared) out.push(`- [${group.title}](#${slug(group.title)}): ${group.users.map((user) => `\`${user}\``).join(', ')}`);
  out.push('');

  for (const { definition, groups } of documented) {
    out.push(`## \`${definition.path}\``, '', ...wrap(sentence(oneLine(definition.description))), '');
    out.push('```sh', usageLine(definition), '```', '');
    for (const paragraph of paragraphs(definition.details)) out.push(...wrap(paragraph), '');
    const own = groups.find((group) => group.own);
    if (own && own.options.length > 0) {
      out.push('### Options', '');
      for (const option of own.options) out.push(optionLine(option));
      out.push('');
    }
    const inherited = groups.filter((group) => !group.own).sort((a, b) => rank([...GROUPS.keys()], a.declaredBy) - rank([...GROUPS.keys()], b.declaredBy));
    if (inherited.length > 0) {
      const links = inherited.map((group) => groupInfo(group.declaredBy).title).map((title) => `[${title.toLowerCase()}](#${slug(title)})`);
      out.push(...wrap(`And the ${links.join(', ')}.`), '');
    }
    out.push('### Examples', '', '```sh');
    (definition.examples ?? []).forEach(([label, command], index) => {
      if (index > 0) out.push('');
      out.push(`# ${oneLine(label)}`, command);
    });
    out.push('```', '');
  }

  for (const group of shared) {
    out.push(`## ${group.title}`, '', ...wrap(`${group.about} Taken by ${group.users.map((user) => `\`${user}\``).join(', ')}.`), '');
    for (const option of group.options) out.push(optionLine(option));
    out.push('');
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

/**
 * The command's options, split by the class that declares them. A class's
 * options come first in clipanion's list, so each ancestor's count (found by
 * registering a throwaway subclass of it) is where its group ends.
 */
function optionGroups(cli, commandClass, options) {
  const chain = [];
  for (let ancestor = Object.getPrototypeOf(commandClass); Object.getPrototypeOf(ancestor) !== Function.prototype; ancestor = Object.getPrototypeOf(ancestor)) {
    chain.unshift(ancestor);
  }
  const groups = [];
  let start = 0;
  for (const ancestor of chain) {
    const declared = declaredOptions(cli, ancestor);
    if (declared.length < start || declared.some((option, index) => options[index]?.definition !== option.definition)) {
      throw new Error(`${commandClass.name}: the options of ${ancestor.name} are not a prefix of its own`);
    }
    if (declared.length > start) groups.push({ declaredBy: ancestor.name, own: false, options: options.slice(start, declared.length) });
    start = declared.length;
  }
  groups.push({ declaredBy: commandClass.name, own: true, options: options.slice(start) });
  return groups;
}

function declaredOptions(cli, ancestor) {
  const Probe = class extends ancestor {
    static paths = [['probe']];
    static usage = { description: 'probe' };
  };
  const probe = new cli.constructor({ binaryName: cli.binaryName });
  probe.register(Probe);
  return probe.definitions()[0].options;
}

/** The inherited groups, each once, with the commands that take it, in the order of GROUPS. */
function sharedGroups(documented) {
  const byClass = new Map();
  for (const { definition, groups } of documented) {
    for (const group of groups.filter((candidate) => !candidate.own)) {
      const entry = byClass.get(group.declaredBy) ?? { ...groupInfo(group.declaredBy), options: group.options, users: [] };
      entry.users.push(definition.path);
      byClass.set(group.declaredBy, entry);
    }
  }
  const order = [...GROUPS.keys()];
  return [...byClass.entries()].sort(([a], [b]) => rank(order, a) - rank(order, b)).map(([, entry]) => entry);
}

const groupInfo = (declaredBy) => GROUPS.get(declaredBy) ?? { title: `${declaredBy} options`, about: '' };

const rank = (order, name) => (order.includes(name) ? order.indexOf(name) : order.length);

/** `lockhouse collect [options]`, with required options and positional arguments spelled out. */
function usageLine(definition) {
  const rest = definition.usage.slice(definition.path.length);
  // The first name of a required option: `-o VALUE`, not `-o, --output VALUE`.
  const required = definition.options.filter((option) => option.required).map((option) => ` ${flag(option.definition.replace(/,[^ ]*/, ''))}`);
  return `${definition.path}${required.join('')} [options]${rest}`;
}

function optionLine(option) {
  const required = option.required ? ' (required)' : '';
  return `- \`${flag(option.definition)}\`${required}: ${oneLine(option.description ?? '')}`;
}

/** clipanion's `--lock #0` → `--lock VALUE`; `-o,--output` → `-o, --output`. */
const flag = (definition) => definition.replace(/#\d+/g, 'VALUE').replace(/,(?=-)/g, ', ');

const oneLine = (text) => (text ?? '').replace(/\s+/g, ' ').trim();
const sentence = (text) => (text === '' || /[.!?]$/.test(text) ? text : `${text}.`).replace(/^./, (first) => first.toUpperCase());

/** clipanion's details, wrapped at 80 columns for a terminal → one string per paragraph. */
const paragraphs = (details) =>
  (details ?? '')
    .split(/\n{2,}/)
    .map(oneLine)
    .filter(Boolean);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading) {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

/**
 * Greedy wrapping at 80 columns that never starts a line with what Markdown
 * would read as a list item, a quote or a heading (`-`, `+`, `*`, `>`, `#`,
 * `1.`): such a word stays on the line before.
 */
function wrap(text, width = 80) {
  const lines = [];
  let line = '';
  for (const word of text.split(' ').filter(Boolean)) {
    const risky = /^(?:[-+*>]|#{1,6}|\d{1,9}[.)]|=+)$/.test(word);
    if (line === '' || (line.length + 1 + word.length > width && !risky)) {
      if (line !== '') lines.push(line);
      line = word;
    } else {
      line += ` ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
