import type { Target } from '../../src/model.js';
import { buildTargets } from '../../src/python/targets.js';

/** The six targets every corpus lock must plan for (issue 2). */
export const CORPUS_TARGETS: ReadonlyArray<readonly [platform: string, version: string]> = [
  ['x86_64-manylinux_2_28', '3.12'],
  ['aarch64-manylinux_2_28', '3.11'],
  ['x86_64-unknown-linux-musl', '3.12'],
  ['aarch64-apple-darwin', '3.13'],
  ['x86_64-apple-darwin', '3.10'],
  ['x86_64-pc-windows-msvc', '3.13'],
];

export function corpusTargets(): Target[] {
  return CORPUS_TARGETS.flatMap(([platform, version]) =>
    buildTargets({ pythonPlatforms: [platform], pythonVersions: [version], platforms: [] }),
  );
}
