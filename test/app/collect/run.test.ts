/**
 * Scheduling a collect's jobs (src/app/collect/run.ts) with fake workers:
 * files for DIR through the pool, builds beside them, build-only sdists
 * fetched when a build asks, every job once.
 */
import { describe, expect, it } from 'vitest';
import type { BuildOutcome } from '../../../src/app/collect/builds.js';
import { runJobs, type Workers } from '../../../src/app/collect/run.js';
import type { Outcome } from '../../../src/app/collect/sources.js';
import type { FileJob } from '../../../src/plan/jobs.js';
import { sampleJobs } from './fixtures.js';

const ok = (size = 1): Outcome => ({ ok: true, origin: 'download', actual: { sha256: 'a'.repeat(64), digest: 'a'.repeat(64), size }, mtimeMs: 0 });
const none: BuildOutcome = { artifacts: [], failures: [] };

function fakeWorkers(build: Workers['build'] = async () => none, fileConcurrency = 4): Workers & { fetched: string[] } {
  const fetched: string[] = [];
  return {
    fetched,
    fileConcurrency,
    buildConcurrency: 2,
    async fetch(job: FileJob) {
      fetched.push(job.filename);
      return ok();
    },
    build,
  };
}

describe('runJobs', () => {
  it('fetches each file for DIR once, in job order, and pairs every outcome with its job', async () => {
    const jobs = sampleJobs();
    const workers = fakeWorkers();
    const ran = await runJobs(jobs, workers);
    const forDir = jobs.files.filter((job) => job.destination === 'output').map((job) => job.filename);
    expect(workers.fetched).toEqual(forDir);
    expect(ran.files.map((run) => run.job.filename)).toEqual(forDir);
    expect(ran.builds).toHaveLength(jobs.builds.length);
  });

  it('largestFirst (download threads): the largest files start first, sizeless ones last in job order; outcomes stay in job order', async () => {
    const size = (job: FileJob): number => (job.rule.kind === 'strong' ? job.rule.expected.size : job.rule.size) ?? 0;
    const sample = sampleJobs();
    // Smallest first in job order, so that the schedule has to differ from it.
    const jobs = { ...sample, files: [...sample.files].sort((a, b) => size(a) - size(b)) };
    const workers = { ...fakeWorkers(), largestFirst: true };
    const ran = await runJobs(jobs, workers);
    const forDir = jobs.files.filter((job) => job.destination === 'output');
    const bySize = forDir.map((job, index) => ({ job, index })).sort((a, b) => size(b.job) - size(a.job) || a.index - b.index);
    expect(new Set(forDir.map(size)).size).toBeGreaterThan(1);
    expect(workers.fetched).toEqual(bySize.map(({ job }) => job.filename));
    expect(workers.fetched).not.toEqual(forDir.map((job) => job.filename));
    expect(ran.files.map((run) => run.job.filename)).toEqual(forDir.map((job) => job.filename));
  });

  it('a build-only sdist is fetched only when its build asks, once however often it asks', async () => {
    const jobs = sampleJobs();
    const workers = fakeWorkers(async (job, source) => {
      if (job.source.kind === 'sdist') {
        await source(job.source.file);
        await source(job.source.file);
      }
      return none;
    });
    const ran = await runJobs(jobs, workers);
    expect(workers.fetched.filter((name) => name === 'native-1.0.0.tar.gz')).toEqual(['native-1.0.0.tar.gz']);
    expect(ran.files.at(-1)!.job.destination).toBe('build');
  });

  it('a build that never asks for its sdist leaves it unfetched (a re-run reusing last time’s wheel)', async () => {
    const workers = fakeWorkers();
    const ran = await runJobs(sampleJobs(), workers);
    expect(workers.fetched).not.toContain('native-1.0.0.tar.gz');
    expect(ran.files.every((run) => run.job.destination === 'output')).toBe(true);
  });

  it('an sdist that is also for DIR (--sdist) is the pool’s fetch: the build waits for it, nothing is fetched twice', async () => {
    const jobs = sampleJobs({ sdistsInOutput: true });
    const seen: Outcome[] = [];
    const workers = fakeWorkers(async (job, source) => {
      if (job.source.kind === 'sdist') seen.push(await source(job.source.file));
      return none;
    });
    await runJobs(jobs, workers);
    expect(workers.fetched.filter((name) => name === 'native-1.0.0.tar.gz')).toHaveLength(1);
    expect(seen).toEqual([ok()]);
  });

  it('keeps at most fileConcurrency files in hand', async () => {
    const jobs = sampleJobs();
    let inFlight = 0;
    let most = 0;
    const release: Array<() => void> = [];
    const workers: Workers = {
      fileConcurrency: 1,
      buildConcurrency: 1,
      async fetch() {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise<void>((resolve) => release.push(resolve));
        inFlight--;
        return ok();
      },
      build: async () => none,
    };
    const running = runJobs(jobs, workers);
    // Release each fetch as it arrives: the next starts only after.
    for (let i = 0; i < jobs.files.filter((job) => job.destination === 'output').length; i++) {
      while (release.length === 0) await new Promise((resolve) => setImmediate(resolve));
      release.shift()!();
    }
    await running;
    expect(most).toBe(1);
  });
});
