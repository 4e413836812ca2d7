/**
 * The summary `lockhouse merge` prints on stderr: the parts and what each
 * gave, whether the result is complete for the lock, what is missing for
 * which target, and where the manifest is. Pure.
 */
import type { WrittenManifest } from '../output/manifest.js';
import { failureLines } from './collect-summary.js';
import { formatBytes } from './plan-table.js';

const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;

export function renderMergeSummary(manifest: WrittenManifest, manifestPath: string, options: { readonly dir: string; readonly lock: string; readonly verbose?: boolean }): string {
  const parts = manifest.merged?.parts ?? [];
  const packages = new Set(manifest.artifacts.map((artifact) => `${artifact.package}@${artifact.version}`)).size;
  const bytes = manifest.artifacts.reduce((sum, artifact) => sum + artifact.size, 0);
  const targets = manifest.allPlatforms ? 'every platform (--all-platforms)' : plural(manifest.targets.length, 'target');
  const lines = [
    `Merged ${plural(parts.length, 'part')} into ${options.dir}: ${plural(manifest.artifacts.length, 'file')} of ${plural(packages, 'package')} (${formatBytes(bytes)}) for ${targets}`,
    ...parts.map((part) => {
      const left = part.left ? `; it left ${plural(part.left, 'build')} to other runners` : '';
      return `  ${part.name}: ${plural(part.files, 'file')} taken, collected for ${part.targets.join(', ') || 'every platform'}${left}`;
    }),
  ];
  if (manifest.failures.length === 0) {
    lines.push(`Complete for ${options.lock}: every target has every file it needs, each verified as it landed`);
  } else {
    lines.push(...failureLines(manifest.failures, options.verbose ?? false));
  }
  lines.push(`Manifest: ${manifestPath}`);
  return `${lines.join('\n')}\n`;
}
