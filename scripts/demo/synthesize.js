// The demo's index: every wheel and sdist that examples/demo/uv.lock names,
// synthesized from the lock itself (name, version, dependencies, tags), the
// same bytes on every run: stored zips and tars with fixed dates, a fixed
// gzip level. The sdists carry scripts/demo/backend.py as an in-tree PEP 517
// backend, so building them needs nothing from any index.
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { parse } from 'smol-toml';
import yazl from 'yazl';

const BACKEND = readFileSync(new URL('./backend.py', import.meta.url));
const PYPROJECT = '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["_backend"]\n';
const ZIP_DATE = new Date(1980, 0, 1, 0, 0, 0);
const TAR_DATE = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));

const dist = (name) => name.replace(/[-.]+/g, '_').toLowerCase();
const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const filenameOf = (url) => decodeURIComponent(url.slice(url.lastIndexOf('/') + 1));

function metadata(pkg) {
  const lines = ['Metadata-Version: 2.1', `Name: ${pkg.name}`, `Version: ${pkg.version}`, `Summary: ${pkg.name}, synthesized for the lockhouse demo`];
  for (const dep of pkg.dependencies ?? []) lines.push(`Requires-Dist: ${dep.name}${dep.marker ? ` ; ${dep.marker}` : ''}`);
  return `${lines.join('\n')}\n\n`;
}

function initPy(pkg, from) {
  return `"""${pkg.name} ${pkg.version}: a module synthesized for the lockhouse demo."""\n__version__ = "${pkg.version}"\nBUILT_FROM = "${from}"\n\n\ndef hello():\n    return "${pkg.name} ${pkg.version} (${from})"\n`;
}

function recordLine(path, data) {
  const digest = createHash('sha256').update(data).digest('base64url');
  return `${path},sha256=${digest},${data.length}\n`;
}

function zip(entries) {
  const file = new yazl.ZipFile();
  for (const [path, data] of entries) file.addBuffer(data, path, { compress: false, mtime: ZIP_DATE, mode: 0o100644, forceDosTimestamp: true });
  file.end();
  return new Promise((resolve, reject) => {
    const chunks = [];
    file.outputStream.on('data', (chunk) => chunks.push(chunk));
    file.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    file.outputStream.on('error', reject);
  });
}

function tar(entries) {
  const blocks = [];
  for (const [path, data] of entries) {
    const header = new Header({ path, mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', size: data.length, mtime: TAR_DATE, type: 'File' });
    header.encode();
    blocks.push(header.block, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

async function wheel(pkg, filename) {
  const tags = filename.slice(0, -'.whl'.length).split('-').slice(-3);
  const expanded = tags[0].split('.').flatMap((py) => tags[1].split('.').flatMap((abi) => tags[2].split('.').map((plat) => `${py}-${abi}-${plat}`)));
  const module = dist(pkg.name);
  const info = `${module}-${pkg.version}.dist-info`;
  const files = [
    [`${module}/__init__.py`, Buffer.from(initPy(pkg, filename))],
    [`${info}/METADATA`, Buffer.from(metadata(pkg))],
    [`${info}/WHEEL`, Buffer.from(`Wheel-Version: 1.0\nGenerator: lockhouse-demo\nRoot-Is-Purelib: ${tags[2] === 'any'}\n${expanded.map((tag) => `Tag: ${tag}\n`).join('')}\n`)],
  ];
  const record = files.map(([path, data]) => recordLine(path, data)).join('') + `${info}/RECORD,,\n`;
  return zip([...files, [`${info}/RECORD`, Buffer.from(record)]]);
}

function sdist(pkg, filename) {
  const root = filename.slice(0, -'.tar.gz'.length);
  const module = dist(pkg.name);
  const entries = [
    ['PKG-INFO', Buffer.from(metadata(pkg))],
    ['pyproject.toml', Buffer.from(PYPROJECT)],
    ['_backend/backend.py', BACKEND],
    [`${module}/__init__.py`, Buffer.from(initPy(pkg, 'built from its sdist'))],
  ];
  return gzipSync(tar(entries.map(([path, data]) => [`${root}/${path}`, data])), { level: 9 });
}

/** Every file the lock names: { filename, url, bytes, sha256 }. */
export async function synthesize(lockText) {
  const lock = parse(lockText);
  const files = [];
  for (const pkg of lock.package ?? []) {
    if (!pkg.source?.registry) continue;
    for (const entry of pkg.wheels ?? []) {
      const filename = filenameOf(entry.url);
      const bytes = await wheel(pkg, filename);
      files.push({ filename, url: entry.url, bytes, sha256: sha256(bytes) });
    }
    if (pkg.sdist) {
      const filename = filenameOf(pkg.sdist.url);
      const bytes = sdist(pkg, filename);
      files.push({ filename, url: pkg.sdist.url, bytes, sha256: sha256(bytes) });
    }
  }
  return files;
}

/** The lock text with each file's hash and size set to the synthesized file's. */
export function withHashes(lockText, files) {
  let text = lockText;
  for (const file of files) {
    const escaped = file.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    text = text.replace(new RegExp(`(url = "${escaped}", hash = "sha256:)[0-9a-f]{64}(", size = )[0-9]+`), `$1${file.sha256}$2${file.bytes.length}`);
  }
  return text;
}
