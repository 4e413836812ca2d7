import type { Target } from '../../src/model.js';
import { buildTargets } from '../../src/python/targets.js';
import { CORPUS_TARGETS } from './corpus-target-list.js';

export { CORPUS_TARGETS } from './corpus-target-list.js';

/** The six corpus targets (corpus-target-list.js) as lockhouse builds them. */
export function corpusTargets(): Target[] {
  return CORPUS_TARGETS.flatMap(([platform, version]) =>
    buildTargets({ pythonPlatforms: [platform], pythonVersions: [version], platforms: [] }),
  );
}
