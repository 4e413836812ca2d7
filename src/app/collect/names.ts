/**
 * Before DIR is touched: every file the jobs put there must have a name DIR
 * can take. The lock reader checked names against the wheel and sdist
 * grammars; a direct URL's archive may carry any name, and some plain-
 * looking ones (`a:b.zip`, `.lockhouse.zip`) are still not for DIR.
 */
import { LockhouseError } from '../../errors.js';
import { unsafeNameReason } from '../../io/wheelhouse/safe-paths.js';
import type { LockGraph } from '../../model.js';
import type { Jobs } from '../../plan/jobs.js';
import { quoteName } from '../../python/names.js';

/** Throws OUTPUT_UNSAFE_PATH, naming the package and where the lock names it, for the first file whose name DIR cannot take. */
export function refuseUnsafeNames(graph: LockGraph, jobs: Jobs): void {
  for (const job of jobs.files) {
    const why = unsafeNameReason(job.filename);
    if (why === null) continue;
    const { item } = job;
    const where = `${graph.path}: ${item.artifact?.where ?? ''} (${item.package}${item.version === null ? '' : ` ${item.version}`})`;
    throw new LockhouseError('OUTPUT_UNSAFE_PATH', `${where}: refusing to write ${quoteName(job.filename)} in the output directory: ${why}`, {
      hint: 'the lock names this file; a wheel or sdist name is a plain file name',
    });
  }
}
