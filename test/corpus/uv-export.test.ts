/**
 * uv's own answer. Each case of ../shared/corpus-uvexport holds a uv.lock
 * and the pylock `uv export` wrote from it (CMD says with which flags).
 * `packaging.pylock.Pylock.select` on that pylock gives the packages uv
 * would install on a target; lockhouse's selection from the uv.lock, with
 * the same flags and target, must be the same packages (name and version),
 * local projects aside. A target outside requires-python is refused by both.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLock } from '../../src/lock/parse.js';
import { parseProjectSettings } from '../../src/lock/pyproject.js';
import { canonicalizeName } from '../../src/python/names.js';
import { select } from '../../src/select/index.js';
import type { SelectOptions } from '../../src/select/options.js';
import { corpusAvailable, uvExportDir } from '../helpers/corpus.js';
import { corpusTargets } from '../helpers/corpus-targets.js';
import { PYLOCK_READABLE, findPackaging, runPythonJson } from '../helpers/python.js';

interface ExportCommand {
  readonly options: SelectOptions;
  readonly output: string;
  readonly noEmit: readonly string[];
  readonly onlyEmit: readonly string[];
}

/** `uv export …` → lockhouse's selection flags (named as uv names them) and uv's output filters. */
function parseExportCommand(cmd: string): ExportCommand {
  const words = cmd.trim().split(/\s+/);
  if (words[0] !== 'uv' || words[1] !== 'export') throw new Error(`not a uv export command: ${cmd}`);
  const options: { -readonly [K in keyof SelectOptions]: SelectOptions[K] } = {};
  const groups: string[] = [];
  const noGroups: string[] = [];
  const extras: string[] = [];
  const noEmit: string[] = [];
  const onlyEmit: string[] = [];
  let output = 'pylock.toml';
  for (let i = 2; i < words.length; i++) {
    const word = words[i]!;
    const [flag, inline] = word.includes('=') ? (word.split('=', 2) as [string, string]) : [word, undefined];
    const value = (): string => inline ?? words[++i]!;
    switch (flag) {
      case '--no-dev': options.noDev = true; break;
      case '--dev': options.dev = true; break;
      case '--only-dev': options.onlyDev = true; break;
      case '--all-groups': options.allGroups = true; break;
      case '--no-default-groups': options.noDefaultGroups = true; break;
      case '--all-extras': options.allExtras = true; break;
      case '--group': groups.push(value()); break;
      case '--no-group': noGroups.push(value()); break;
      case '--extra': extras.push(value()); break;
      case '--no-emit-package': noEmit.push(canonicalizeName(value())); break;
      case '--only-emit-package': onlyEmit.push(canonicalizeName(value())); break;
      case '-o': case '--output-file': output = value(); break;
      case '--format': value(); break;
      // Output form only: they change how uv writes, not what it selects.
      case '--no-hashes': case '--no-editable': case '--frozen': case '--locked': break;
      default: throw new Error(`uv export flag not understood by this test: ${word} (in ${cmd})`);
    }
  }
  if (groups.length) options.groups = groups;
  if (noGroups.length) options.noGroups = noGroups;
  if (extras.length) options.extras = extras;
  return { options, output, noEmit, onlyEmit };
}

/**
 * The reference: Pylock.select with a tag list holding every tag of every
 * wheel in the lock, so it never fails for want of a wheel and yields the
 * packages whose markers hold. uv's two deviations from packaging 26.2
 * (percent-encoded wheel names, `hashes = {}`) are smoothed first.
 */
const REFERENCE = PYLOCK_READABLE + String.raw`
import json, sys, tomllib
from packaging.pylock import PackageDirectory, Pylock, PylockSelectError
from packaging.tags import Tag
from packaging.utils import parse_wheel_filename


out = []
for case in json.load(sys.stdin):
    lock = Pylock.from_dict(readable(tomllib.load(open(case["pylock"], "rb"))))
    tags = set()
    for package in lock.packages:
        for wheel in package.wheels or []:
            tags |= set(parse_wheel_filename(wheel.filename)[-1])
    results = []
    for env in case["environments"]:
        try:
            picked = sorted(
                [str(p.name), str(p.version) if p.version else None]
                for p, dist in lock.select(environment=env, tags=sorted(tags, key=str))
                if not isinstance(dist, PackageDirectory)  # local projects are compared apart
            )
            results.append({"selected": picked})
        except PylockSelectError as error:
            results.append({"error": str(error)})
    out.append(results)
print(json.dumps(out))
`;

interface Reference {
  selected?: Array<[string, string | null]>;
  error?: string;
}

const reference = findPackaging();
const available = corpusAvailable(uvExportDir);
const skipReason = !available
  ? `${uvExportDir} is absent`
  : 'missing' in reference
    ? reference.missing
    : null;
const LOCAL = new Set(['editable', 'virtual', 'directory']);

describe.skipIf(skipReason !== null)(`plan selects what uv export selects (${skipReason ?? 'corpus-uvexport'})`, () => {
  const cases = available ? readdirSync(uvExportDir).filter((name) => !name.includes('.')).sort() : [];
  const targets = corpusTargets();
  const commands = cases.map((name) => parseExportCommand(readFileSync(join(uvExportDir, name, 'CMD'), 'utf8')));
  const expected =
    skipReason === null
      ? runPythonJson<Reference[][]>((reference as { python: string }).python, REFERENCE,
          cases.map((name, i) => ({ pylock: join(uvExportDir, name, commands[i]!.output), environments: targets.map((t) => t.markers) })))
      : [];

  it('covers every case of the corpus', () => {
    expect(cases.length).toBeGreaterThan(0);
    expect(expected).toHaveLength(cases.length);
  });

  cases.forEach((name, caseIndex) => {
    const command = commands[caseIndex]!;
    it.each(targets.map((target, i) => [target.id, i] as const))(`${name}: %s`, (_id, targetIndex) => {
      const dir = join(uvExportDir, name);
      const graph = parseLock(readFileSync(join(dir, 'uv.lock'), 'utf8'), join(dir, 'uv.lock'));
      const settings = parseProjectSettings(readFileSync(join(dir, 'pyproject.toml'), 'utf8'), join(dir, 'pyproject.toml'));
      const want = expected[caseIndex]![targetIndex]!;
      const target = targets[targetIndex]!;
      if (want.error) {
        expect(() => select(graph, [target], command.options, settings)).toThrow(
          expect.objectContaining({ code: 'TARGET_REQUIRES_PYTHON' }),
        );
        return;
      }
      const [selection] = select(graph, [target], command.options, settings).targets;
      let got = selection!.packages
        .map((index) => graph.packages[index]!)
        .filter((pkg) => !LOCAL.has(pkg.source.kind))
        .filter((pkg) => !command.noEmit.includes(pkg.name))
        .filter((pkg) => command.onlyEmit.length === 0 || command.onlyEmit.includes(pkg.name))
        .map((pkg) => `${pkg.name}==${pkg.version}`);
      const wanted = want.selected!.map(([pkgName, version]) => `${canonicalizeName(pkgName)}==${version}`);
      got = got.sort();
      expect(got).toEqual(wanted.sort());
    });
  });
});
