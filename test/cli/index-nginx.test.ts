/**
 * The real thing: `lockhouse index` writes the index of a wheelhouse of
 * synthesized wheels, a real nginx serves the folder as it is, and a real
 * pip (in a fresh venv, with no configuration: no other index, no
 * find-links) installs from it with `--index-url`. nginx's access log shows
 * what pip asked for: the project pages, the PEP 658 `.metadata` files it
 * resolved with, and no file that `data-requires-python` ruled out.
 *
 * nginx is taken from PATH, or installed from Debian's packages where the
 * tests run as root; elsewhere the suite is skipped, saying why.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeSdist, makeWheel } from '../helpers/artifacts.js';
import { runCli } from '../helpers/cli.js';
import { findOrInstallNginx, startNginx, type NginxServer } from '../helpers/nginx.js';
import { makeVenv, pipEnv, pipMissing, run } from '../helpers/pip.js';
import { removeFolder, tempFolder } from '../helpers/testdir.js';

const app = makeWheel({ name: 'App', version: '1.0', requiresDist: ['lib>=2'], requiresPython: '>=3.7' });
const libOld = makeWheel({ name: 'lib', version: '1.0' });
const lib = makeWheel({ name: 'lib', version: '2.0', requiresPython: '>=3.8' });
const libSdist = makeSdist({ name: 'lib', version: '2.0' });
/** Newest, so pip would take it, but for Python 2 only: data-requires-python must keep pip away from it. */
const libPy2 = makeWheel({ name: 'lib', version: '3.0', requiresPython: '<3' });
const ARTIFACTS = [app, libOld, lib, libSdist, libPy2];

// Decided before collecting, so a skip says why in its title.
const noPip = pipMissing();
const found = noPip ? null : await findOrInstallNginx();
const skipped = noPip ?? (found && 'missing' in found ? found.missing : null);
if (skipped) console.warn(`lockhouse tests: ${skipped}; the nginx tests are skipped`);
const suite = skipped ? describe.skip : describe;

/**
 * pip ≥ 23.2 resolves with PEP 658 metadata under PEP 714's names, the only ones the index writes;
 * older ones (22.3 to 23.1 read only the legacy names) download the wheels (docs/collect.md,
 * "Which pip reads what").
 */
const usesPep658 = (version: [number, number]): boolean => version[0] > 23 || (version[0] === 23 && version[1] >= 2);

/** The wheel's metadata was fetched, and before the wheel itself if that was fetched at all: pip resolved with it. */
function expectResolvedWithMetadata(log: readonly string[], filename: string): void {
  const metadata = log.indexOf(`200 GET /files/${filename}.metadata "application/octet-stream"`);
  const wheel = log.indexOf(`200 GET /files/${filename} "application/octet-stream"`);
  expect(metadata, `${filename}.metadata in\n${log.join('\n')}`).toBeGreaterThanOrEqual(0);
  if (wheel >= 0) expect(metadata).toBeLessThan(wheel);
}

suite(skipped ? `lockhouse index served by nginx, installed from by pip (skipped: ${skipped})` : 'lockhouse index served by nginx, installed from by pip', () => {
  let work: string;
  let html: NginxServer;
  let negotiated: NginxServer;
  let python: string;
  let pipVersion: [number, number];
  /** pip with no configuration, and no proxy between it and 127.0.0.1. */
  const env = (): NodeJS.ProcessEnv => ({ ...pipEnv(), NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' });

  beforeAll(async () => {
    const nginx = (found as { nginx: string }).nginx;
    work = tempFolder();
    const dir = join(work, 'wheelhouse');
    mkdirSync(join(dir, 'files'), { recursive: true });
    for (const artifact of ARTIFACTS) writeFileSync(join(dir, 'files', artifact.filename), artifact.bytes);
    const indexed = await runCli(['index', dir]);
    if (indexed.code !== 0) throw new Error(`lockhouse index failed: ${indexed.stderr}`);

    for (const name of ['nginx-html', 'nginx-json']) mkdirSync(join(work, name));
    html = await startNginx({ nginx, root: dir, workDir: join(work, 'nginx-html') });
    negotiated = await startNginx({ nginx, root: dir, workDir: join(work, 'nginx-json'), negotiateJson: true });

    python = await makeVenv(join(work, 'venv'));
    const version = await run(python, ['-m', 'pip', '--version'], { env: env() });
    const match = /^pip ([0-9]+)\.([0-9]+)/.exec(version.stdout);
    if (!match) throw new Error(`cannot read the venv's pip version: ${version.stdout} ${version.stderr}`);
    pipVersion = [Number(match[1]), Number(match[2])];
    console.info(`lockhouse nginx tests: ${nginx}, pip ${match[1]}.${match[2]} (PEP 658 ${usesPep658(pipVersion) ? 'used' : 'not used by this pip'})`);
  }, 180_000);

  afterAll(async () => {
    await html?.stop();
    await negotiated?.stop();
    removeFolder(work);
  });

  it('pip installs from the HTML pages, resolving with the PEP 658 metadata and never touching what Requires-Python rules out', async () => {
    const install = await run(python, ['-m', 'pip', 'install', '--no-cache-dir', '--index-url', `${html.url}/simple/`, 'app'], { env: env() });
    expect(install.stderr + install.stdout).toContain('Successfully installed');
    expect(install.code).toBe(0);

    const imported = await run(python, ['-c', 'import app, lib; print(app.__version__, lib.__version__)'], { env: env() });
    expect(imported.stdout.trim()).toBe('1.0 2.0');

    const log = html.accessLog();
    expect(log).toContain('200 GET /simple/app/ "text/html"');
    expect(log).toContain('200 GET /simple/lib/ "text/html"');
    expect(log).toContain(`200 GET /files/${app.filename} "application/octet-stream"`);
    expect(log).toContain(`200 GET /files/${lib.filename} "application/octet-stream"`);
    if (usesPep658(pipVersion)) {
      expectResolvedWithMetadata(log, app.filename);
      expectResolvedWithMetadata(log, lib.filename);
    }
    expect(log.filter((line) => line.includes(libPy2.filename) || line.includes(libOld.filename))).toEqual([]);
    expect(log.filter((line) => !line.startsWith('200 '))).toEqual([]);
  });

  it('pip resolves from the PEP 691 JSON pages when the server negotiates them, with the PEP 658 metadata', async () => {
    const reportPath = join(work, 'report.json');
    const resolve = await run(
      python,
      ['-m', 'pip', 'install', '--dry-run', '--ignore-installed', '--no-cache-dir', '--report', reportPath, '--index-url', `${negotiated.url}/simple/`, 'app'],
      { env: env() },
    );
    expect(resolve.code, resolve.stderr).toBe(0);
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as { install: Array<{ metadata: { name: string; version: string } }> };
    expect(report.install.map((item) => `${item.metadata.name} ${item.metadata.version}`).sort()).toEqual(['App 1.0', 'lib 2.0']);

    const log = negotiated.accessLog();
    expect(log).toContain('200 GET /simple/app/ "application/vnd.pypi.simple.v1+json"');
    expect(log).toContain('200 GET /simple/lib/ "application/vnd.pypi.simple.v1+json"');
    if (usesPep658(pipVersion)) {
      // (pip 23.2 still downloads the wheels of a dry run, after resolving.)
      expectResolvedWithMetadata(log, app.filename);
      expectResolvedWithMetadata(log, lib.filename);
    }
    expect(log.filter((line) => line.includes(libPy2.filename))).toEqual([]);
    expect(log.filter((line) => !line.startsWith('200 '))).toEqual([]);
  });

  it('serves the HTML page to a client that asks for HTML, PEP 714 names only, and the metadata file as the wheel holds it', async () => {
    const page = await fetch(`${negotiated.url}/simple/lib/`, { headers: { Accept: 'text/html' } });
    expect(page.headers.get('content-type')).toBe('text/html');
    expect(page.headers.get('vary')).toBe('Accept');
    const text = await page.text();
    expect(text).toContain(`data-core-metadata="sha256=`);
    // PEP 714's name only: the legacy one breaks pip 22.3 to 23.1 (test/cli/index-pip-versions.test.ts).
    expect(text).not.toContain('data-dist-info-metadata');
    const json = await (await fetch(`${negotiated.url}/simple/lib/`, { headers: { Accept: 'application/vnd.pypi.simple.v1+json' } })).text();
    expect(json).toContain('"core-metadata"');
    expect(json).not.toContain('dist-info-metadata');

    const metadata = Buffer.from(await (await fetch(`${html.url}/files/${lib.filename}.metadata`)).arrayBuffer());
    expect(lib.bytes.includes(metadata)).toBe(true);
    expect(metadata.toString()).toContain('Requires-Python: >=3.8\n');
  });
});
