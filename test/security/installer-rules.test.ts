/**
 * `verify --bundle` judges entries by the installer's own rules, written
 * twice — in TypeScript (src/io/zip/entry-name.ts, src/app/verify/
 * bundle-rules.ts) and in Python (bundle/__main__.py) — so the two are held
 * to the same cases here, the installer's functions run by the real
 * python3: `name_problem` for names (hostile ones, and the bytes a zip name
 * can hold), `entry_kind` for file types, `read_sums` for SHA256SUMS. Where
 * the installer finds a problem, verify must find one (it may say so in
 * other words only where noted).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryKind, parseSums } from '../../src/app/verify/bundle-rules.js';
import { entryNameProblem } from '../../src/io/zip/entry-name.js';
import { PYTHON, pythonEnv } from '../helpers/python.js';
import { hostileCounter } from './helpers.js';

const counter = hostileCounter('installer-rules');
const INSTALLER = join(import.meta.dirname, '..', '..', 'bundle', '__main__.py');
const noPython = spawnSync(PYTHON, ['--version']).error ? `${PYTHON} is not available` : null;

/** Each input through the installer's `function`, in one python3 run; the results as JSON. */
function installer<T>(script: string, inputs: readonly unknown[]): T[] {
  const code = `
import importlib.util, json, sys, zipfile
spec = importlib.util.spec_from_file_location("installer", ${JSON.stringify(INSTALLER)})
installer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(installer)
inputs = json.load(sys.stdin)
${script}
`;
  // No __pycache__ left in the repository's bundle/ folder.
  const ran = spawnSync(PYTHON, ['-c', code], { input: JSON.stringify(inputs), encoding: 'utf8', env: pythonEnv({ PYTHONDONTWRITEBYTECODE: '1' }) });
  if (ran.status !== 0) throw new Error(ran.stderr);
  return JSON.parse(ran.stdout) as T[];
}

const NAMES = [
  'wheels/a.whl', 'a', 'dir/', 'a/b/c', '', '/', '/abs', 'C:x', 'c:/x', 'a\\b', '..', '../a', 'a/..', 'a/../b', 'a/./b', './a', 'a/.', 'a//b',
  'a/', 'a//', '.a', '..a', 'a..', 'a\u0000b', 'a\u0001b', 'a\u001fb', 'a\u007fb', 'a\u0080b', 'a\u009bb', 'a\u2028b', 'é', '\u202eevil', ' ', 'a b',
  'wheels/\u001b[2J.whl', '.', './', 'x:y',
];

describe.skipIf(noPython !== null)(`the installer's rules, held to the same cases${noPython ? ` (skipped: ${noPython})` : ''}`, () => {
  it("entry names: verify refuses every name the installer refuses, with the installer's reason", () => {
    counter.add(NAMES.length);
    const theirs = installer<string | null>('print(json.dumps([installer.name_problem(name) for name in inputs]))', NAMES);
    expect(NAMES.map((name) => [name, entryNameProblem(name)])).toEqual(NAMES.map((name, i) => [name, theirs[i]]));
  });

  it('file types: a link, a device, a folder mode on a file, a folder with data, encrypted — the same verdicts', () => {
    const cases = [
      ['a', 0o100644, 4, 0], ['a', 0, 4, 0], ['a', 0o120777, 4, 0], ['a', 0o040755, 0, 0], ['a', 0o020644, 0, 0], ['a', 0o010644, 0, 0],
      ['a', 0o140644, 0, 0], ['a', 0o100644, 4, 1], ['d/', 0o040755, 0, 0], ['d/', 0, 0, 0], ['d/', 0o040755, 3, 0], ['d/', 0o100644, 0, 0],
    ] as const;
    counter.add(cases.length);
    const theirs = installer<string>(
      `
out = []
for name, mode, size, flags in inputs:
    info = zipfile.ZipInfo(name)
    info.external_attr = mode << 16
    info.file_size = size
    info.flag_bits = flags
    out.append(installer.entry_kind(info))
print(json.dumps(out))`,
      cases,
    );
    const ours = cases.map(([name, mode, size, flags]) => {
      const kind = entryKind({ name, mode, uncompressedSize: size, encrypted: (flags & 1) === 1 });
      return typeof kind === 'string' ? kind : kind.refused;
    });
    expect(ours).toEqual(theirs);
  });

  it('SHA256SUMS: the same paths listed, and a problem wherever the installer finds one', () => {
    const digest = 'ab'.repeat(32);
    const texts = [
      `${digest}  a\n${digest}  b\n`,
      `${digest}  a\r\n${digest}  b\r\n`,
      `${digest} *a\n`,
      `${digest.toUpperCase()}  a\n`,
      `${digest}  a\n${digest}  a\n`,
      `${digest}  SHA256SUMS\n`,
      `${digest}  a\u2028${digest}  b\n`,
      `${digest}  a\u0085${digest}  b\n`,
      `${digest}  a\f${digest}  b\n`,
      `not a line\n`,
      `${digest}a\n`,
      `\n\n${digest}  a\n\n`,
    ];
    counter.add(texts.length);
    const theirs = installer<[Record<string, string>, number]>(
      `
class Zip:
    def __init__(self, data): self.data = data
    def read(self, info): return self.data
class Info:
    file_size = 0
print(json.dumps([[sums, len(problems)] for sums, problems in (installer.read_sums(Zip(text.encode('utf-8')), Info()) for text in inputs)]))`,
      texts,
    );
    texts.forEach((text, i) => {
      const ours = parseSums(Buffer.from(text));
      const [listed, problems] = theirs[i]!;
      expect(Object.fromEntries(ours.listed), JSON.stringify(text)).toEqual(listed);
      expect(ours.problems.length > 0, JSON.stringify(text)).toBe(problems > 0);
    });
  });
});
