/**
 * The errors of the build layer, all LockhouseErrors with codes from
 * src/errors.ts (docs/errors.md has their fixes):
 * - BUILD_FAILED: the frontend failed, or wrote no wheel, or several (BuildError);
 * - BUILD_NO_FRONTEND: no uv, no build, no pip (frontend.ts);
 * - BUILD_WRONG_WHEEL: the built file is not a sound wheel (wheel-identity.ts);
 * - GIT_NOT_FOUND, GIT_FAILED: git.ts.
 */
import { LockhouseError, type LockhouseErrorOptions } from '../../errors.js';

/** A build that did not give exactly one wheel. The message is one line; the log's last lines are `tail`. */
export class BuildError extends LockhouseError {
  /** The build log, whole. */
  readonly logPath: string;
  /** Its last lines (20 unless the log is shorter), for the failure's message. */
  readonly tail: readonly string[];

  constructor(message: string, details: { readonly logPath: string; readonly tail: readonly string[] }, options: LockhouseErrorOptions = {}) {
    super('BUILD_FAILED', message, { hint: `the build log is ${details.logPath}`, ...options });
    this.name = 'BuildError';
    this.logPath = details.logPath;
    this.tail = details.tail;
  }
}
