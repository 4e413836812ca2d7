/**
 * The summary a collect prints on stderr: files by origin, bytes, time,
 * throughput, and every failure with its reason. Pure.
 */
import type { CollectStats } from '../app/collect/stats.js';
import type { Manifest } from '../output/manifest.js';
import { formatBytes } from './plan-table.js';

const ORIGINS: ReadonlyArray<[keyof CollectStats['byOrigin'], string]> = [
  ['download', 'downloaded'],
  ['existing', 'already there'],
  ['cache', 'from the cache'],
  ['find-links', 'from --find-links'],
  ['path', 'from local paths'],
  ['build', 'built'],
];

/**
 * `manifestPath`: where the manifest was written, for a last `Manifest:` line;
 * null leaves the line out (bundle: the manifest travels inside the bundle,
 * and the wheelhouse it was written to is usually a temporary folder).
 */
export function renderCollectSummary(manifest: Manifest, stats: CollectStats, manifestPath: string | null): string {
  const seconds = stats.elapsedMs / 1000;
  const origins = ORIGINS.filter(([origin]) => stats.byOrigin[origin]).map(([origin, label]) => `${stats.byOrigin[origin]} ${label}`);
  const rate = stats.downloadedBytes > 0 ? `, ${formatBytes(Math.round(stats.downloadedBytes / Math.max(seconds, 0.001)))}/s` : '';
  const packages = new Set(manifest.artifacts.map((artifact) => `${artifact.package}@${artifact.version}`)).size;
  const lines = [
    `Collected ${manifest.artifacts.length} file${manifest.artifacts.length === 1 ? '' : 's'} of ${packages} package${packages === 1 ? '' : 's'} (${formatBytes(stats.bytes)}) in ${seconds.toFixed(1)} s${rate}` +
      (origins.length ? `: ${origins.join(', ')}` : '') +
      (stats.downloadedBytes ? `; ${formatBytes(stats.downloadedBytes)} over the network in ${stats.requests} request${stats.requests === 1 ? '' : 's'}` : ''),
  ];
  if (manifest.failures.length > 0) {
    lines.push(`Failed (${manifest.failures.length}):`);
    for (const failure of manifest.failures) {
      const what = [failure.package, failure.version, failure.filename ?? (failure.target ? `for ${failure.target}` : null)].filter(Boolean).join(' ');
      lines.push(`  ${what}: [${failure.code}] ${failure.reason}${failure.url ? ` (${failure.url})` : ''}`);
    }
  }
  if (manifestPath !== null) lines.push(`Manifest: ${manifestPath}`);
  return `${lines.join('\n')}\n`;
}
