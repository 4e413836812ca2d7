/**
 * choose(): which part each file of a merged wheelhouse comes from, what two
 * parts disagree on, and what no part provides — from the jobs of a small
 * inline lock planned for Linux and Windows, and parts' manifests written
 * inline. Pure: nothing is read.
 */
import { describe, expect, it } from 'vitest';
import { choose, type PartView } from '../../../src/app/merge/choose.js';
import type { Manifest, ManifestArtifact } from '../../../src/output/manifest.js';
import { jobsOf, type Jobs } from '../../../src/plan/jobs.js';
import { plan } from '../../../src/plan/index.js';
import { select } from '../../../src/select/index.js';
import { LINUX, WINDOWS, fakeHash, graphOf, pkg, uvLock } from '../../helpers/uv-lock.js';

const PURE = 'pure-1.0.0-py3-none-any.whl';
const NATIVE_LINUX = 'native-1.0.0-cp312-cp312-linux_x86_64.whl';
const NATIVE_WINDOWS = 'native-1.0.0-cp312-cp312-win_amd64.whl';

/** `pure` (a wheel, both targets) and `native` (an sdist only: built on each runner). */
function jobs(options: { sdist?: boolean } = {}): Jobs {
  const graph = graphOf(uvLock({}, pkg('app', { source: '{ virtual = "." }', deps: ['pure', 'native'] }), pkg('pure'), pkg('native', { sdist: true })));
  const planned = plan(graph, select(graph, [LINUX, WINDOWS], {}), { sdist: options.sdist ?? false });
  return jobsOf(graph, planned, { lockDir: '/project', sdistsInOutput: options.sdist ?? false, allowUnhashed: false, allowWeakHashes: false });
}

function artifact(filename: string, fields: Partial<ManifestArtifact> = {}): ManifestArtifact {
  const built = fields.kind === 'built-wheel';
  return {
    package: filename.split('-')[0]!,
    version: '1.0.0',
    filename,
    kind: 'wheel',
    origin: built ? 'build' : 'download',
    url: null,
    sha256: fakeHash(filename),
    size: 100,
    mtimeMs: 0,
    targets: [],
    ...(built ? { builtFrom: { kind: 'sdist' as const, ref: 'native-1.0.0.tar.gz', source: `sdist sha256:${fakeHash('native-1.0.0.tar.gz')}`, key: 'k', frontend: 'pip', python: '3.12.4 x' } } : {}),
    ...fields,
  };
}

const built = (filename: string, targets: string[], fields: Partial<ManifestArtifact> = {}): ManifestArtifact => artifact(filename, { kind: 'built-wheel', targets, ...fields });

function part(name: string, targets: readonly string[], artifacts: ManifestArtifact[], extra: Partial<Manifest> = {}): PartView {
  return {
    name,
    manifest: {
      manifestVersion: 1,
      generator: 'lockhouse 0.1.0',
      lock: { path: 'uv.lock', format: 'uv.lock', sha256: 'a'.repeat(64) },
      allPlatforms: false,
      targets: targets.map((id) => ({ id, pythonPlatform: id.split('-cp')[0]!, pythonVersion: '3.12' })),
      artifacts,
      skipped: [],
      failures: [],
      ...extra,
    },
  };
}

const linuxPart = (artifacts: ManifestArtifact[] = [artifact(PURE), built(NATIVE_LINUX, [LINUX.id])], extra: Partial<Manifest> = {}): PartView => part('part-linux', [LINUX.id], artifacts, extra);
const windowsPart = (artifacts: ManifestArtifact[] = [artifact(PURE), built(NATIVE_WINDOWS, [WINDOWS.id])], extra: Partial<Manifest> = {}): PartView => part('part-windows', [WINDOWS.id], artifacts, extra);

describe('choose', () => {
  it("takes each file from the first part that lists it: the lock's files with the lock's hash and every target, each build with the targets its part says", () => {
    const choice = choose(jobs(), [linuxPart(), windowsPart()], { sdistShipped: false });
    expect(choice.clashes).toEqual([]);
    expect(choice.failures).toEqual([]);
    expect(choice.picks.map((pick) => [pick.filename, pick.part, pick.targets, pick.lockHash?.digest ?? null])).toEqual([
      [NATIVE_LINUX, 'part-linux', [LINUX.id], null],
      [NATIVE_WINDOWS, 'part-windows', [WINDOWS.id], null],
      [PURE, 'part-linux', [LINUX.id, WINDOWS.id], fakeHash(PURE)],
    ]);
  });

  it('one wheel several runners built from one source is one file: the first part\'s, serving the targets of all, the others set aside', () => {
    const wheel = 'native-1.0.0-py3-none-any.whl';
    const choice = choose(
      jobs(),
      [linuxPart([artifact(PURE), built(wheel, [LINUX.id], { sha256: '1'.repeat(64) })]), windowsPart([artifact(PURE), built(wheel, [WINDOWS.id], { sha256: '2'.repeat(64) })])],
      { sdistShipped: false },
    );
    expect(choice.clashes).toEqual([]);
    expect(choice.failures).toEqual([]);
    const pick = choice.picks.find((candidate) => candidate.filename === wheel)!;
    expect(pick).toMatchObject({ part: 'part-linux', targets: [LINUX.id, WINDOWS.id].sort(), setAside: [{ part: 'part-windows', sha256: '2'.repeat(64) }] });
  });

  it('two wheels under one name built from different sources are a clash, and neither is taken', () => {
    const wheel = 'native-1.0.0-py3-none-any.whl';
    const other = { kind: 'sdist' as const, ref: 'native-1.0.0.tar.gz', source: `sdist sha256:${'f'.repeat(64)}`, key: 'k', frontend: 'pip', python: '3.12.4 x' };
    const choice = choose(
      jobs(),
      [linuxPart([artifact(PURE), built(wheel, [LINUX.id], { sha256: '1'.repeat(64) })]), windowsPart([artifact(PURE), built(wheel, [WINDOWS.id], { sha256: '2'.repeat(64), builtFrom: other })])],
      { sdistShipped: false },
    );
    expect(choice.clashes.map((clash) => [clash.filename, clash.reason])).toEqual([
      [wheel, `part part-linux and part part-windows built different wheels under this name from different sources (sdist sha256:${fakeHash('native-1.0.0.tar.gz')}; sdist sha256:${'f'.repeat(64)})`],
    ]);
    expect(choice.picks.map((pick) => pick.filename)).toEqual([PURE]);
  });

  it('a wheel a part built under the name of a file of the lock is a clash', () => {
    const choice = choose(jobs(), [linuxPart(), windowsPart([built(PURE, [WINDOWS.id], { package: 'pure' }), built(NATIVE_WINDOWS, [WINDOWS.id])])], { sdistShipped: false });
    expect(choice.clashes.map((clash) => [clash.filename, clash.reason])).toEqual([[PURE, `the lock names a file ${PURE}, and part part-windows built a wheel under the same name`]]);
  });

  it('two names one case-insensitive filesystem takes for one are a clash', () => {
    const upper = 'Native-1.0.0-cp312-cp312-win_amd64.whl';
    const choice = choose(jobs(), [linuxPart([artifact(PURE), built(NATIVE_LINUX.replace('linux_x86_64', 'win_amd64'), [LINUX.id])]), windowsPart([artifact(PURE), built(upper, [WINDOWS.id], { package: 'native' })])], {
      sdistShipped: false,
    });
    expect(choice.clashes.map((clash) => clash.reason)).toEqual([`native-1.0.0-cp312-cp312-win_amd64.whl and ${upper} are one file on a case-insensitive filesystem (macOS, Windows)`]);
  });

  it('what no part provides is missing for each target that needs it, with why', () => {
    const left = { package: 'native', version: '1.0.0', filename: 'native-1.0.0.tar.gz', target: WINDOWS.id, reason: 'this machine builds native-1.0.0-cp312-cp312-linux_x86_64.whl, which does not fit it' };
    const onlyLinux = choose(jobs(), [linuxPart(undefined, { partial: { left: [left] } })], { sdistShipped: false });
    expect(onlyLinux.failures.map((failure) => [failure.code, failure.package, failure.filename, failure.target, failure.reason])).toEqual([
      ['MERGE_MISSING', 'native', null, WINDOWS.id, `no part was collected for ${WINDOWS.id}`],
    ]);

    const windowsLeftIt = choose(jobs(), [linuxPart(), windowsPart([artifact(PURE)], { partial: { left: [left] } })], { sdistShipped: false });
    expect(windowsLeftIt.failures.map((failure) => failure.reason)).toEqual([
      `no part built a wheel of native 1.0.0 that serves ${WINDOWS.id}; left to another runner by part part-windows (${left.reason}): add the part of a runner that builds for ${WINDOWS.id}`,
    ]);

    const failed = { code: 'FETCH_HTTP_STATUS', package: 'pure', version: '1.0.0', filename: PURE, target: null, url: null, reason: 'GET …: 404' };
    const noPure = choose(jobs(), [linuxPart([built(NATIVE_LINUX, [LINUX.id])], { failures: [failed] }), windowsPart([built(NATIVE_WINDOWS, [WINDOWS.id])])], { sdistShipped: false });
    expect(noPure.failures.map((failure) => [failure.filename, failure.target, failure.reason])).toEqual([
      [PURE, LINUX.id, 'part part-linux failed it: [FETCH_HTTP_STATUS] GET …: 404'],
      [PURE, WINDOWS.id, 'part part-linux failed it: [FETCH_HTTP_STATUS] GET …: 404'],
    ]);
  });

  it('with --sdist a target no build serves takes the sdist: the build is not missing, the sdist is', () => {
    const sdist = artifact('native-1.0.0.tar.gz', { kind: 'sdist' });
    const choice = choose(jobs({ sdist: true }), [linuxPart([artifact(PURE), sdist, built(NATIVE_LINUX, [LINUX.id])]), windowsPart([artifact(PURE), sdist])], { sdistShipped: true });
    expect(choice.failures).toEqual([]);
    expect(choice.picks.map((pick) => pick.filename)).toEqual([NATIVE_LINUX, 'native-1.0.0.tar.gz', PURE]);
  });

  it('a part\'s file the merged plan does not need is left out, and said', () => {
    const choice = choose(jobs(), [linuxPart([artifact(PURE), built(NATIVE_LINUX, [LINUX.id]), artifact('stale-0.9-py3-none-any.whl')]), windowsPart()], { sdistShipped: false });
    expect(choice.unused).toEqual([{ part: 'part-linux', filename: 'stale-0.9-py3-none-any.whl' }]);
  });
});
