/** The storage layer: temporary files that hash as they write, the content cache, and the paths around them. */
export { openCache, CONTENT_DIR, type Cache, type CacheOptions, type CacheProblem } from './cache.js';
export { Digests, isHexDigest, matches, sizeDiffers, type Algorithm } from './digest.js';
export { scanFindLinks, type FindLinksIndex } from './find-links.js';
export { copyThrough, digestFile, hashFile, openRegularFile, type ReadOptions } from './hash-file.js';
export { isTrusted, isUnchanged, recordOf, type Recorded } from './manifest-trust.js';
export { ensureOutputDir, ensureRealDir, outputPath, unsafeNameReason, STATE_DIR, type OutputDirs } from './safe-paths.js';
export { storeError, type StoreErrorCode } from './store-error.js';
export { DAY_MS, isProcessAlive, sweepTemps, type SweepOptions } from './sweep.js';
export { createTempFiles, WRITE_BUFFER_SIZE, type TempFilesOptions } from './temp-files.js';
export type { Actual, ContentCache, Expected, TempFile, TempFiles } from './types.js';
