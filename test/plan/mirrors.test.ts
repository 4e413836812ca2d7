/**
 * The mirror rule (src/plan/mirrors.ts): which --mirror / LOCKHOUSE_MIRROR
 * serves a file and a build's requirements, how the variable and the flags
 * combine, and MIRROR_UNUSED with the selection's origins.
 */
import { describe, expect, it } from 'vitest';
import { LockhouseError } from '../../src/errors.js';
import type { ProjectSettings } from '../../src/model.js';
import type { BuildJob, FileJob, Jobs } from '../../src/plan/jobs.js';
import { buildIndexFor, checkMirrors, mirrorFor, originsOf, parseMirrors, splitMirrorList, type Mirror } from '../../src/plan/mirrors.js';

const settings = (indexes: Record<string, string> = {}): ProjectSettings => ({ defaultGroups: null, indexes: new Map(Object.entries(indexes)) });
const PROJECT = settings({ internal: 'https://Repo.Example.com/api/pypi/internal/simple/', torch: 'https://download.pytorch.org/whl/cpu' });
const M = 'http://127.0.0.1:8080/simple';

/** A file job with what the rule reads: its package, index and URL. */
function file(pkg: string, index: string | null, url: string | null): FileJob {
  return { item: { package: pkg }, filename: `${pkg}-1.0-py3-none-any.whl`, index, url } as unknown as FileJob;
}
function build(pkg: string, source: BuildJob['source']['kind'], index: string | null = null): BuildJob {
  const sources = { vcs: { kind: 'vcs', url: 'https://git.example/x.git', commit: 'a'.repeat(40), subdirectory: null }, directory: { kind: 'directory', path: '/p' }, sdist: { kind: 'sdist', file: file(pkg, index, null) } };
  return { item: { package: pkg }, index, source: sources[source] } as unknown as BuildJob;
}
const jobs = (files: FileJob[], builds: BuildJob[] = []): Pick<Jobs, 'files' | 'builds'> => ({ files, builds });
const mirrors = (flags: string[], defaults: string[] = [], project = PROJECT): readonly Mirror[] => parseMirrors(flags, defaults, project).mirrors;
const toOf = (mirror: Mirror | null): string | null => mirror?.to ?? null;

const PYPI_FILE = 'https://files.pythonhosted.org/packages/ab/cd/ef/packaging-26.3-py3-none-any.whl';

describe('mirrorFor', () => {
  it('pypi covers a file on files.pythonhosted.org whatever the lock says about its index, and packages locked from PyPI', () => {
    const rules = mirrors([`pypi=${M}`]);
    expect(toOf(mirrorFor(rules, { index: null, url: PYPI_FILE }))).toBe(M); // a pip-written pylock: no index
    expect(toOf(mirrorFor(rules, { index: 'https://pypi.org/simple/', url: 'https://elsewhere.example/x.whl' }))).toBe(M);
    expect(toOf(mirrorFor(rules, { index: 'https://repo.example.com/simple', url: PYPI_FILE }))).toBe(M);
    expect(mirrorFor(rules, { index: null, url: 'https://download.pytorch.org/whl/cpu/torch-2.5.0-cp311-none-any.whl' })).toBeNull();
    expect(mirrorFor(rules, { index: null, url: null })).toBeNull();
  });

  it('an index name covers packages locked from that index (case, trailing slash and userinfo aside) and, without an index, files under its root', () => {
    const rules = mirrors([`internal=${M}`]);
    expect(toOf(mirrorFor(rules, { index: 'https://repo.example.com/api/pypi/internal/simple', url: 'https://cdn.example/x.whl' }))).toBe(M);
    expect(toOf(mirrorFor(rules, { index: 'https://u:p@REPO.example.com:443/api/pypi/internal/simple', url: null }))).toBe(M);
    expect(toOf(mirrorFor(rules, { index: null, url: 'https://repo.example.com/api/pypi/internal/packages/x/x-1.0.whl' }))).toBe(M);
    expect(mirrorFor(rules, { index: 'https://repo.example.com/api/pypi/other/simple', url: null })).toBeNull();
    expect(mirrorFor(rules, { index: null, url: 'https://repo.example.com/api/pypi/internal-2/x.whl' })).toBeNull();
  });

  it('a URL prefix covers the indexes and file URLs under it, on a path-segment boundary', () => {
    const rules = mirrors([`https://download.pytorch.org/whl=${M}`]);
    expect(toOf(mirrorFor(rules, { index: 'https://download.pytorch.org/whl/cu121', url: null }))).toBe(M);
    expect(toOf(mirrorFor(rules, { index: null, url: 'https://download.pytorch.org/whl/cpu/torch-2.5.0%2Bcpu-cp311-cp311-linux_x86_64.whl' }))).toBe(M);
    expect(mirrorFor(rules, { index: null, url: 'https://download.pytorch.org/whlx/torch.whl' })).toBeNull();
    expect(mirrorFor(rules, { index: 'https://pypi.org/simple', url: PYPI_FILE })).toBeNull();
  });

  it('the mirror naming the locked index wins, then the longest prefix, then pypi by host', () => {
    const rules = mirrors([`pypi=${M}/pypi`, `https://repo.example.com=${M}/host`, `https://repo.example.com/api/pypi=${M}/api`, `internal=${M}/internal`]);
    expect(toOf(mirrorFor(rules, { index: 'https://repo.example.com/api/pypi/internal/simple', url: PYPI_FILE }))).toBe(`${M}/internal`);
    expect(toOf(mirrorFor(rules, { index: 'https://repo.example.com/api/pypi/other/simple', url: PYPI_FILE }))).toBe(`${M}/api`);
    expect(toOf(mirrorFor(rules, { index: 'https://repo.example.com/simple', url: PYPI_FILE }))).toBe(`${M}/host`);
    expect(toOf(mirrorFor(rules, { index: 'https://private.example/simple', url: PYPI_FILE }))).toBe(`${M}/pypi`);
  });

  it('an index name or URL that is PyPI’s own index is pypi', () => {
    const rules = mirrors([`mypypi=${M}`], [], settings({ mypypi: 'https://pypi.org/simple' }));
    expect(rules[0]!.from).toEqual({ kind: 'pypi' });
    expect(mirrors([`https://pypi.org/simple/=${M}`])[0]!.from).toEqual({ kind: 'pypi' });
  });
});

describe('buildIndexFor', () => {
  it('the locked index through its mirror; git, local and index-less packages through the pypi mirror, else PyPI; a local-folder index: none', () => {
    const rules = mirrors([`pypi=${M}`, `internal=${M}/internal`]);
    expect(buildIndexFor(rules, { index: 'https://repo.example.com/api/pypi/internal/simple' })).toMatchObject({ url: `${M}/internal` });
    expect(buildIndexFor(rules, { index: 'https://pypi.org/simple' })).toMatchObject({ url: M });
    expect(buildIndexFor(rules, { index: null })).toMatchObject({ url: M, mirror: { from: { kind: 'pypi' } } });
    expect(buildIndexFor(rules, { index: 'https://unmirrored.example/simple' })).toEqual({ url: 'https://unmirrored.example/simple', mirror: null });
    expect(buildIndexFor([], { index: null })).toEqual({ url: 'https://pypi.org/simple', mirror: null });
    expect(buildIndexFor(rules, { index: 'wheels/' })).toBeNull();
  });
});

describe('parseMirrors', () => {
  it('LOCKHOUSE_MIRROR is split on whitespace; flags add to it and replace its entry for the same FROM (a name and its URL are one FROM)', () => {
    const defaults = splitMirrorList(`  pypi=${M}/env \n internal=${M}/env-internal\tnope=${M}/x `);
    expect(defaults).toHaveLength(3);
    const parsed = parseMirrors([`https://repo.example.com/api/pypi/internal/simple=${M}/flag`], defaults, PROJECT);
    expect(parsed.mirrors.map((mirror) => [mirror.given, mirror.to])).toEqual([
      ['LOCKHOUSE_MIRROR', `${M}/env`],
      ['--mirror', `${M}/flag`],
    ]);
    expect(parsed.notes.join('\n')).toMatch(/LOCKHOUSE_MIRROR's nope=.* is passed over: "nope" is no index of this project/);
    expect(parsed.notes.join('\n')).toMatch(/replaces LOCKHOUSE_MIRROR's internal=/);
  });

  it('refuses a malformed pair, a FROM given twice, and (as a flag) a FROM that is no index — never echoing a password', () => {
    const code = (run: () => unknown): string => {
      try {
        run();
      } catch (error) {
        expect(String((error as Error).message)).not.toContain('s3cret');
        return (error as LockhouseError).code;
      }
      return 'no error';
    };
    expect(code(() => parseMirrors(['pypi'], [], PROJECT))).toBe('USAGE');
    expect(code(() => parseMirrors(['pypi=ftp://u:s3cret@mirror/simple'], [], PROJECT))).toBe('USAGE');
    expect(code(() => parseMirrors([`pypi=${M}`, `PyPI=https://u:s3cret@other/simple`], [], PROJECT))).toBe('USAGE');
    expect(code(() => parseMirrors([], [`internal=${M}`, 'internal=https://u:s3cret@other/simple'], PROJECT))).toBe('USAGE');
    expect(code(() => parseMirrors(['interal=https://u:s3cret@mirror/simple'], [], PROJECT))).toBe('SELECT_UNKNOWN_INDEX');
  });

  it('a password with an unencoded / makes the URL invalid: the refusal says so, since the URL it shows (userinfo removed) looks sound', () => {
    let message = '';
    try {
      parseMirrors(['pypi=https://u:s3/cret@mirror.example/simple'], [], PROJECT);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('takes FROM=TO');
    expect(message).toContain('must be percent-encoded: / as %2F');
    expect(message).not.toContain('s3/cret');
  });

  it('labels a mirror as given, credentials removed', () => {
    expect(mirrors(['pypi=https://robot:s3cret@mirror.example/simple'])[0]!.label).toBe('pypi=https://mirror.example/simple');
  });
});

describe('checkMirrors', () => {
  const selection = jobs(
    [file('packaging', null, PYPI_FILE), file('six', null, 'https://files.pythonhosted.org/packages/x/six-1.17.0-py2.py3-none-any.whl'), file('private', 'https://repo.example.com/api/pypi/internal/simple', 'https://repo.example.com/x.whl')],
    [build('app', 'directory'), build('tool', 'vcs')],
  );

  it('a --mirror that matches nothing is MIRROR_UNUSED naming it, with where the selection’s files come from', () => {
    let error: unknown;
    try {
      checkMirrors(parseMirrors([`pypi=${M}`, `torch=${M}`], [], PROJECT), selection, { isolation: true });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(LockhouseError);
    expect((error as LockhouseError).code).toBe('MIRROR_UNUSED');
    expect((error as LockhouseError).exitCode).toBe(2);
    const message = (error as LockhouseError).message;
    expect(message).toContain(`--mirror torch=${M} matches no package of this selection`);
    expect(message).not.toContain('pypi=');
    expect(message).toContain('files.pythonhosted.org, no index in the lock (2 packages)');
    expect(message).toContain('index https://repo.example.com/api/pypi/internal/simple (1 package)');
    expect(message).toContain('git (1 package)');
    expect(message).toContain('local projects (1 package)');
  });

  it('a pypi mirror that only serves builds’ requirements is used — unless builds are not isolated', () => {
    const onlyBuilds = jobs([file('private', 'https://repo.example.com/api/pypi/internal/simple', null)], [build('app', 'directory')]);
    expect(checkMirrors(parseMirrors([`pypi=${M}`], [], PROJECT), onlyBuilds, { isolation: true }).mirrors).toHaveLength(1);
    expect(() => checkMirrors(parseMirrors([`pypi=${M}`], [], PROJECT), onlyBuilds, { isolation: false })).toThrow(/MIRROR_UNUSED|matches no package/);
  });

  it('a LOCKHOUSE_MIRROR entry that matches nothing is a note, not an error', () => {
    const checked = checkMirrors(parseMirrors([], [`torch=${M}`, `pypi=${M}`], PROJECT), selection, { isolation: true });
    expect(checked.mirrors).toHaveLength(2);
    expect(checked.notes).toEqual([`LOCKHOUSE_MIRROR's torch=${M} matches no package of this selection; not used`]);
  });
});

describe('originsOf', () => {
  it('counts packages per origin, most first; an empty selection has none', () => {
    expect(originsOf(jobs([file('a', null, PYPI_FILE), file('b', null, PYPI_FILE), file('c', null, null)]))).toEqual([
      'files.pythonhosted.org, no index in the lock (2 packages)',
      'local files (1 package)',
    ]);
    expect(originsOf(jobs([]))).toEqual([]);
  });
});
