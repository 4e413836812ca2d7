/** What download.ts and page.ts share for one run: built once by create-downloader.ts. */
import type { Dispatcher } from 'undici';
import type { Authenticator } from './auth.js';
import type { PlainHttp } from './plain-http.js';
import type { LogFunction } from './credentials.js';
import type { BackoffSettings } from './retry-policy.js';

export interface HttpContext {
  /** The run's dispatcher, made (and undici loaded) by the first call: dispatcher.ts. */
  readonly dispatcher: () => Dispatcher;
  /** node:http for plain `http:` URLs (plain-http.ts), made by the first call; null where a proxy takes them (undici does). */
  readonly plainHttp: () => PlainHttp | null;
  readonly auth: Authenticator;
  readonly userAgent: string;
  /** Connect timeout, the deadline for a response's headers, the longest silence in a body, and the rate floor's window. */
  readonly timeoutMs: number;
  /** The slowest a body may arrive, averaged over each timeoutMs (rate-floor.ts); 0: no floor. */
  readonly minBytesPerSecond: number;
  /** The most bytes a download may take when its caller gives no size. */
  readonly maxFileBytes: number;
  readonly retries: number;
  readonly backoff: BackoffSettings;
  readonly maxRetryAfterMs: number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random: () => number;
  readonly now: () => number;
  readonly log: LogFunction | undefined;
  /** Called once per HTTP request put on the wire (redirect hops included). */
  countRequest(): void;
}
