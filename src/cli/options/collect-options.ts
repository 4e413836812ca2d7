/**
 * The options of every command that collects (collect, bundle): where files
 * come from, the cache, the network, hash policy and builds. One definition,
 * inherited from LockCommand's lock, target, selection and build groups,
 * never copied.
 */
import { Option } from 'clipanion';
import type { CollectEvents, CollectResult } from '../../app/collect/index.js';
import type { SourcesRequest } from '../../app/requests.js';
import { exitCodeOf, watchInterrupts } from '../interrupts.js';
import type { Logger } from '../logger.js';
import type { Progress } from '../progress.js';
import { LockCommand } from './lock-options.js';
import { byteSize, secondsAsMs, wholeNumber } from './validate.js';

/** A CollectRequest without what each command decides itself: the output and what is written there. */
export type CollectSources = SourcesRequest;

export abstract class CollectingCommand extends LockCommand {
  findLinks = Option.Array('--find-links', { description: 'A directory of files to take, by name and sha256, before any download (repeatable)' });
  mirror = Option.Array('--mirror', {
    description:
      'FROM=TO: fetch through the simple index TO the files of FROM: pypi (files on pypi.org and files.pythonhosted.org), an index name from [[tool.uv.index]], or a URL prefix of an index or of file URLs; builds take their requirements through it too (repeatable; adds to env LOCKHOUSE_MIRROR, replacing its entry for the same FROM)',
  });
  allowOutsidePaths = Option.Boolean('--allow-outside-paths', false, {
    description:
      "Read the local files and projects the lock names (path sources, file:// URLs, directories) wherever they are; without it, only inside the lock's folder, --project and the repository holding the lock (else LOCAL_OUTSIDE)",
  });
  cacheDir = Option.String('--cache-dir', { env: 'LOCKHOUSE_CACHE_DIR', description: 'The content-addressed cache (default: the platform cache dir, e.g. ~/.cache/lockhouse; env LOCKHOUSE_CACHE_DIR)' });
  noCache = Option.Boolean('--no-cache', false, { description: 'Neither read nor write the cache' });
  offline = Option.Boolean('--offline', false, { description: 'Never use the network: files come from DIR, --find-links and the cache, or fail' });
  // No defaults here: a flag not given is left to app/requests.ts, which fills the library's requests too.
  concurrency = Option.String('--concurrency', { description: 'Downloads at once (default 64)' });
  retries = Option.String('--retries', {
    description: 'Retries per request on connection errors, timeouts, too-slow bodies, 408, 429 and 5xx; a cut download resumes (default 3)',
  });
  timeout = Option.String('--timeout', {
    description:
      "Seconds: the longest wait to connect or for more of a body; a response's headers must come within twice this; also the window --min-rate is averaged over (default 30)",
  });
  minRate = Option.String('--min-rate', {
    env: 'LOCKHOUSE_MIN_RATE',
    description:
      'Bytes per second a download must average over each --timeout window, or it is cut off and retried: catches a server that drips bytes, e.g. 1K (default 1K; 0: no floor; env LOCKHOUSE_MIN_RATE)',
  });
  maxFileSize = Option.String('--max-file-size', {
    env: 'LOCKHOUSE_MAX_FILE_SIZE',
    description:
      'The most bytes a file the lock gives no size for may take, e.g. 8G (default 8G); a file the lock gives a size for never takes more than that size (env LOCKHOUSE_MAX_FILE_SIZE)',
  });
  verify = Option.Boolean('--verify', false, { description: 'Hash files already in DIR even where the last manifest vouches for them' });
  allowUnhashed = Option.Boolean('--allow-unhashed', false, { description: 'Take files the lock gives no hash for, unverified' });
  allowWeakHashes = Option.Boolean('--allow-weak-hashes', false, { description: 'Accept files the lock hashes with md5 or sha1 only' });
  buildPython = Option.String('--build-python', { description: "The interpreter for builds (default: pythonX.Y of each target's Python on PATH, else python3)" });
  buildJobs = Option.String('--build-jobs', { description: 'Builds run in parallel with downloads and each other (default 2)' });
  noBuildIsolation = Option.Boolean('--no-build-isolation', false, { description: "Build with the build interpreter's installed backends instead of isolated environments" });

  /**
   * The events a collect reports, to the logger and (for a person watching:
   * both streams on a terminal, not `quiet`, not JSON) a progress bar, which
   * the caller stops when the collect is done.
   */
  protected async collectEvents(logger: Logger, json: boolean): Promise<{ events: CollectEvents; progress: Progress }> {
    const stderr = this.context.stderr as NodeJS.WriteStream;
    const stdout = this.context.stdout as NodeJS.WriteStream;
    const { createProgress } = await import('../progress.js');
    const progress = createProgress({ enabled: Boolean(stderr.isTTY && stdout.isTTY) && !json && !this.quiet, stream: stderr });
    const events: CollectEvents = {
      log: (level, message, fields) => progress.interrupt(() => logger[level](fields ?? {}, message)),
      onStart: (files, bytes, unsized) => progress.start(files, bytes, unsized),
      onDownload: (filename, size, from) => progress.download(filename, size, from),
      onSize: (filename, size) => progress.size(filename, size),
      onBytes: (bytes, filename) => progress.bytes(bytes, filename),
      // A file that did not download (DIR, the cache, --find-links) counts its bytes at once.
      onFile: (job, outcome) =>
        progress.file(job?.filename, job && outcome?.ok && outcome.origin !== 'download' ? { size: outcome.actual.size, lockSized: job.item.size !== null } : undefined),
    };
    return { events, progress };
  }

  /**
   * Run `work` with SIGINT/SIGTERM turned into an abort of it (interrupts.ts);
   * an interrupted collect gets one line saying what is in place, and the
   * shell's exit code for the signal. `kept` is false when nothing done
   * survives the run (a bundle's temporary wheelhouse with --no-cache).
   */
  protected async interruptible<T>(work: (signal: AbortSignal) => Promise<T>, collected: (result: T) => CollectResult, kept = true): Promise<{ result: T; interrupted: { exitCode: number; line: string } | null }> {
    const interrupts = watchInterrupts();
    try {
      const result = await work(interrupts.signal);
      const signal = interrupts.received();
      const done = collected(result);
      if (!done.interrupted || signal === null) return { result, interrupted: null };
      const inPlace = done.manifest?.artifacts.length ?? 0;
      const line = kept
        ? `lockhouse: interrupted: ${inPlace} of ${done.stats?.planned ?? inPlace} files in place; run again to finish\n`
        : `lockhouse: interrupted: nothing kept (--no-cache, and the bundle's wheelhouse was temporary); a re-run fetches every file again — --wheelhouse DIR or the cache keeps them\n`;
      return { result, interrupted: { exitCode: exitCodeOf(signal), line } };
    } finally {
      interrupts.dispose();
    }
  }

  protected async collectSources(): Promise<CollectSources> {
    const { sourcesRequest } = await import('../../app/requests.js');
    const given = <T>(value: string | undefined, parse: (value: string) => T): T | undefined => (value === undefined ? undefined : parse(value));
    return sourcesRequest(
      {
        plan: this.planRequest(),
        findLinks: this.findLinks,
        mirrors: this.mirror,
        allowOutsidePaths: this.allowOutsidePaths,
        // undefined: LOCKHOUSE_CACHE_DIR (clipanion reads it into --cache-dir too), else the platform's cache folder.
        cacheDir: this.noCache ? null : this.cacheDir,
        offline: this.offline,
        verify: this.verify,
        allowUnhashed: this.allowUnhashed,
        allowWeakHashes: this.allowWeakHashes,
        concurrency: given(this.concurrency, (value) => wholeNumber('--concurrency', value, 1)),
        retries: given(this.retries, (value) => wholeNumber('--retries', value, 0)),
        timeoutMs: given(this.timeout, (value) => secondsAsMs('--timeout', value)),
        minBytesPerSecond: given(this.minRate, (value) => byteSize('--min-rate', value, 0)),
        maxFileBytes: given(this.maxFileSize, (value) => byteSize('--max-file-size', value, 1)),
        buildPython: this.buildPython,
        buildJobs: given(this.buildJobs, (value) => wholeNumber('--build-jobs', value, 1)),
        buildIsolation: !this.noBuildIsolation,
      },
      process.env,
    );
  }
}
