/**
 * Running a collect's jobs: the files for DIR through a pool, the builds
 * through another beside it, and sdists that are there only to be built
 * fetched when (and if) their build asks — a re-run that reuses the wheels
 * it built last time never touches their sdists. Every job runs once: a
 * file a build asks for that the pool also fetches is the pool's promise.
 *
 * Scheduling only: how one file is fetched and one wheel built is the
 * caller's (`Workers`), and neither may throw for a job — a failure is an
 * outcome.
 */
import { lockedSize, type BuildJob, type FileJob, type Jobs } from '../../plan/jobs.js';
import { runPool } from '../../io/run-pool.js';
import type { BuildOutcome } from './builds.js';
import type { Outcome } from './sources.js';

export interface Workers {
  /** Put one file in place (DIR, or the cache for a build-only sdist). */
  fetch(job: FileJob): Promise<Outcome>;
  /** Build one wheel; `source` gives the outcome of a file it needs (its sdist), fetched once. */
  build(job: BuildJob, source: (file: FileJob) => Promise<Outcome>): Promise<BuildOutcome>;
  /** Files in hand at once. */
  readonly fileConcurrency: number;
  /** Builds at once. */
  readonly buildConcurrency: number;
  /**
   * Start the largest files first (their results stay in job order): with
   * download threads, so the biggest files are spread over them from the
   * start instead of running alone at the end. Without threads, job order
   * measured faster (docs/performance.md "Download threads").
   */
  readonly largestFirst?: boolean;
}

export interface FileRun {
  readonly job: FileJob;
  readonly outcome: Outcome;
}

export interface RunResult {
  /** Every file job that ran, with its outcome: the pool's first (in job order), then those fetched on demand. */
  readonly files: readonly FileRun[];
  readonly builds: readonly BuildOutcome[];
}

export async function runJobs(jobs: Jobs, workers: Workers): Promise<RunResult> {
  const pooled = new Map(jobs.files.filter((job) => job.destination === 'output').map((job) => [job, deferred<Outcome>()]));
  const onDemand = new Map<FileJob, Promise<Outcome>>();
  const source = (job: FileJob): Promise<Outcome> => {
    const waiting = pooled.get(job);
    if (waiting) return waiting.promise;
    let pending = onDemand.get(job);
    if (!pending) onDemand.set(job, (pending = workers.fetch(job)));
    return pending;
  };
  const order = [...pooled.keys()].map((job, index) => ({ job, index }));
  if (workers.largestFirst) order.sort((a, b) => (lockedSize(b.job) ?? 0) - (lockedSize(a.job) ?? 0) || a.index - b.index);
  const [fileOutcomes, builds] = await Promise.all([
    runPool(order, workers.fileConcurrency, async ({ job }) => {
      const outcome = await workers.fetch(job);
      pooled.get(job)!.resolve(outcome);
      return { job, outcome };
    }).then((ran) => {
      const inJobOrder = new Array<FileRun>(ran.length);
      order.forEach(({ index }, at) => (inJobOrder[index] = ran[at]!));
      return inJobOrder;
    }),
    runPool(jobs.builds, workers.buildConcurrency, (job) => workers.build(job, source)),
  ]);
  const fetchedOnDemand = await Promise.all([...onDemand].map(async ([job, pending]) => ({ job, outcome: await pending })));
  return { files: [...fileOutcomes, ...fetchedOnDemand], builds };
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}
