/** What a lock's roots ask for directly: the names pip is told to install from a wheelhouse. */
import { readFileSync } from 'node:fs';
import { parseLock } from '../../src/lock/parse.js';
import { evaluateMarker, type MarkerEnvironment } from '../../src/python/markers.js';
import { workspaceRoots } from '../../src/select/uv-roots.js';

/** The roots' direct dependencies that hold on this machine and are not local projects. */
export function directDependencies(lockPath: string, markers: MarkerEnvironment): string[] {
  const graph = parseLock(readFileSync(lockPath, 'utf8'), lockPath);
  const roots = workspaceRoots(graph, graph.uv!);
  const local = new Set(['editable', 'directory', 'virtual']);
  const names = new Set<string>();
  for (const root of roots) {
    for (const dep of root.dependencies) {
      const target = graph.packages[dep.target]!;
      if (local.has(target.source.kind)) continue;
      if (dep.marker && !evaluateMarker(dep.marker, markers, { extras: new Set() })) continue;
      names.add(`${target.name}==${target.version}`);
    }
  }
  return [...names].sort();
}
