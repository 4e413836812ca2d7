/** Reading the length headers of a response (no I/O). */

export interface ContentRange {
  readonly start: number;
  /** Inclusive, as in the header. */
  readonly end: number;
  /** The whole file's size, null for `*`. */
  readonly total: number | null;
}

/** `bytes 100-199/1000` (or `/*`); null when absent or malformed. */
export function parseContentRange(value: string | undefined): ContentRange | null {
  const match = value === undefined ? null : /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(value);
  if (!match) return null;
  const start = Number(match[1]);
  const end = Number(match[2]);
  const total = match[3] === '*' ? null : Number(match[3]);
  if (end < start || (total !== null && end >= total)) return null;
  return { start, end, total };
}

/** A Content-Length as a number, null when absent or not a plain non-negative integer. */
export function parseContentLength(value: string | undefined): number | null {
  return value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) : null;
}

/** The file's size in a 416's `Content-Range: bytes *\/N`; null when absent or malformed. */
export function parseUnsatisfiedRange(value: string | undefined): number | null {
  const match = value === undefined ? null : /^\s*bytes\s+\*\/(\d+)\s*$/i.exec(value);
  return match ? Number(match[1]) : null;
}
