/** The HTTP layer's public surface: everything app/ needs, and nothing else. */
export { DEFAULT_CONCURRENCY, DEFAULT_MAX_FILE_BYTES, DEFAULT_MIN_BYTES_PER_SECOND, createDownloader, type HttpConfig } from './create-downloader.js';
export { type CredentialSource, type CredentialSourceOptions, type LogFunction, createCredentialSource, noCredentials } from './credentials.js';
export { FetchError, type FetchErrorCode, FetchErrorCodes, isFetchError } from './errors.js';
export type { IndexRef } from './index-credentials.js';
export { SIMPLE_ACCEPT, SimpleApi, type SimpleFile, parseSimplePage, projectUrl } from './simple-api.js';
export type { Credential, DownloadOptions, DownloadResult, DownloadSink, Downloader, HandedUrl, Page, Validators } from './types.js';
