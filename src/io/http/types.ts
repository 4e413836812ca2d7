/**
 * The contract between the HTTP layer (src/io/http/) and its callers
 * (app/collect).
 */

/**
 * Where a download's bytes go. The HTTP layer writes the body chunk by
 * chunk; when a connection breaks it asks again from `bytesWritten` with a
 * Range request, and calls `restart()` when the server answers the whole
 * file instead (200, not 206), or when a retry must start over.
 */
export interface DownloadSink {
  /** Bytes written so far: the offset a resumed request asks from. */
  readonly bytesWritten: number;
  write(chunk: Uint8Array): Promise<void>;
  /** Throw away what was written: the next bytes are the file's first. */
  restart(): Promise<void>;
}

/**
 * What tells one version of a file from another at its URL (RFC 9110
 * §8.8): the server's ETag and Last-Modified, null where it sent none.
 * A download that continues bytes it already holds sends them back as
 * If-Range, so that a server whose file changed sends it whole instead of
 * the rest of another version.
 */
export interface Validators {
  readonly etag: string | null;
  readonly lastModified: string | null;
}

export interface DownloadOptions {
  readonly signal?: AbortSignal;
  /** Called with the size of each chunk written (progress). */
  readonly onBytes?: (bytes: number) => void;
  /** Told the whole file's size when an answer gives it (Content-Length of a 200, the total of a Content-Range): progress for files the lock gives no size. */
  readonly onSize?: (bytes: number) => void;
  /**
   * The file's size as the lock gives it: no byte past it is read or
   * written, and an answer that offers or sends more fails
   * (FETCH_TOO_LARGE, not retried). Absent or null: the run's ceiling
   * (HttpConfig.maxFileBytes) bounds it instead.
   */
  readonly size?: number | null;
  /**
   * The validators of the answer the bytes the sink already holds came
   * from (a partial download an earlier run kept): the request for the
   * rest carries If-Range, and a 206 with other validators is not joined
   * to them. Absent: the bytes' origin is unknown; the rest is asked for
   * without If-Range and the whole file's hash decides.
   */
  readonly validators?: Validators | null;
  /** Told the validators of the answer the sink's bytes now come from, each time that changes (to keep a partial download). */
  readonly onValidators?: (validators: Validators) => void;
}

export interface DownloadResult {
  /** The URL the bytes came from after redirects, credentials removed. */
  readonly finalUrl: string;
  /** Attempts made (1 when nothing went wrong; the hops of a redirect are one attempt). */
  readonly attempts: number;
  /** How many times a broken body was resumed with a Range request. */
  readonly resumed: number;
  /** The bytes the sink held before this download that the file continues (0 when it held none, or they were thrown away). */
  readonly resumedFrom: number;
}

export interface Page {
  readonly url: string;
  readonly contentType: string;
  readonly body: string;
}

export interface Downloader {
  /** GET url into sink, with retries, Range resume, redirects and credentials. Throws FetchError. */
  download(url: string, sink: DownloadSink, options?: DownloadOptions): Promise<DownloadResult>;
  /** GET a small text page (a simple-API page) with an Accept header. Throws FetchError. */
  page(url: string, accept: string, options?: { readonly signal?: AbortSignal }): Promise<Page>;
  /**
   * A URL made ready for another thread's downloader (io/fetch-threads):
   * without its userinfo, which becomes `own` (remembered here for its
   * origin, as download() does), and the credentials this downloader
   * remembers by origin. Throws FetchError for a URL it cannot download.
   */
  handOff?(url: string): HandedUrl;
  /** Requests sent so far (for logs and tests). */
  readonly requests: number;
  close(): Promise<void>;
}

/** What handOff() gives another thread's downloader. */
export interface HandedUrl {
  /** The URL without userinfo. */
  readonly url: string;
  /** The credential its userinfo gave, for its origin only. */
  readonly own: { readonly origin: string; readonly credential: Credential } | null;
  readonly remembered: ReadonlyArray<readonly [string, Credential]>;
}

/** Credentials for one origin ("https://host:port"). */
export interface Credential {
  readonly username: string;
  readonly password: string;
  /** Where it came from, for hints ("netrc (/home/me/.netrc)"); never the secret itself. */
  readonly source?: string;
}
