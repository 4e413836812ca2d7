/**
 * The platform half of a target, whichever way it was named: uv's names
 * (uv-platforms.ts), pip's tags (pip-platforms.ts) or the host (host.ts).
 */

export type Os = 'linux' | 'darwin' | 'windows' | 'other';

/** Where a target runs: the part of a target that does not depend on Python. */
export interface Platform {
  /** The name the target shows: a uv name, pip's first tag, or the host's. */
  readonly name: string;
  readonly os: Os;
  /** `platform_machine` as CPython reports it there. */
  readonly machine: string;
  /** Platform tags, best first. */
  readonly tags: readonly string[];
}

/**
 * What CPython's platform.machine() says on Windows. x64 is "AMD64", as real
 * CPython reports it; uv says "x86_64" there (uv issues 15060 and 16576), so
 * `platform_machine == 'AMD64'` markers select differently in uv — a
 * deliberate difference, in the docs.
 */
export const WINDOWS_MACHINE = { win_amd64: 'AMD64', win_arm64: 'ARM64', win32: 'x86' } as const;
