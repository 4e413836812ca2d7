/** What a run amounts to (src/app/collect/record.ts): artifacts and failures for the manifest, and the manifest itself. Pure. */
import { describe, expect, it } from 'vitest';
import { manifestOf, recordRun } from '../../../src/app/collect/record.js';
import { recordSelection } from '../../../src/app/selection-record.js';
import type { RunResult } from '../../../src/app/collect/run.js';
import type { Outcome } from '../../../src/app/collect/sources.js';
import { plan } from '../../../src/plan/index.js';
import { select } from '../../../src/select/index.js';
import { LINUX, graphOf, pkg, uvLock } from '../../helpers/uv-lock.js';
import { sampleJobs } from './fixtures.js';

const good = (sha256: string, size: number): Outcome => ({ ok: true, origin: 'download', actual: { sha256, digest: sha256, size }, mtimeMs: 1234.5 });

describe('recordRun', () => {
  it('a file for DIR becomes an artifact; a failed one a failure naming it; a build-only sdist neither', () => {
    const jobs = sampleJobs();
    const [pure, other] = jobs.files.filter((job) => job.destination === 'output');
    const sdist = jobs.files.find((job) => job.destination === 'build')!;
    const ran: RunResult = {
      files: [
        { job: pure!, outcome: good('1'.repeat(64), 10) },
        { job: other!, outcome: { ok: false, failure: { code: 'FETCH_HTTP_STATUS', url: 'https://files.example.org/x', reason: 'Not Found - 404' } } },
        { job: sdist, outcome: good('2'.repeat(64), 20) },
      ],
      builds: [{ artifacts: [], failures: [{ code: 'BUILD_FAILED', package: 'native', version: '1.0.0', filename: 'native-1.0.0.tar.gz', target: null, url: null, reason: 'it failed' }] }],
    };
    const recorded = recordRun(jobs, ran);
    expect(recorded.artifacts.map((a) => [a.filename, a.kind, a.origin, a.sha256, a.size, a.mtimeMs, a.targets])).toEqual([
      [pure!.filename, 'wheel', 'download', '1'.repeat(64), 10, 1234.5, [LINUX.id]],
    ]);
    expect(recorded.failures.map((f) => [f.code, f.package, f.filename])).toEqual([
      ['BUILD_FAILED', 'native', 'native-1.0.0.tar.gz'],
      ['FETCH_HTTP_STATUS', other!.item.package, other!.filename],
    ]);
  });

  it('never records a URL’s credentials', () => {
    const graph = graphOf(uvLock({}, pkg('app', { source: '{ editable = "." }', deps: ['secret'] }), pkg('secret')).replace(/https:\/\/files\.example\.org/g, 'https://me:hunter2@files.example.org'));
    const planned = plan(graph, select(graph, [LINUX], {}));
    const item = planned.items.find((i) => i.package === 'secret')!;
    const job = { item, filename: item.filename!, rule: { kind: 'none' as const, size: null }, url: item.url, localPath: null, index: null, destination: 'output' as const };
    const recorded = recordRun({ files: [job], builds: [], failures: [] }, { files: [{ job, outcome: good('3'.repeat(64), 1) }], builds: [] });
    expect(recorded.artifacts[0]!.url).not.toContain('hunter2');
  });
});

describe('manifestOf', () => {
  it('sorts artifacts by file name, records the layout only when simple, the selection, and lists emitted files sorted', () => {
    const graph = graphOf(uvLock({}, pkg('app', { source: '{ editable = "." }', deps: ['pure'] }), pkg('pure')));
    const selected = select(graph, [LINUX], { noDev: true });
    const planned = plan(graph, selected);
    const targets = { pythonPlatforms: [LINUX.pythonPlatform], pythonVersions: [LINUX.pythonVersion], platforms: [], abis: [] };
    const selection = recordSelection({ targets, select: { noDev: true }, plan: {} }, [LINUX], selected.choice);
    const artifact = (filename: string) => ({ package: 'p', version: '1', filename, kind: 'wheel' as const, origin: 'cache' as const, url: null, sha256: 'a'.repeat(64), size: 1, mtimeMs: 0, targets: [] });
    const manifest = manifestOf({
      generator: 'lockhouse 9.9',
      lock: { path: 'uv.lock', sha256: 'f'.repeat(64) },
      plan: planned,
      selection,
      layout: 'simple',
      recorded: { artifacts: [artifact('b.whl'), artifact('a.whl')], failures: [] },
      emitted: ['z.txt', 'pylock.toml'],
    });
    expect(manifest.artifacts.map((a) => a.filename)).toEqual(['a.whl', 'b.whl']);
    expect(manifest.layout).toBe('simple');
    expect(manifest.emitted).toEqual(['pylock.toml', 'z.txt']);
    expect(manifest.targets).toEqual([{ id: LINUX.id, pythonPlatform: LINUX.pythonPlatform, pythonVersion: LINUX.pythonVersion }]);
    expect(manifest.selection.groups).toMatchObject({ noGroup: ['dev'], defaults: ['dev'], defaultsFrom: 'uv-default', selected: [] });
    expect(manifestOf({ generator: 'x', lock: { path: 'uv.lock', sha256: '' }, plan: planned, selection, layout: 'flat', recorded: { artifacts: [], failures: [] }, emitted: [] })).not.toHaveProperty('layout');
  });
});
