/**
 * The option that makes a collect one part of a CI matrix: each runner
 * builds what its platform can, and `lockhouse merge` puts the parts
 * together. Only `collect` takes it: a bundle is always whole.
 */
import { Option } from 'clipanion';

export function leaveToOtherRunnersOption(): boolean {
  return Option.Boolean('--leave-to-other-runners', false, {
    description:
      'This collection is one part of several, one per runner (a CI matrix): a target this machine cannot build for (a compiled sdist for another platform, a Python it lacks) is left to another runner — recorded in the manifest, not a failure; lockhouse merge puts the parts together',
  });
}
