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

export interface DownloadOptions {
  readonly signal?: AbortSignal;
  /** Called with the size of each chunk written (progress). */
  readonly onBytes?: (bytes: number) => void;
  /**
   * The file's size as the lock gives it: no byte past it is read or
   * written, and an answer that offers or sends more fails
   * (FETCH_TOO_LARGE, not retried). Absent or null: the run's ceiling
   * (HttpConfig.maxFileBytes) bounds it instead.
   */
  readonly size?: number | null;
}

export interface DownloadResult {
  /** The URL the bytes came from after redirects, credentials removed. */
  readonly finalUrl: string;
  /** Attempts made (1 when nothing went wrong; the hops of a redirect are one attempt). */
  readonly attempts: number;
  /** How many times a broken body was resumed with a Range request. */
  readonly resumed: number;
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
  /** Requests sent so far (for logs and tests). */
  readonly requests: number;
  close(): Promise<void>;
}

/** Credentials for one origin ("https://host:port"). */
export interface Credential {
  readonly username: string;
  readonly password: string;
  /** Where it came from, for hints ("netrc (/home/me/.netrc)"); never the secret itself. */
  readonly source?: string;
}
