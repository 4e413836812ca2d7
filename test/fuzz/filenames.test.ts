/**
 * Fuzzing the distribution file name parsers: `parseWheelFilename` and
 * `parseSdistFilename` return or throw InvalidFilenameError, on any string
 * and on structured mutations of valid names, quickly; the helpers that
 * take names apart (`urlFilename`, `percentDecodeOnce`, …) never throw.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidFilenameError,
  canonicalizeName,
  isValidProjectName,
  normalizeVersion,
  parseSdistFilename,
  parseWheelFilename,
  pathFilename,
  percentDecodeOnce,
  sdistExtension,
  unsafeFilenameReason,
  urlFilename,
} from '../../src/python/names.js';
import { AWKWARD, TimeBound, anyText, applyEdits, check, editArbitrary, onlyThrows, preview, runs, timeoutFor } from './fuzz.js';

const NAMES = ['numpy', 'zope.interface', 'typing_extensions', 'a', 'Foo_Bar', 'torch', 'backports.tarfile', 'A1', 'x_'];
const VERSIONS = ['1.0', '2.11.0+cpu', '1!2.0rc1.post3.dev4', '0.1.dev0', 'v1.0', '1.0-1', '99999999999999999999', '1..0', '1.0+', ''];
const BUILDS = ['1', '2b', '123_abc', '0.1', 'x', ''];
const PYTHONS = ['py3', 'cp312', 'py2.py3', 'pp310', 'graalpy311', 'cp313t', 'ip27', 'PY3', 'python3'];
const ABIS = ['none', 'cp312', 'abi3', 'cp313t', 'cp312d.cp312'];
const PLATFORMS = ['any', 'manylinux_2_17_x86_64.manylinux2014_x86_64', 'win_amd64', 'macosx_11_0_arm64', 'musllinux_1_2_aarch64'];
const VARIANTS = ['cu128', 'cpu', 'x'.repeat(17), 'CU128'];
const EXTENSIONS = ['tar.gz', 'zip', 'tar.bz2', 'tgz', 'tar', 'tar.zst', 'whl', 'gz', 'egg'];

const wheelParts = fc
  .record({
    name: fc.constantFrom(...NAMES),
    version: fc.constantFrom(...VERSIONS),
    build: fc.option(fc.constantFrom(...BUILDS)),
    python: fc.constantFrom(...PYTHONS),
    abi: fc.constantFrom(...ABIS),
    platform: fc.constantFrom(...PLATFORMS),
    variant: fc.option(fc.constantFrom(...VARIANTS)),
  })
  .map((p) => [p.name, p.version, ...(p.build === null ? [] : [p.build]), p.python, p.abi, p.platform, ...(p.variant === null ? [] : [p.variant])]);
const sdistName = fc.tuple(fc.constantFrom(...NAMES, 'my-project', 'a-1'), fc.constantFrom(...VERSIONS));

/** One component stretched: repeated up to thousands of times, then perhaps a character it may not contain. */
const stretch = fc.option(
  fc.record({ at: fc.nat(), times: fc.integer({ min: 2, max: 20_000 }), suffix: fc.constantFrom('', ...AWKWARD) }),
  { freq: 2 },
);
function stretched(parts: fc.Arbitrary<string[]>): fc.Arbitrary<string> {
  return fc.tuple(parts, stretch).map(([list, s]) => {
    if (s === null || list.length === 0) return list.join('-');
    const at = s.at % list.length;
    // At most 40 KB: long enough that quadratic work shows (about 1 s), short enough to stay quick when linear.
    const stretchedPart = (part: string): string => part.repeat(Math.min(s.times, Math.ceil(40_000 / Math.max(1, part.length)))) + s.suffix;
    return list.map((part, i) => (i === at ? stretchedPart(part) : part)).join('-');
  });
}
const wheelFile = stretched(wheelParts).map((stem) => `${stem}.whl`);
const sdistFile = fc.tuple(stretched(sdistName), fc.constantFrom(...EXTENSIONS)).map(([stem, extension]) => `${stem}.${extension}`);

/** Valid-looking names, then a few edits: separators, path pieces, control and non-ASCII characters, long repeats. */
function mutated(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const insertion = fc.oneof(fc.constantFrom(...AWKWARD), fc.constantFrom(...PYTHONS, ...PLATFORMS, ...VERSIONS, '-', '.whl', '.tar.gz'));
  return fc.oneof(
    { weight: 1, arbitrary: valid },
    { weight: 4, arbitrary: fc.tuple(valid, fc.array(editArbitrary(insertion, 3000), { minLength: 1, maxLength: 4 })).map(([text, edits]) => applyEdits(text, edits)) },
  );
}

/** 50 ms plus 1 ms per KB: these are single passes over a short string. */
const bound = new TimeBound<string>('file name parsers', (text) => 50 + Math.ceil(text.length / 1024));

function wheel(text: string): void {
  bound.time(text, () => onlyThrows(`parseWheelFilename(${preview(text)})`, [InvalidFilenameError], () => parseWheelFilename(text)));
}
function sdist(text: string, project?: string): void {
  bound.time(text, () =>
    onlyThrows(`parseSdistFilename(${preview(text)}, ${JSON.stringify(project)})`, [InvalidFilenameError], () => parseSdistFilename(text, project)),
  );
}

async function freshParsers(): Promise<(text: string) => unknown> {
  const names = await import('../../src/python/names.js');
  return (text) => {
    for (const call of [() => names.parseWheelFilename(text), () => names.parseSdistFilename(text), () => names.parseSdistFilename(text, 'numpy')]) {
      try {
        call();
      } catch {
        // timing only
      }
    }
  };
}
const WARM_UP = 'numpy-1.26.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl';

describe('fuzz: wheel and sdist file names', () => {
  const anyCases = runs(4000);
  it('parseWheelFilename and parseSdistFilename return or throw InvalidFilenameError on any string, quickly', async () => {
    check('file name parsers on arbitrary strings', fc.tuple(anyText(), fc.option(fc.constantFrom(...NAMES, ''))), ([text, project]) => {
      wheel(text);
      sdist(text);
      if (project !== null) sdist(text, project);
    }, anyCases);
    await bound.confirm(freshParsers, WARM_UP, preview);
  }, timeoutFor(anyCases, 1));

  const wheelCases = runs(4000);
  it('parseWheelFilename returns or throws InvalidFilenameError on mutated wheel names, quickly', async () => {
    let parsed = 0;
    check('parseWheelFilename on mutated wheel names', mutated(wheelFile), (text) => {
      wheel(text);
      try {
        parseWheelFilename(text);
        parsed++;
      } catch {
        // counted above
      }
    }, wheelCases);
    console.info(`fuzz: parseWheelFilename on mutated wheel names: ${parsed} of ${wheelCases} parsed`);
    expect(parsed).toBeGreaterThan(wheelCases / 50);
    await bound.confirm(freshParsers, WARM_UP, preview);
  }, timeoutFor(wheelCases, 1));

  const sdistCases = runs(4000);
  it('parseSdistFilename returns or throws InvalidFilenameError on mutated sdist names, with and without the project name, quickly', async () => {
    check('parseSdistFilename on mutated sdist names', fc.tuple(mutated(sdistFile), fc.option(fc.constantFrom(...NAMES, 'my-project', 'my_project', 'a'))), ([text, project]) => {
      sdist(text);
      if (project !== null) sdist(text, project);
    }, sdistCases);
    await bound.confirm(freshParsers, WARM_UP, preview);
  }, timeoutFor(sdistCases, 1));

  const helperCases = runs(4000);
  it('the name helpers never throw', () => {
    check('name helpers on arbitrary strings', anyText(), (text) => {
      const calls: [string, () => unknown][] = [
        ['canonicalizeName', () => canonicalizeName(text)],
        ['isValidProjectName', () => isValidProjectName(text)],
        ['normalizeVersion', () => normalizeVersion(text)],
        ['percentDecodeOnce', () => percentDecodeOnce(text)],
        ['urlFilename', () => urlFilename(text)],
        ['pathFilename', () => pathFilename(text)],
        ['sdistExtension', () => sdistExtension(text)],
        ['unsafeFilenameReason', () => unsafeFilenameReason(text)],
      ];
      for (const [what, call] of calls) bound.time(text, () => onlyThrows(`${what}(${preview(text)})`, [], call));
    }, helperCases);
  }, timeoutFor(helperCases, 1));
});

/**
 * parseSdistFilename's split by project name as it was before the fuzzer
 * found it quadratic: normalize the prefix before each `-`, take the first
 * that matches. The linear version must agree with it everywhere.
 */
function referenceSplit(stem: string, projectName: string): string | null {
  const wanted = canonicalizeName(projectName);
  for (let dash = stem.indexOf('-'); dash > 0; dash = stem.indexOf('-', dash + 1)) {
    if (canonicalizeName(stem.slice(0, dash)) === wanted) return stem.slice(dash + 1);
  }
  return null;
}

describe('fuzz: parseSdistFilename split by project name', () => {
  const cases = runs(4000);
  it('agrees with the plain prefix-by-prefix reference', () => {
    const piece = fc.constantFrom('-', '_', '.', '--', '-_.', 'a', 'A', 'numpy', 'NumPy', 'İ', 'K', 'Σ', 'ς', 'σ', '1.0', 'x');
    const stem = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));
    check('parseSdistFilename split vs reference', fc.tuple(stem, stem), ([text, project]) => {
      const filename = `${text}.tar.gz`;
      const expected = referenceSplit(text, project);
      const outcome = onlyThrows('parseSdistFilename', [InvalidFilenameError], () => parseSdistFilename(filename, project));
      if ('value' in outcome) expect(outcome.value.version).toBe(expected);
      else if (unsafeFilenameReason(filename) === null) {
        const message = outcome.error.message;
        if (expected === null) expect(message).toContain("Name doesn't start with package name");
        else expect(message).toContain(`"${expected}" is not a valid PEP 440 version`);
      }
    }, cases);
  }, timeoutFor(cases, 1));
});

// ---------------------------------------------------------------------------
// What the properties found, pinned as plain tests.

describe('fuzz regressions: file names', () => {
  /** Time one call, best of three: each of these took seconds before the fix. */
  function bestOf3(call: () => unknown): number {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      try {
        call();
      } catch (error) {
        if (!(error instanceof InvalidFilenameError)) throw error;
      }
      best = Math.min(best, performance.now() - started);
    }
    return best;
  }

  it('an sdist name with thousands of dashes is split by project name in linear time', () => {
    // Shrunk from "a-1-0.1.dev0.t" repeated (40 KB): 3 s before, when every prefix was normalized.
    const filename = `${'a-1-0.1.dev0.t'.repeat(2_900)}.tar.gz`;
    expect(() => parseSdistFilename(filename, 'numpy')).toThrow(/Name doesn't start with package name numpy/);
    expect(bestOf3(() => parseSdistFilename(filename, 'numpy'))).toBeLessThan(50);
  });
});

describe('fuzz regressions: wheel file names', () => {
  /** Best of three timings: each of these inputs took seconds before its fix. */
  function bestOf3(call: () => unknown): number {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      onlyThrows('parseWheelFilename', [InvalidFilenameError], call);
      best = Math.min(best, performance.now() - started);
    }
    return best;
  }

  it('a long dotted Python tag that fails to match takes linear, not exponential, time', () => {
    // Shrunk from "pp310a-1!2.0rc1.post3.dev4-py2.py3py2.py3…py3[-abi3-any-x.whl" (10 KB), which never finished.
    const filename = `a-1-${'py2.py3'.repeat(24)}[-abi3-any-x.whl`;
    expect(() => parseWheelFilename(filename)).toThrow(InvalidFilenameError);
    expect(bestOf3(() => parseWheelFilename(filename))).toBeLessThan(50);
  });

  it('a long build tag of digits that fails to match takes linear, not quadratic, time', () => {
    // Shrunk from "typing_extensions-1.0-111…1\ud800-PY3-none-any.whl" (12 KB): 0.5 s; 1 s at 20,000 digits.
    const filename = `a-1-${'1'.repeat(20_000)}(-py3-none-any.whl`;
    expect(() => parseWheelFilename(filename)).toThrow(/has an invalid build tag/);
    expect(bestOf3(() => parseWheelFilename(filename))).toBeLessThan(50);
  });

  it('build tags and Python tags read as before their fixes', () => {
    const OLD_BUILD_TAG = /^([0-9]+)([A-Za-z0-9_.]*)$/;
    const OLD_PYTHON_TAG = /^(?:py|cp|pp|ip|jy|gp|graalpy)[0-9]*[a-z0-9_]*(?:\.(?:py|cp|pp|ip|jy|gp|graalpy)[0-9]*[a-z0-9_]*)*$/i;
    const piece = fc.constantFrom('1', '23', 'a', 'B', '_', '.', 'py', 'cp', 'graalpy', '3', '(', 'é');
    const tag = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
    check('build and Python tags vs the old expressions', fc.tuple(tag, tag), ([build, python]) => {
      const asBuild = onlyThrows('parseWheelFilename', [InvalidFilenameError], () => parseWheelFilename(`a-1-${build}-py3-none-any.whl`));
      if ('value' in asBuild) {
        const m = OLD_BUILD_TAG.exec(build);
        expect(m && [Number(m[1]), m[2]]).toEqual(asBuild.value.buildTag);
      } else if (asBuild.error.message.includes('has an invalid build tag')) {
        expect(OLD_BUILD_TAG.test(build)).toBe(false);
      }
      // Six parts: a variant label after the platform when the third part is a Python tag, else a build tag.
      const sixParts = onlyThrows('parseWheelFilename', [InvalidFilenameError], () => parseWheelFilename(`a-1-${python}-none-any-x.whl`));
      if ('value' in sixParts) expect(sixParts.value.variant === 'x').toBe(OLD_PYTHON_TAG.test(python));
      else if (sixParts.error.message.includes('has an invalid build tag')) expect(OLD_PYTHON_TAG.test(python)).toBe(false);
    }, runs(2000));
  });
});
