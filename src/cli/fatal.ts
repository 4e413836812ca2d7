/**
 * A fatal error as data: on stdout under `--json` (so a script reading
 * stdout learns why there is no result), and as one JSON record on stderr
 * under `--log-format json` (pino's shape: `level` 60 is fatal, `time` in
 * ms, `msg`). Loaded whenever a command fails, so it is free of zod: the
 * schema (report/error-schema.ts) is a type here.
 */
import type { ErrorJson } from '../report/error-schema.js';

export interface FatalError {
  readonly code: string;
  readonly message: string;
  readonly hint: string | null;
  readonly exitCode: number;
}

export function errorToJson(error: FatalError): ErrorJson {
  return { error: { code: error.code, message: error.message, hint: error.hint, exitCode: error.exitCode } };
}

/** The log record for `--log-format json`: pino's fields, then the error's. */
export function errorLogRecord(error: FatalError, now: number = Date.now()): string {
  return JSON.stringify({ level: 60, time: now, msg: error.message, code: error.code, hint: error.hint, exitCode: error.exitCode });
}
