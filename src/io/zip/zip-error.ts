/**
 * Why a zip could not be read. A ZipError never reaches the user as it is:
 * the zip is always read for someone (a built wheel, a wheelhouse's wheel, a
 * bundle), and that caller turns it into its own LockhouseError, with its
 * own code and subject. Its message is the reason as a clause about the
 * file ("it lists 100001 entries, more than the 100000 lockhouse reads"), to
 * follow "… is not a sound wheel: " or the like.
 */

/** What failed, for callers that report some failures differently. */
export type ZipFailure =
  /** The path could not be opened as a zip: missing, not a regular file, no end record. */
  | 'unopenable'
  /** The path is a symbolic link and the caller asked for `noFollow`. */
  | 'symlink'
  /** More entries than the limit, declared or counted. */
  | 'too-many-entries'
  /** The central directory could not be walked (a bad record, a bad name, a stored entry whose sizes differ). */
  | 'directory'
  /** An entry larger than the caller reads, declared or inflated. */
  | 'entry-too-large'
  /** An entry's local header disagrees with its central directory record. */
  | 'header-mismatch'
  /** An entry's data could not be read: an offset past the end, an unknown method, a corrupt deflate stream, more or fewer bytes than declared. */
  | 'entry-unreadable';

export class ZipError extends Error {
  readonly failure: ZipFailure;
  /** The entry the failure is about, or null for the whole file. */
  readonly entry: string | null;
  /**
   * The reason in the words of whoever found it: the system's or yauzl's
   * message when one of them failed ("end of central directory record
   * signature not found"), else the same clause as the message.
   */
  readonly detail: string;

  constructor(failure: ZipFailure, message: string, options: { readonly entry?: string; readonly cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ZipError';
    this.failure = failure;
    this.entry = options.entry ?? null;
    this.detail = options.cause instanceof Error ? options.cause.message : message;
  }
}

export function isZipError(value: unknown): value is ZipError {
  return value instanceof ZipError;
}
