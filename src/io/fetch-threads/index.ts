/**
 * Downloading a file into a TempFile: on a download thread when the run
 * has them (pool.ts), else on this thread. The one entry point, so that a
 * caller cannot tell where the bytes were fetched.
 */
import type { Downloader, DownloadOptions, DownloadResult } from '../http/index.js';
import type { Algorithm } from '../store/digest.js';
import type { Actual, TempFile } from '../store/types.js';
import type { FetchThreads } from './pool.js';

export { startFetchThreads, threadCount, type FetchThreads, type FetchThreadsOptions } from './pool.js';
export type { HttpSettings } from './protocol.js';

/** GET `url` into `temp` and finish it: the download's result and the digests of the whole file. */
export async function fetchInto(
  downloader: Downloader,
  threads: FetchThreads | null,
  url: string,
  temp: TempFile,
  algorithm: Algorithm,
  options: DownloadOptions,
): Promise<{ result: DownloadResult; actual: Actual }> {
  if (threads && downloader.handOff) {
    const done = await threads.fetch(downloader.handOff(url), temp, algorithm, options);
    if (done) return done;
  }
  const result = await downloader.download(url, temp, options);
  return { result, actual: await temp.finish() };
}
