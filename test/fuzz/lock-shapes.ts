/**
 * Generators of lock documents for the reader fuzz tests: objects shaped like
 * uv.lock and pylock.toml (mostly valid, so the readers get past the schema
 * into conversion and cross-checks), junk values of every TOML type, and
 * structural mutations (delete a field, give it a value of the wrong type,
 * swap two values, duplicate an array item) applied to any document,
 * generated or real. smol-toml's `stringify` turns them into TOML text.
 */
import fc from 'fast-check';
import { stringify } from 'smol-toml';
import { AWKWARD, anyText } from './fuzz.js';

export type TomlValue = string | number | boolean | Date | TomlValue[] | { [key: string]: TomlValue };
export type TomlTable = { [key: string]: TomlValue };

const hex = (length: number): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 40, arbitrary: fc.constantFrom('a', 'b', '0', '9', 'f', 'c').map((c) => c.repeat(length)) },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFxz'), minLength: 0, maxLength: length + 2 }) },
  );

/** Mostly a good value, now and then a bad one: documents must often be valid for the readers' deeper code to run. */
function mostly<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.oneof({ weight: 40, arbitrary: good }, { weight: 1, arbitrary: bad });
}
const NAMES = ['alpha', 'beta', 'Gamma_Pkg', 'delta.x', 'eps', 'torch'];
const GOOD_VERSIONS = ['1.0.0', '2.11.0+cpu', '0.1.dev0', '1!2.0rc1', '1.0'];
export const MARKERS = [
  "python_version >= '3.9'",
  "sys_platform == 'linux' and platform_machine == 'x86_64'",
  "extra == 'extra-5-alpha-cpu' or extra != 'group-4-beta-dev'",
  "(os_name == 'nt' or (implementation_name == 'pypy')) and python_full_version < '3.13'",
  "'dev' in dependency_groups",
  "os_name == 'posix\\x41'",
];
const BAD_MARKERS = ["python_version ~= 'x'", 'python_version >=', `${'('.repeat(500)}os_name == 'nt'${')'.repeat(500)}`, "os_name == 'a\nb'"];
const SPECIFIERS = ['>=3.9', '>=3.8, <4', '==3.12.*', '~=3.10', '', ',', '>=3.9,'];
const BAD_SPECIFIERS = ['>= 3.x', '===foo', 'python>=3', '>=3.9; os_name', '~=3'];

const badName = fc.constantFrom('-bad-', '', 'a b', 'ümlaut', 'x'.repeat(300));
const version = mostly(fc.constantFrom(...GOOD_VERSIONS), fc.constantFrom('v1', 'not a version', ''));
const marker = mostly(fc.constantFrom(...MARKERS), fc.oneof(fc.constantFrom(...BAD_MARKERS), anyText(80)));
const specifier = mostly(fc.constantFrom(...SPECIFIERS), fc.oneof(fc.constantFrom(...BAD_SPECIFIERS), anyText(40)));
const extraName = fc.constantFrom('cpu', 'cu128', 'Dev_Tools', 'test', '');
const uploadTime = fc.oneof(
  fc.constant('2024-06-07T12:00:00.123Z'),
  fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
);
const size = mostly(fc.nat(), fc.constantFrom(-1, 1.5));

/** A wheel file name for a package: right, or wrong in one of the ways that matter. */
function wheelFilename(pkg: string, ver: string): fc.Arbitrary<string> {
  const stem = pkg.replace(/[-.]/g, '_');
  return mostly(
    fc.constantFrom(
      `${stem}-${ver}-py3-none-any.whl`,
      `${stem}-${ver}-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl`,
      `${stem}-${ver}-1-py3-none-any.whl`,
      `${stem}-${ver}-py3-none-any-cu128.whl`,
    ),
    fc.constantFrom(
      `other-${ver}-py3-none-any.whl`,
      `${stem}-9.9-py3-none-any.whl`,
      `${stem}-${ver}.tar.gz`,
      `..%2F${stem}-${ver}-py3-none-any.whl`,
      `${stem}-${ver}-py3-none-any.whl?query#frag`,
      '',
    ),
  );
}
function sdistFilename(pkg: string, ver: string): fc.Arbitrary<string> {
  return mostly(
    fc.constantFrom(`${pkg}-${ver}.tar.gz`, `${pkg.replace(/[-.]/g, '_')}-${ver}.zip`),
    fc.constantFrom('main.zip', `${pkg}.tar.gz`, `${pkg}-${ver}.whl`, 'a/../b.tar.gz'),
  );
}

const FILES = 'https://files.example.org/packages';
const sha256 = mostly(hex(64).map((h) => `sha256:${h}`), fc.constantFrom('sha256:', 'md5:abc', 'sha256', ':abc', `SHA512:${'a'.repeat(128)}`, 'blake2b:zz', 'sha256:xyz'));

// ---------------------------------------------------------------------------
// uv.lock

const commit = hex(40);
const registry = fc.constantFrom({ registry: 'https://pypi.org/simple' }, { registry: '../local-index' }, { registry: 'C:\\index' });
const otherSource: fc.Arbitrary<TomlValue> = fc.oneof(
  fc.tuple(commit, fc.constantFrom('', '?tag=v1', '?rev=main&subdirectory=pkg', '?branch=x&lfs=true', `?rev=${'0'.repeat(40)}`)).map(([c, q]) => ({
    git: `https://github.com/o/r${q}#${c}`,
  })),
  fc.constantFrom(
    { url: 'https://example.com/alpha-1.0.0.tar.gz' },
    { url: 'https://example.com/archive/main.zip', subdirectory: 'sub' },
    { path: 'dist/alpha-1.0.0-py3-none-any.whl' },
    { path: 'dist/alpha-1.0.0.tar.gz' },
    { directory: 'libs/alpha' },
    { editable: '.' },
    { virtual: '.' },
    'registry+https://pypi.org/simple',
    `git+https://github.com/o/r?tag=v1#${'a'.repeat(40)}`,
    'direct+https://example.com/x.tar.gz?subdirectory=a',
    'url+https://example.com/x.whl',
    'path+file:///C:/x/alpha-1.0.0.tar.gz',
    'editable+.',
    'virtual+file://localhost/x',
  ),
);
const badSource: fc.Arbitrary<TomlValue> = fc.constantFrom(
  { git: 'https://github.com/o/r' },
  { git: `https://github.com/o/r?rev=${'1'.repeat(40)}#${'2'.repeat(40)}` },
  { registry: 'https://pypi.org/simple', editable: '.' },
  {},
  'git+https://github.com/o/r',
  'path+file://%E0%A4%A',
  'directory+file:///%zz',
  'bogus',
  '+',
  '',
);
const uvSource = fc.oneof({ weight: 30, arbitrary: registry }, { weight: 10, arbitrary: otherSource }, { weight: 1, arbitrary: badSource });

/** A dependency on one of the lock's packages (now and then on a name it lacks). */
function dependency(names: readonly string[]): fc.Arbitrary<TomlTable> {
  const target = names.length === 0 ? badName : mostly(fc.constantFrom(...names), fc.oneof(badName, fc.constant('missing')));
  // `version` and `source` are written where a name is locked twice: rarely here.
  const pinned = fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.record({ version, source: uvSource }, { requiredKeys: [] }) });
  const edge = fc.record({ name: target, extra: fc.oneof(fc.array(extraName, { maxLength: 2 }), extraName), marker }, { requiredKeys: ['name'] });
  return fc.tuple(edge, pinned).map(([dep, pins]) => ({ ...dep, ...pins }));
}

function dependencyTable(names: readonly string[]): fc.Arbitrary<TomlTable> {
  return fc.dictionary(extraName, fc.array(dependency(names), { maxLength: 2 }), { maxKeys: 2 });
}

function uvFile(pkg: string, ver: string, kind: 'wheel' | 'sdist'): fc.Arbitrary<TomlTable> {
  const filename = kind === 'wheel' ? wheelFilename(pkg, ver) : sdistFilename(pkg, ver);
  const where = mostly(
    filename.map((f) => ({ url: `${FILES}/${f}` })),
    fc.oneof(filename.map((f) => ({ path: f })), filename.map((f) => ({ filename: f })), fc.constant({})),
  );
  return fc
    .tuple(where, fc.record({ hash: sha256, size, 'upload-time': uploadTime }, { requiredKeys: ['hash'] }))
    .map(([location, rest]) => ({ ...location, ...rest }));
}

function uvPackage(pkg: string, ver: string, names: readonly string[]): fc.Arbitrary<TomlTable> {
  return fc.record(
    {
      name: fc.constant(pkg),
      version: fc.constant(ver),
      source: uvSource,
      dependencies: fc.array(dependency(names), { maxLength: 3 }),
      'optional-dependencies': dependencyTable(names),
      'dependency-groups': dependencyTable(names),
      sdist: uvFile(pkg, ver, 'sdist'),
      wheels: fc.array(uvFile(pkg, ver, 'wheel'), { maxLength: 3 }),
      metadata: fc.record(
        {
          'requires-dist': fc.array(fc.record({ name: fc.constantFrom(...NAMES), marker }), { maxLength: 2 }),
          'provides-extras': fc.array(extraName, { maxLength: 2 }),
          'requires-dev': fc.dictionary(extraName, fc.array(fc.record({ name: fc.constantFrom(...NAMES) }), { maxLength: 2 }), { maxKeys: 2 }),
        },
        { requiredKeys: [] },
      ),
      'resolution-markers': fc.array(marker, { maxLength: 2 }),
    },
    { requiredKeys: ['name', 'version', 'source'] },
  );
}

function requirement(names: readonly string[]): fc.Arbitrary<TomlTable> {
  return fc.record({ name: names.length > 0 ? fc.constantFrom(...names) : badName, extras: fc.array(extraName, { maxLength: 2 }), marker }, { requiredKeys: ['name'] });
}

/** Package identities first (unique names, mostly valid), so that dependencies can name them. */
const identities = fc.uniqueArray(fc.tuple(mostly(fc.constantFrom(...NAMES), badName), version), {
  maxLength: 5,
  selector: ([pkg]) => pkg,
});

export const uvLockDocument: fc.Arbitrary<TomlTable> = identities.chain((ids) => {
  const names = ids.map(([pkg]) => pkg);
  const packages = fc.tuple(...ids.map(([pkg, ver]) => uvPackage(pkg, ver, names)));
  return fc.record(
    {
      version: mostly(fc.constant(1), fc.constantFrom(0, 2, 1.5, -1)),
      revision: mostly(fc.nat({ max: 3 }), fc.constant(-1)),
      'requires-python': specifier,
      'resolution-markers': fc.array(marker, { maxLength: 2 }),
      'supported-markers': fc.array(marker, { maxLength: 2 }),
      'required-markers': fc.array(marker, { maxLength: 1 }),
      conflicts: fc.array(
        fc.array(
          fc.oneof(
            fc.record({ package: fc.constantFrom(...NAMES), extra: extraName }),
            fc.record({ package: fc.constantFrom(...NAMES), group: extraName }),
            fc.record({ package: fc.constantFrom(...NAMES) }),
          ),
          { maxLength: 3 },
        ),
        { maxLength: 2 },
      ),
      options: fc.constant({ 'resolution-mode': 'lowest', 'exclude-newer': '2024-01-01T00:00:00Z' }),
      manifest: fc.record(
        {
          members: fc.array(fc.constantFrom(...NAMES), { maxLength: 3 }),
          requirements: fc.array(requirement(names), { maxLength: 2 }),
          constraints: fc.array(fc.record({ name: fc.constantFrom(...NAMES) }), { maxLength: 1 }),
          'dependency-groups': fc.dictionary(extraName, fc.array(requirement(names), { maxLength: 2 }), { maxKeys: 2 }),
        },
        { requiredKeys: [] },
      ),
      // The pre-0.3 spelling, now and then.
      listKey: mostly(fc.constant('package'), fc.constant('distribution')),
      packages,
    },
    { requiredKeys: ['version', 'listKey', 'packages'] },
  ).map(({ listKey, packages: list, ...rest }) => ({ ...rest, [listKey as string]: list as TomlValue[] }));
});

// ---------------------------------------------------------------------------
// pylock.toml

const hashes = mostly<TomlTable>(
  hex(64).map((h) => ({ sha256: h })),
  fc.constantFrom<TomlTable>({}, { md5: 'a'.repeat(32), SHA256: 'b'.repeat(64) }, { 'sha 256': 'ab' }, { sha256: 'xyz' }, { blake3: 'ab' }),
);

function pylockFile(pkg: string, ver: string, kind: 'wheel' | 'sdist'): fc.Arbitrary<TomlTable> {
  const filename = kind === 'wheel' ? wheelFilename(pkg, ver) : sdistFilename(pkg, ver);
  const where = mostly<TomlTable>(
    fc.oneof(
      filename.map((f) => ({ name: f, url: `${FILES}/${f}` })),
      filename.map((f) => ({ url: `${FILES}/${encodeURIComponent(f)}` })),
      filename.map((f) => ({ path: `./dist/${f}` })),
    ),
    filename.map((f) => ({ name: f })),
  );
  return fc
    .tuple(where, fc.record({ 'upload-time': uploadTime, size, hashes }, { requiredKeys: ['hashes'] }))
    .map(([location, rest]) => ({ ...location, ...rest }));
}

function pylockPackage(pkg: string, ver: string): fc.Arbitrary<TomlTable> {
  const common = {
    name: fc.constant(pkg),
    version: fc.constant(ver),
    marker,
    'requires-python': specifier,
    dependencies: fc.array(fc.record({ name: fc.constantFrom(...NAMES) }), { maxLength: 2 }),
    'attestation-identities': fc.array(fc.record({ kind: fc.constantFrom('GitHub', '') }), { maxLength: 1 }),
    tool: fc.constant({ uv: { x: 1 } }),
  };
  const keys: ['name'] = ['name'];
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ ...common, index: fc.constant('https://pypi.org/simple'), sdist: pylockFile(pkg, ver, 'sdist'), wheels: fc.array(pylockFile(pkg, ver, 'wheel'), { minLength: 1, maxLength: 3 }) }, { requiredKeys: [...keys, 'wheels'] }) },
    {
      weight: 1,
      arbitrary: fc.record(
        {
          ...common,
          vcs: fc.record(
            { type: fc.constantFrom('git', 'hg', ''), url: fc.constant('https://github.com/o/r'), path: fc.constant('../r'), 'requested-revision': fc.constant('main'), 'commit-id': commit, subdirectory: fc.constant('pkg') },
            { requiredKeys: ['type', 'commit-id'] },
          ),
        },
        { requiredKeys: [...keys, 'vcs'] },
      ),
    },
    { weight: 1, arbitrary: fc.record({ ...common, directory: fc.record({ path: fc.constantFrom('.', 'libs/x/', ''), editable: fc.boolean(), subdirectory: fc.constant('sub') }, { requiredKeys: ['path'] }) }, { requiredKeys: [...keys, 'directory'] }) },
    {
      weight: 1,
      arbitrary: fc.record(
        {
          ...common,
          archive: fc.oneof(pylockFile(pkg, ver, 'sdist'), pylockFile(pkg, ver, 'wheel')).map(({ name: _name, ...archive }) => ({ ...archive, subdirectory: 'sub' })),
        },
        { requiredKeys: [...keys, 'archive'] },
      ),
    },
  );
}

export const pylockDocument: fc.Arbitrary<TomlTable> = identities.chain((ids) =>
  fc.record(
    {
      'lock-version': mostly(fc.constant('1.0'), fc.constantFrom('1', '1.1', '2.0', '0.9', 'v1.0', ' 1.0 ', 'one')),
      environments: fc.array(marker, { maxLength: 2 }),
      'requires-python': specifier,
      extras: fc.array(extraName, { maxLength: 2 }),
      'dependency-groups': fc.array(extraName, { maxLength: 2 }),
      'default-groups': fc.array(extraName, { maxLength: 1 }),
      'created-by': fc.constantFrom('uv', 'pip', 'pdm'),
      packages: fc.tuple(...ids.map(([pkg, ver]) => pylockPackage(pkg, ver))),
      tool: fc.constant({ pdm: { hashes: true } }),
    },
    { requiredKeys: ['lock-version', 'packages'] },
  ),
);

// ---------------------------------------------------------------------------
// Junk and structural mutations

const junkKey = fc.oneof(fc.constantFrom('name', 'version', 'source', 'url', 'hash', '__proto__', 'constructor', 'toString', ''), fc.string({ maxLength: 6 }));
const junkScalar: fc.Arbitrary<TomlValue> = fc.oneof(
  anyText(64),
  fc.constantFrom('', 'sha256:', '>=3.9', "python_version < '3.8'", 'registry+https://x', 'file://%zz', '1.0', ...AWKWARD),
  fc.integer(),
  fc.constantFrom(0, -1, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e300),
  fc.double(),
  fc.boolean(),
  fc.date({ noInvalidDate: true }),
);
/** Any TOML value, a little nested. */
export const junk: fc.Arbitrary<TomlValue> = fc.letrec<{ value: TomlValue }>((tie) => ({
  value: fc.oneof(
    { maxDepth: 3, depthSize: 'small' },
    junkScalar,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(junkKey, tie('value'), { maxKeys: 3 }).map((table) => ({ ...table })),
  ),
})).value;

export type Mutation =
  | { readonly kind: 'delete' | 'wrap' | 'duplicate' | 'swap'; readonly at: number; readonly other: number }
  | { readonly kind: 'replace'; readonly at: number; readonly value: TomlValue };

const fraction = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('delete' as const, 'wrap' as const, 'duplicate' as const, 'swap' as const), at: fraction, other: fraction }),
  fc.record({ kind: fc.constant('replace' as const), at: fraction, value: junk }),
);

type Slot = { readonly parent: TomlTable | TomlValue[]; readonly key: string | number };

function slots(root: TomlValue, out: Slot[] = []): Slot[] {
  if (root instanceof Date || root === null || typeof root !== 'object') return out;
  const entries: [string | number, TomlValue][] = Array.isArray(root) ? root.map((v, i) => [i, v]) : Object.entries(root);
  for (const [key, value] of entries) {
    out.push({ parent: root, key });
    slots(value, out);
  }
  return out;
}

function get(slot: Slot): TomlValue {
  return (slot.parent as Record<string | number, TomlValue>)[slot.key] as TomlValue;
}
function set(slot: Slot, value: TomlValue): void {
  if (slot.key === '__proto__') Object.defineProperty(slot.parent, slot.key, { value, enumerable: true, writable: true, configurable: true });
  else (slot.parent as Record<string | number, TomlValue>)[slot.key] = value;
}

/** Apply mutations to a copy of `document`: each picks a value anywhere in it by position. */
export function mutate(document: TomlTable, mutations: readonly Mutation[]): TomlTable {
  const copy = structuredClone(document);
  for (const m of mutations) {
    const all = slots(copy);
    const slot = all[Math.floor(m.at * all.length)];
    if (slot === undefined) continue;
    switch (m.kind) {
      case 'delete':
        if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 1);
        else delete slot.parent[slot.key as string];
        break;
      case 'replace':
        set(slot, structuredClone(m.value));
        break;
      case 'wrap': {
        // The wrong container: a value becomes a one-item array, an array a table.
        const value = get(slot);
        set(slot, Array.isArray(value) ? { item: value } : [value]);
        break;
      }
      case 'duplicate':
        if (Array.isArray(slot.parent)) slot.parent.splice(slot.key as number, 0, structuredClone(get(slot)));
        break;
      case 'swap': {
        const other = all[Math.floor(m.other * all.length)];
        if (other === undefined || other === slot) break;
        // A copy, so that a value is never placed inside itself.
        set(slot, structuredClone(get(other)));
        break;
      }
    }
  }
  return copy;
}

/**
 * The TOML text of a document, or null when smol-toml cannot write it (a
 * document the mutations made unrepresentable: rare, and not the reader's
 * concern).
 */
export function toToml(document: TomlTable): string | null {
  try {
    return stringify(document);
  } catch {
    return null;
  }
}

/** Insertions for raw text mutations of a TOML document. */
export const TOML_SNIPPETS = [
  ...AWKWARD,
  '\n',
  '"',
  "'",
  '"""',
  '=',
  ' = ',
  '[',
  ']',
  '[[package]]\n',
  '[[packages]]\n',
  '{',
  '}',
  ',',
  '#',
  '\\u',
  '\\',
  'version = 2\n',
  'lock-version = "1.0"\n',
  'name = "alpha"\n',
  '1979-05-27T07:32:00Z',
  '00:00:99',
  '9999-99-99',
  'inf',
  'nan',
  '0x',
  '99999999999999999999',
  '-e .\n',
  '--hash=sha256:ab\n',
];
