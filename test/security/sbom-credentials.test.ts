/**
 * Credentials never reach an SBOM (docs/sbom.md): a lock whose URLs carry
 * `user:password@` (the index's, every file's) is collected and bundled
 * with --emit-sbom, and `lockhouse sbom` describes the wheelhouse again;
 * no SBOM holds the password, its percent-encoding, the base64 of
 * `user:password`, or any userinfo at all. The files still say where they
 * came from: the URL without its userinfo.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSdist, makeWheel } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { cyclonedxErrors, parseCdx } from '../helpers/cyclonedx.js';
import { fixturePylock, fixtureUvLock } from '../helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from '../helpers/index-server.js';
import { readZip } from '../helpers/read-zip.js';
import { testdir } from '../helpers/testdir.js';
import { LOCK_FORMATS } from './helpers.js';

const USER = 'robot-user';
const PASSWORD = 'S3cr3t-p@ss/w0rd:x';
const NEEDLES = [PASSWORD, encodeURIComponent(PASSWORD), Buffer.from(`${USER}:${PASSWORD}`).toString('base64'), 'S3cr3t', USER];
const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];

const alpha = makeWheel({ name: 'alpha', version: '1.0' });
const beta = makeWheel({ name: 'beta', version: '2.0', requiresDist: ['alpha'] });
const betaSdist = makeSdist({ name: 'beta', version: '2.0', requiresDist: ['alpha'] });

let server: IndexServer;
beforeAll(async () => {
  server = await startIndexServer({ artifacts: [alpha, beta, betaSdist], requireAuth: { user: USER, password: PASSWORD } });
});
afterAll(async () => {
  await server?.close();
});

describe('no credential in an SBOM', () => {
  it.each(LOCK_FORMATS)('userinfo in the lock URLs (%s): collect, bundle and lockhouse sbom write none of it', async (format) => {
    const base = server.url.replace('http://', `http://${encodeURIComponent(USER)}:${encodeURIComponent(PASSWORD)}@`);
    const lockOf = format === 'uv.lock' ? fixtureUvLock : fixturePylock;
    const dir = testdir({ [format]: lockOf([alpha, beta, betaSdist], { base }) });
    const lock = join(dir, format);
    const out = join(dir, 'wheelhouse');
    // --sdist: the sdist is a file of the collection too, with its own URL.
    const collected = await runCli(['collect', '--lock', lock, '-o', out, '--no-cache', '--sdist', ...TARGET, '--emit-sbom', join(dir, 'collect.cdx.json')]);
    expect(collected.code, collected.stderr).toBe(0);
    const bundled = await runCli(['bundle', '--lock', lock, '-o', join(dir, 'app.pyz'), '--no-cache', '--sdist', ...TARGET, '--emit-sbom', join(dir, 'bundle.cdx.json')]);
    expect(bundled.code, bundled.stderr).toBe(0);
    const later = await runCli(['sbom', '--lock', lock, '-o', join(dir, 'later.cdx.json'), out]);
    expect(later.code, later.stderr).toBe(0);

    const carried = (await readZip(join(dir, 'app.pyz'))).find((entry) => entry.name === 'sbom.cdx.json')!.data.toString('utf8');
    const texts = [...['collect', 'bundle', 'later'].map((name) => readFileSync(join(dir, `${name}.cdx.json`), 'utf8')), carried];
    for (const text of texts) {
      expect(NEEDLES.filter((needle) => text.includes(needle))).toEqual([]);
      expect(text).not.toMatch(/\/\/[^/"]*@/);
      expect(await cyclonedxErrors(text)).toBeNull();
    }
    // Where each file came from is still said, without the userinfo.
    const document = parseCdx(texts[0]!);
    const sdist = document.components.find((component) => component['bom-ref'] === betaSdist.filename)!;
    expect(sdist.externalReferences).toEqual([{ type: 'source-distribution', url: `${server.url}/files/${betaSdist.filename}` }]);
    expect(sdist.purl).toContain(`repository_url=${encodeURIComponent(`${server.url}/simple`)}`);
  });
});
