/**
 * The one way commands check an option value that clipanion hands over as a
 * string: each check returns the typed value or throws a USAGE error (exit 2)
 * that names the flag, what it takes and what it got, e.g.
 * `error[USAGE]: --concurrency takes a whole number of at least 1, not "0"`.
 *
 * Plain functions rather than typanion validators on the options: clipanion
 * reports a validator's failure as `Usage Error: Invalid value for
 * --concurrency: expected to be at least 1 (got 0)` followed by the command's
 * whole synopsis (sixty options for collect), without saying that --timeout
 * counts seconds; this gives the one line above, in the `error[…]` shape of
 * every other lockhouse error (docs/errors.md).
 */
import { LockhouseError } from '../../errors.js';

/** A whole number of at least `min`: --concurrency, --build-jobs (1), --retries (0). */
export function wholeNumber(flag: string, value: string, min: number): number {
  const number = Number(value);
  if (Number.isInteger(number) && number >= min) return number;
  throw invalid(flag, min === 0 ? 'a whole number (0 or more)' : `a whole number of at least ${min}`, value);
}

/** A number of seconds above 0, returned in milliseconds: --timeout. */
export function secondsAsMs(flag: string, value: string): number {
  const number = Number(value);
  if (Number.isFinite(number) && number > 0) return number * 1000;
  throw invalid(flag, 'a number of seconds above 0', value);
}

/**
 * A number of bytes of at least `min`, with an optional binary unit (K, M, G,
 * T, also written KiB, MiB…; all multiples of 1024): --max-file-size,
 * --min-rate. `1.5G` is allowed and rounded down to a whole byte.
 */
export function byteSize(flag: string, value: string, min: number): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmgt])(?:i?b)?|b)?\s*$/i.exec(value);
  const power = match?.[2] ? 'kmgt'.indexOf(match[2].toLowerCase()) + 1 : 0;
  const bytes = match ? Math.floor(Number(match[1]) * 1024 ** power) : NaN;
  if (Number.isSafeInteger(bytes) && bytes >= min) return bytes;
  throw invalid(flag, `a number of bytes${min > 0 ? ` of at least ${min}` : ''}, with an optional unit (K, M, G, T: multiples of 1024)`, value);
}

/** One of a fixed set of words: --layout, --log-format. */
export function oneOf<const Choice extends string>(flag: string, value: string, choices: readonly Choice[]): Choice {
  const found = choices.find((choice) => choice === value);
  if (found !== undefined) return found;
  throw invalid(flag, `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`, value);
}

function invalid(flag: string, takes: string, value: string): LockhouseError {
  return new LockhouseError('USAGE', `${flag} takes ${takes}, not "${value}"`);
}
