/**
 * PEP 508 environment markers: parse once, evaluate many times.
 * STUB: the real implementation replaces this file, keeping these exports.
 */

/** The eleven PEP 508 marker variables of one environment. */
export interface MarkerEnvironment {
  readonly implementation_name: string;
  readonly implementation_version: string;
  readonly os_name: string;
  readonly platform_machine: string;
  readonly platform_python_implementation: string;
  readonly platform_release: string;
  readonly platform_system: string;
  readonly platform_version: string;
  readonly python_full_version: string;
  readonly python_version: string;
  readonly sys_platform: string;
}

/**
 * What a marker is evaluated with beyond the environment.
 * - `extras`: the values `extra` may take. `extra == 'x'` is true when x is in
 *   the set, `extra != 'x'` when it is not (uv's conflict markers and plain
 *   extras alike). Absent: the set is empty.
 * - `extrasSet` / `dependencyGroups`: the PEP 751 `extras` and
 *   `dependency_groups` variables (`'dev' in dependency_groups`).
 */
export interface MarkerContext {
  readonly extras?: ReadonlySet<string>;
  readonly extrasSet?: ReadonlySet<string>;
  readonly dependencyGroups?: ReadonlySet<string>;
}

export interface Marker {
  readonly text: string;
}

export class MarkerSyntaxError extends Error {
  constructor(
    message: string,
    readonly marker: string,
    readonly position: number,
  ) {
    super(message);
    this.name = 'MarkerSyntaxError';
  }
}

export function parseMarker(text: string): Marker {
  return { text };
}

export function evaluateMarker(_marker: Marker, _env: MarkerEnvironment, _context: MarkerContext = {}): boolean {
  throw new Error('markers: not implemented');
}
