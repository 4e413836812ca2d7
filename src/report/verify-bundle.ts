/** `lockhouse verify --bundle`: the report and the JSON. Pure. */
import type { BundleProblem, BundleVerifyResult } from '../app/verify/bundle.js';
import { verifyToJson, type VerifyJson } from './verify-json.js';
import { renderVerifyReport } from './verify-text.js';

/** The result without the manifest, and the lock check as `lockhouse verify --json` prints it for a directory (null without --lock). */
export type BundleVerifyJson = Omit<BundleVerifyResult, 'manifest' | 'lock'> & { readonly lock: VerifyJson | null };

export function bundleVerifyToJson(result: BundleVerifyResult): BundleVerifyJson {
  return {
    bundle: result.bundle,
    ok: result.ok,
    problems: result.problems,
    entries: result.entries,
    generator: result.generator,
    missing: result.missing,
    altered: result.altered,
    extra: result.extra,
    unverifiable: result.unverifiable,
    lock: result.lock ? verifyToJson(result.lock) : null,
    delta: result.delta,
  };
}

export function renderBundleVerifyReport(result: BundleVerifyResult, label: string): string {
  const lines: string[] = [];
  const section = (title: string, problems: readonly BundleProblem[]): void => {
    if (!problems.length) return;
    lines.push(`${title} (${problems.length}):`);
    for (const problem of problems) {
      lines.push(`  ${problem.entry}: ${problem.reason}`);
      if (problem.expected) lines.push(`    expected sha256 ${problem.expected}`, `    actual   sha256 ${problem.actual}`);
    }
  };
  section('Missing', result.missing);
  section('Altered', result.altered);
  section('Extra', result.extra);
  section('Unverifiable', result.unverifiable);
  const own = result.missing.length + result.altered.length + result.extra.length + result.unverifiable.length;
  if (result.delta) {
    const { carries, files, since, fromBase } = result.delta;
    lines.push(
      `${label} is a delta since the manifest ${since.slice(0, 16)}…: it carries ${carries} of the ${files} files its manifest lists; ` +
        `the other ${files - carries} are expected in the wheelhouse it updates (its installer checks them there)` +
        (result.lock ? `, so the lock check counts the ${fromBase.length} it finds absent here as from the base, not missing` : ''),
    );
  }
  lines.push(
    own === 0
      ? `${label} is intact: ${result.entries} entries match SHA256SUMS and the manifest, and the installer and emitted files are ${result.generator ?? 'lockhouse'}'s`
      : `${label} is not intact: ${own} problem${own === 1 ? '' : 's'} (${result.entries} entries read)`,
  );
  let text = `${lines.join('\n')}\n`;
  if (result.lock) text += renderVerifyReport(result.lock, { dir: label, lock: result.lock.planned.lock.path, manifest: `the manifest in ${label}` });
  return text;
}
