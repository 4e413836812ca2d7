/**
 * `--since OLD` (app/since.ts): the base read from a bundle (through the one
 * zip reader, a `#!` prefix allowed), a manifest file, or a folder holding
 * one; its sha256 is that of the manifest's bytes as read; anything else is
 * SINCE_UNREADABLE, saying why.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSinceBase } from '../../src/app/since.js';
import { isLockhouseError } from '../../src/errors.js';
import { testdir } from '../helpers/testdir.js';
import { storedZip } from '../helpers/zip-records.js';

const manifestText = `${JSON.stringify(
  {
    manifestVersion: 1,
    generator: 'lockhouse 0.0.9',
    lock: { path: 'uv.lock', format: 'uv.lock', sha256: 'a'.repeat(64) },
    allPlatforms: false,
    targets: [],
    artifacts: [
      {
        package: 'keep',
        version: '1.0',
        filename: 'keep-1.0-py3-none-any.whl',
        kind: 'wheel',
        origin: 'bundle',
        url: null,
        sha256: 'b'.repeat(64),
        size: 10,
        mtimeMs: 0,
        targets: [],
      },
    ],
    skipped: [],
    failures: [],
  },
  null,
  2,
)}\n`;
const manifestSha = createHash('sha256').update(manifestText).digest('hex');
const bundle = storedZip([
  ['__main__.py', Buffer.from('print("hi")\n')],
  ['lockhouse.json', Buffer.from(manifestText)],
  ['wheels/keep-1.0-py3-none-any.whl', Buffer.from('0123456789')],
]);

async function refusal(path: string, cwd: string): Promise<string> {
  try {
    await readSinceBase(path, cwd);
  } catch (error) {
    if (isLockhouseError(error) && error.code === 'SINCE_UNREADABLE') return error.message;
    throw error;
  }
  throw new Error(`${path} was read`);
}

describe('readSinceBase', () => {
  it("reads a bundle's lockhouse.json, with or without a #! line before the zip", async () => {
    const dir = testdir({ 'v1.pyz': bundle, 'exec.pyz': Buffer.concat([Buffer.from('#!/usr/bin/env python3\n'), bundle]) });
    for (const name of ['v1.pyz', 'exec.pyz']) {
      const base = await readSinceBase(name, dir);
      expect(base.kind).toBe('bundle');
      expect(base.path).toBe(join(dir, name));
      expect(base.sha256).toBe(manifestSha);
      expect(base.manifest.artifacts.map((a) => a.filename)).toEqual(['keep-1.0-py3-none-any.whl']);
    }
  });

  it('reads a manifest file, and a folder holding one (a wheelhouse, an extracted bundle): the same sha256 for the same bytes', async () => {
    const dir = testdir({ 'kept/lockhouse.json': manifestText, 'lockhouse.json': manifestText });
    const file = await readSinceBase('lockhouse.json', dir);
    const folder = await readSinceBase('kept', dir);
    expect([file.kind, folder.kind]).toEqual(['manifest', 'directory']);
    expect(file.sha256).toBe(manifestSha);
    expect(folder.sha256).toBe(manifestSha);
    expect(folder.manifest).toEqual(file.manifest);
  });

  it('refuses, saying why: nothing there, a folder without a manifest or with a link in its place, a zip without one, JSON that is no manifest, neither JSON nor zip', async () => {
    const dir = testdir({
      'empty/.keep': '',
      'other.zip': storedZip([['README', Buffer.from('hello')]]),
      'wrong.json': '{"manifestVersion": 7}',
      'junk.bin': 'not a zip, not JSON',
      'real/lockhouse.json': manifestText,
    });
    mkdirSync(join(dir, 'linked'));
    symlinkSync(join(dir, 'real', 'lockhouse.json'), join(dir, 'linked', 'lockhouse.json'));
    expect(await refusal('nowhere.pyz', dir)).toMatch(/--since .*nowhere\.pyz: it does not exist/);
    expect(await refusal('empty', dir)).toMatch(/empty\/lockhouse\.json: it does not exist/);
    expect(await refusal('linked', dir)).toMatch(/linked\/lockhouse\.json: it is a symbolic link \(not followed\)/);
    expect(await refusal('other.zip', dir)).toMatch(/other\.zip: it is a zip without lockhouse\.json/);
    expect(await refusal('wrong.json', dir)).toMatch(/wrong\.json is not a manifest this lockhouse reads/);
    expect(await refusal('junk.bin', dir)).toMatch(/junk\.bin: it is neither a manifest \(JSON\) nor a bundle/);
    writeFileSync(join(dir, 'bad.pyz'), storedZip([['lockhouse.json', Buffer.from('{"not": "a manifest"}')]]));
    expect(await refusal('bad.pyz', dir)).toMatch(/bad\.pyz \(its lockhouse\.json\) is not a manifest this lockhouse reads/);
  });
});
