/** Errors of the storage layer, with their codes in src/errors.ts. */
import { LockhouseError, type LockhouseErrorOptions } from '../../errors.js';

export type StoreErrorCode = 'OUTPUT_UNSAFE_PATH' | 'OUTPUT_NOT_WRITABLE' | 'CACHE_UNWRITABLE' | 'CACHE_UNSAFE_PATH';

export function storeError(code: StoreErrorCode, message: string, options: LockhouseErrorOptions = {}): LockhouseError {
  return new LockhouseError(code, message, options);
}

/**
 * The errno code of a Node fs error ("ENOENT"), or undefined. These codes,
 * and the ENOTREG the hashing code raises in the same style for "not a
 * regular file", are the fs layer's conventions, not lockhouse codes:
 * callers branch on them, and report a registered code (src/errors.ts).
 */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** "ENOSPC: no space left on device, write" — Node's message already names the call and code. */
export function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
