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
export function renderCollectSummary(manifest: Manifest, stats: CollectStats, manifestPath: string | null, options: { readonly verbose?: boolean } = {}): string {
  const seconds = stats.elapsedMs / 1000;
  const origins = ORIGINS.filter(([origin]) => stats.byOrigin[origin]).map(([origin, label]) => `${stats.byOrigin[origin]} ${label}`);
  const rate = stats.downloadedBytes > 0 ? `, ${formatBytes(Math.round(stats.downloadedBytes / Math.max(seconds, 0.001)))}/s` : '';
  const packages = new Set(manifest.artifacts.map((artifact) => `${artifact.package}@${artifact.version}`)).size;
  const lines = [
    `Collected ${manifest.artifacts.length} file${manifest.artifacts.length === 1 ? '' : 's'} of ${packages} package${packages === 1 ? '' : 's'} (${formatBytes(stats.bytes)}) in ${seconds.toFixed(1)} s${rate}` +
      (origins.length ? `: ${origins.join(', ')}` : '') +
      (stats.downloadedBytes ? `; ${formatBytes(stats.downloadedBytes)} over the network in ${stats.requests} request${stats.requests === 1 ? '' : 's'}` : ''),
  ];
  if (manifest.failures.length > 0) lines.push(...failureLines(manifest.failures, options.verbose ?? false));
  if (manifest.partial?.left.length) lines.push(...leftLines(manifest.partial.left));
  if (manifestPath !== null) lines.push(`Manifest: ${manifestPath}`);
  return `${lines.join('\n')}\n`;
}

type Failure = Manifest['failures'][number];

/** A part's builds left to other runners (collect --leave-to-other-runners): not failures, but worth a line each. */
function leftLines(left: NonNullable<Manifest['partial']>['left']): string[] {
  return [
    `Left to other runners (${left.length}; lockhouse merge adds their parts):`,
    ...left.map((entry) => `  ${[entry.package, entry.version].filter(Boolean).join(' ')} for ${entry.target}: ${entry.reason}`),
  ];
}

/** Network failures shared by many files of one host are one cause: one line, with the count (-v lists the files). */
const BY_HOST = new Set(['FETCH_NETWORK', 'FETCH_TIMEOUT', 'FETCH_TLS', 'FETCH_TOO_SLOW']);

/** `Failed (N):` and a line per failure — or per host, for a network failure many files share — each naming package, version and file. */
export function failureLines(failures: readonly Failure[], verbose: boolean): string[] {
  const lines = [`Failed (${failures.length}):`];
  const byHost = new Map<string, Failure[]>();
  for (const failure of failures) {
    const host = BY_HOST.has(failure.code) ? hostOf(failure.url) : null;
    if (host) byHost.set(`${failure.code} ${host}`, [...(byHost.get(`${failure.code} ${host}`) ?? []), failure]);
  }
  const grouped = new Set([...byHost.values()].filter((group) => group.length > 1).flat());
  for (const group of byHost.values()) {
    if (group.length < 2) continue;
    const first = group[0]!;
    const host = hostOf(first.url)!;
    lines.push(`  ${host}: ${group.length} files: [${first.code}] ${withoutRequest(first.reason)}`);
    const hint = hostHint(first, host);
    if (hint) lines.push(`    hint: ${hint}`);
    if (verbose) for (const failure of group) lines.push(`    ${label(failure)}`);
    else lines.push(`    (${group.slice(0, 3).map(label).join(', ')}${group.length > 3 ? ', …; -v lists them all' : ''})`);
  }
  for (const failure of failures) {
    if (grouped.has(failure)) continue;
    const what = label(failure);
    // The reason names the URL already when it is a request's failure (GET <url>: …).
    const url = failure.url && !failure.reason.includes(failure.url) ? ` (${failure.url})` : '';
    lines.push(`  ${what ? `${what}: ` : ''}[${failure.code}] ${failure.reason}${url}`);
  }
  return lines;
}

/** package version file (or `for TARGET`), skipping what is not known; '' when nothing is. */
function label(failure: Failure): string {
  return [failure.package, failure.version, failure.filename ?? (failure.target ? `for ${failure.target}` : null)].filter(Boolean).join(' ');
}

function hostOf(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

/** A request's failure without its `GET <url>: ` head: in a line for a whole host, the URL is one of many. */
function withoutRequest(reason: string): string {
  return reason.replace(/^GET \S+: /, '');
}

function hostHint(failure: Failure, host: string): string | null {
  if (/ENOTFOUND|EAI_AGAIN|does not resolve/.test(failure.reason)) return `${host} cannot be resolved — offline? use --mirror FROM=TO or --find-links DIR (or --offline with the cache)`;
  if (failure.code === 'FETCH_TLS') return `the TLS connection to ${host} fails for every file: a private CA or an intercepting proxy goes in SSL_CERT_FILE or NODE_EXTRA_CA_CERTS`;
  if (failure.code === 'FETCH_TIMEOUT' || failure.code === 'FETCH_TOO_SLOW') return `${host} is too slow or unreachable for every file: check the network or proxy (HTTPS_PROXY), or raise the limits (--timeout)`;
  return null;
}
