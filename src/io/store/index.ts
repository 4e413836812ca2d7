/** The storage layer: landing files (land.ts), temporary files that hash as they write, the content and build caches, hashing. */
export { openCache, CONTENT_DIR, type Cache, type CacheOptions, type CacheProblem } from './cache.js';
export { Digests, isHexDigest, matches, sizeDiffers, type Algorithm } from './digest.js';
export { scanFindLinks, type FindLinksIndex } from './find-links.js';
export { copyThrough, digestFile, hashFile, openRegularFile, type ReadOptions } from './hash-file.js';
export { landBytes, landDir, landFile, landWith, linkOrCopy, workDir } from './land.js';
export { keepsPartialAfter, openPartials, partialKey, type PartialSource, type PartialStore, type PartialsOptions, type Start } from './partials.js';
export { storeError, type StoreErrorCode } from './store-error.js';
export { DAY_MS, GRACE_MS, isAbandoned, isProcessAlive, sweepLeftovers, type SweepOptions } from './sweep.js';
export { adoptTempFile, createTempFiles, WRITE_BUFFER_SIZE, type TempFilesOptions } from './temp-files.js';
export type { Actual, ContentCache, Expected, TempFile, TempFiles } from './types.js';
