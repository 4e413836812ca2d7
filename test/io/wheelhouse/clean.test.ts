/**
 * --clean's rule (src/io/wheelhouse/clean.ts): only what lockhouse put in
 * DIR — files the previous manifest records, and wheels, sdists and their
 * `.metadata` — and only what this collection does not contain; and the
 * guard that refuses a DIR holding the lock or the project.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isDistributionName, refuseUnsafeClean, removeFiles, staleFiles } from '../../../src/io/wheelhouse/clean.js';
import type { Manifest } from '../../../src/output/manifest.js';
import { testdir } from '../../helpers/testdir.js';

const artifact = (filename: string): Manifest['artifacts'][number] => ({
  package: 'p',
  version: '1',
  filename,
  kind: 'wheel',
  origin: 'download',
  url: null,
  sha256: 'a'.repeat(64),
  size: 1,
  mtimeMs: 0,
  targets: [],
});

const previous = (filenames: string[], emitted: string[] = []): Manifest => ({
  manifestVersion: 1,
  generator: 'lockhouse test',
  lock: { path: 'uv.lock', format: 'uv.lock', sha256: 'f'.repeat(64) },
  allPlatforms: false,
  targets: [],
  artifacts: filenames.map(artifact),
  skipped: [],
  failures: [],
  emitted,
});

describe('isDistributionName', () => {
  it.each([
    ['pure-1.0-py3-none-any.whl', true],
    ['native-2.0.tar.gz', true],
    ['legacy-1.0.zip', true],
    ['README.md', false],
    ['uv.lock', false],
    ['pyproject.toml', false],
    ['backup.tar.gz', false],
    ['notes-final.zip', false],
    ['broken.whl', false],
  ])('%s → %s', (name, expected) => {
    expect(isDistributionName(name)).toBe(expected);
  });
});

describe('staleFiles', () => {
  it('lists lockhouse\'s files this collection does not contain, and nothing else', async () => {
    const dir = testdir({
      'keep-1.0-py3-none-any.whl': 'k',
      'keep-1.0-py3-none-any.whl.metadata': 'm',
      'old-1.0-py3-none-any.whl': 'o',
      'old-1.0-py3-none-any.whl.metadata': 'm',
      'dropped-3.0.tar.gz': 's',
      'requirements.txt': 'emitted by the last run, not this one',
      'pylock.toml': 'emitted by this run',
      'README.md': 'mine',
      'uv.lock': 'mine',
      'notes.zip': 'mine',
      'lockhouse.json': '{}',
      '.hidden-1.0-py3-none-any.whl': 'dot-files are never candidates',
    });
    mkdirSync(join(dir, 'sub-1.0-py3-none-any.whl'));
    symlinkSync(join(dir, 'old-1.0-py3-none-any.whl'), join(dir, 'link-1.0-py3-none-any.whl'));
    const stale = await staleFiles({
      filesDir: dir,
      prefix: '',
      keep: new Set(['keep-1.0-py3-none-any.whl', 'pylock.toml']),
      previous: previous(['keep-1.0-py3-none-any.whl', 'old-1.0-py3-none-any.whl'], ['requirements.txt', 'pylock.toml']),
    });
    expect(stale).toEqual(['dropped-3.0.tar.gz', 'old-1.0-py3-none-any.whl', 'old-1.0-py3-none-any.whl.metadata', 'requirements.txt']);
  });

  it('a file the previous manifest records counts whatever its name; emitted paths are relative to DIR (the simple layout\'s files/)', async () => {
    const dir = testdir({ 'odd-name.bin': 'recorded', 'requirements.txt': 'emitted into DIR, not DIR/files' });
    const stale = await staleFiles({ filesDir: dir, prefix: 'files/', keep: new Set(), previous: previous(['odd-name.bin'], ['requirements.txt']) });
    expect(stale).toEqual(['odd-name.bin']);
  });

  it('without a previous manifest only distribution files are candidates; a folder that does not exist has none', async () => {
    const dir = testdir({ 'a-1.0-py3-none-any.whl': '', 'requirements.txt': '' });
    expect(await staleFiles({ filesDir: dir, prefix: '', keep: new Set(), previous: null })).toEqual(['a-1.0-py3-none-any.whl']);
    expect(await staleFiles({ filesDir: join(dir, 'nowhere'), prefix: '', keep: new Set(), previous: null })).toEqual([]);
  });

  it('removeFiles removes regular files only, checked again at removal', async () => {
    const dir = testdir({ 'a-1.0-py3-none-any.whl': '' });
    mkdirSync(join(dir, 'b-1.0-py3-none-any.whl'));
    expect(await removeFiles(dir, ['a-1.0-py3-none-any.whl', 'b-1.0-py3-none-any.whl', 'gone-1.0-py3-none-any.whl'])).toEqual(['a-1.0-py3-none-any.whl']);
  });
});

describe('refuseUnsafeClean', () => {
  it('refuses a DIR that holds the lock, is or holds the project, or holds a pyproject.toml', async () => {
    const parent = testdir({ 'project/uv.lock': '', 'project/pyproject.toml': '', 'project/README.md': '' });
    const project = join(parent, 'project');
    const refused = (dir: string, lock: string, projectDir: string): Promise<void> => refuseUnsafeClean({ dir, lock, projectDir });
    await expect(refused(project, join(project, 'uv.lock'), project)).rejects.toMatchObject({ code: 'OUTPUT_CLEAN_REFUSED', exitCode: 2, message: expect.stringContaining('it holds the lock') });
    const elsewhere = testdir({ 'uv.lock': '' });
    await expect(refused(project, join(elsewhere, 'uv.lock'), project)).rejects.toMatchObject({ message: expect.stringContaining("it is the project's folder") });
    await expect(refused(parent, join(elsewhere, 'uv.lock'), project)).rejects.toMatchObject({ message: expect.stringContaining("it holds the project's folder") });
    await expect(refused(project, join(elsewhere, 'uv.lock'), elsewhere)).rejects.toMatchObject({ message: expect.stringContaining('it holds a pyproject.toml') });
  });

  it('lets a wheelhouse of its own be cleaned, and a DIR that does not exist yet', async () => {
    const project = testdir({ 'uv.lock': '', 'pyproject.toml': '' });
    mkdirSync(join(project, 'wheelhouse'));
    writeFileSync(join(project, 'wheelhouse', 'uv.lock'), 'a copy: not the lock given');
    await expect(refuseUnsafeClean({ dir: join(project, 'wheelhouse'), lock: join(project, 'uv.lock'), projectDir: project })).resolves.toBeUndefined();
    await expect(refuseUnsafeClean({ dir: join(project, 'new'), lock: join(project, 'uv.lock'), projectDir: project })).resolves.toBeUndefined();
  });
});
