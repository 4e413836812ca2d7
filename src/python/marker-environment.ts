/**
 * What a marker is evaluated against: the environment's eleven variables and
 * the context (extras, dependency groups), and the error for a marker that
 * packaging parses but refuses to evaluate.
 *
 * One deliberate extension: `extra` is a set (MarkerContext.extras), which is
 * how uv.lock's conflict markers read (`extra == 'extra-3-pkg-cpu'` means
 * "that item is activated"). With zero or one element it is exactly
 * packaging's string `extra`.
 */
import { LockhouseError } from '../errors.js';
import type { MarkerEnvironment } from '../model.js';

export type { MarkerEnvironment };

/**
 * What a marker is evaluated with beyond the environment.
 * - `extras`: the values `extra` may take. `extra == 'x'` is true when x is in
 *   the set, `extra != 'x'` when it is not (uv's conflict markers and plain
 *   extras alike). Absent: the set is empty.
 * - `extrasSet` / `dependencyGroups`: the PEP 751 `extras` and
 *   `dependency_groups` variables (`'dev' in dependency_groups`).
 * Names are compared after PEP 503 normalisation, as packaging does.
 */
export interface MarkerContext {
  readonly extras?: ReadonlySet<string>;
  readonly extrasSet?: ReadonlySet<string>;
  readonly dependencyGroups?: ReadonlySet<string>;
}

/**
 * A marker that parses but that packaging refuses to evaluate: a comparison
 * it calls undefined (`os_name ~= 'x'`), a set on the left (`extras == 'x'`),
 * or an unknown variable (`'a' == 'b'` looks `b` up). packaging raises on
 * these whatever the other operands say, and so do we.
 */
export class MarkerEvaluationError extends LockhouseError {
  constructor(
    message: string,
    readonly marker: string,
  ) {
    super('LOCK_INVALID_MARKER', message, { hint: 'packaging (pip, uv) cannot evaluate this marker either; fix it in the lock' });
    this.name = 'MarkerEvaluationError';
  }
}
