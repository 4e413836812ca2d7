/**
 * Deltas as pure functions (output/delta.ts) and a delta bundle's contents
 * (output/bundle-contents.ts): a file is the base's when the base lists the
 * same name with the same sha256; the manifest, pylock and requirements
 * stay whole; bundle.json says what the installer must find on the far
 * side; what earlier manifests of the chain listed is carried forward as
 * left over.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bundleContents, type BundleEntry } from '../../src/output/bundle-contents.js';
import { carriedArtifacts, deltaOf, deltaProblem, expectedFromBase } from '../../src/output/delta.js';
import { Manifest, type ManifestArtifact } from '../../src/output/manifest.js';
import { buildTargets } from '../../src/python/targets.js';

const targets = buildTargets({ pythonPlatforms: ['x86_64-manylinux_2_28'], pythonVersions: ['3.12'], platforms: [] });
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

function artifact(name: string, version: string, bytes = `${name}-${version}`): ManifestArtifact {
  return {
    package: name,
    version,
    filename: `${name}-${version}-py3-none-any.whl`,
    kind: 'wheel',
    origin: 'download',
    url: `https://files.example/${name}-${version}-py3-none-any.whl`,
    sha256: sha(bytes),
    size: bytes.length,
    mtimeMs: 1,
    targets: targets.map((target) => target.id),
  };
}

function manifest(artifacts: ManifestArtifact[], lock = 'a'): Manifest {
  return Manifest.parse({
    manifestVersion: 1,
    generator: 'lockhouse test',
    lock: { path: 'uv.lock', format: 'uv.lock', sha256: sha(lock) },
    allPlatforms: false,
    targets: targets.map((target) => ({ id: target.id, pythonPlatform: target.pythonPlatform, pythonVersion: target.pythonVersion })),
    artifacts,
    skipped: [],
    failures: [],
  });
}

const keep = artifact('keep', '1.0');
const gone = artifact('gone', '1.0');
const moved1 = artifact('moves', '1.0');
const moved2 = artifact('moves', '2.0');
const rebuiltOld = artifact('rebuilt', '1.0', 'old bytes');
const rebuiltNew = artifact('rebuilt', '1.0', 'new bytes');
const fresh = artifact('fresh', '1.0');

const v1 = manifest([gone, keep, moved1, rebuiltOld]);
const v2Artifacts = [fresh, keep, moved2, rebuiltNew];
const base = { manifest: v1, sha256: sha('v1 manifest bytes') };

describe('deltaOf', () => {
  const delta = deltaOf(base, v2Artifacts);

  it('carries the files the base lacks by name and sha256: new names, and a name the base holds with other bytes', () => {
    expect(delta.carries).toEqual([fresh.filename, moved2.filename, rebuiltNew.filename].sort());
  });

  it('records the base, and counts what the base listed and this collection does not as left over', () => {
    expect(delta.since).toEqual({ manifestSha256: base.sha256, lockSha256: v1.lock.sha256, generator: 'lockhouse test', files: 4 });
    expect(delta.leftover).toEqual([gone.filename, moved1.filename].sort());
  });

  it('carries everything against a base that shares nothing, and nothing against the same collection', () => {
    expect(deltaOf({ manifest: manifest([]), sha256: sha('empty') }, v2Artifacts).carries).toHaveLength(4);
    const same = deltaOf({ manifest: manifest(v2Artifacts), sha256: sha('v2') }, v2Artifacts);
    expect(same.carries).toEqual([]);
    expect(same.leftover).toEqual([]);
  });

  it('carries left-over names forward along a chain, until a collection lists one again', () => {
    const v2 = { ...manifest(v2Artifacts), delta };
    const v3Artifacts = [keep, moved2, rebuiltNew, moved1]; // fresh dropped, moves 1.0 back
    const next = deltaOf({ manifest: v2, sha256: sha('v2 manifest bytes') }, v3Artifacts);
    expect(next.leftover).toEqual([fresh.filename, gone.filename].sort());
    // moves 1.0 is listed again; the far side may hold it from v1, but by name and sha256 only the base v2 counts: it is carried.
    expect(next.carries).toEqual([moved1.filename]);
  });

  it('splits a manifest into what it carries and what it expects from its base', () => {
    const v2 = { ...manifest(v2Artifacts), delta };
    expect(carriedArtifacts(v2).map((a) => a.filename)).toEqual(delta.carries);
    expect(expectedFromBase(v2).map((a) => a.filename)).toEqual([keep.filename]);
    const full = manifest(v2Artifacts);
    expect(carriedArtifacts(full)).toHaveLength(4);
    expect(expectedFromBase(full)).toEqual([]);
  });

  it('says when a delta record cannot be one lockhouse wrote for its artifacts', () => {
    const v2 = manifest(v2Artifacts);
    expect(deltaProblem({ ...v2, delta })).toBeNull();
    expect(deltaProblem({ ...v2, delta: { ...delta, carries: [...delta.carries, 'other-1.0-py3-none-any.whl'] } })).toMatch(/carries other-1\.0.* which its artifacts do not list/);
    expect(deltaProblem({ ...v2, delta: { ...delta, leftover: [keep.filename] } })).toMatch(/left over, yet its artifacts list it/);
  });
});

describe('a delta bundle', () => {
  const installer = Buffer.from('# the installer\n');
  const input = { targets, requiresPython: '>=3.8', lockName: 'uv.lock', installer };
  const full = bundleContents({ ...input, manifest: manifest(v2Artifacts) });
  const delta = bundleContents({ ...input, manifest: { ...manifest(v2Artifacts), delta: deltaOf(base, v2Artifacts) } });
  const byName = (entries: BundleEntry[]): Map<string, BundleEntry> => new Map(entries.map((entry) => [entry.name, entry]));
  const json = (entry: BundleEntry | undefined): Record<string, unknown> => JSON.parse(('data' in entry! ? entry.data : Buffer.alloc(0)).toString());

  it('holds under wheels/ only the files it carries, and pylock.toml and requirements.txt as the full bundle has them', () => {
    const wheels = (entries: BundleEntry[]) => entries.filter((entry) => entry.name.startsWith('wheels/')).map((entry) => entry.name.slice(7));
    expect(wheels(full)).toHaveLength(4);
    expect(wheels(delta)).toEqual([fresh.filename, moved2.filename, rebuiltNew.filename].sort());
    for (const name of ['pylock.toml', 'requirements.txt', '__main__.py']) {
      expect((byName(delta).get(name) as { data: Buffer }).data.equals((byName(full).get(name) as { data: Buffer }).data), name).toBe(true);
    }
    const sums = (byName(delta).get('SHA256SUMS') as { data: Buffer }).data.toString();
    expect(sums).not.toContain(keep.filename);
    expect(sums).toContain(`${rebuiltNew.sha256}  wheels/${rebuiltNew.filename}`);
  });

  it('carries the whole manifest with its delta record, and bundle.json says what the base must hold', () => {
    const carried = json(byName(delta).get('lockhouse.json'));
    expect((carried['artifacts'] as unknown[]).length).toBe(4);
    expect(carried['delta']).toMatchObject({ carries: [fresh.filename, moved2.filename, rebuiltNew.filename].sort(), leftover: [gone.filename, moved1.filename].sort() });
    const info = json(byName(delta).get('bundle.json'));
    expect(info['delta']).toEqual({
      since: { manifestSha256: base.sha256, lockSha256: v1.lock.sha256, generator: 'lockhouse test', files: 4 },
      expects: [{ filename: keep.filename, sha256: keep.sha256, size: keep.size }],
    });
  });

  it('leaves a full bundle without any delta field', () => {
    expect(json(byName(full).get('bundle.json'))).not.toHaveProperty('delta');
    expect(json(byName(full).get('lockhouse.json'))).not.toHaveProperty('delta');
  });
});
