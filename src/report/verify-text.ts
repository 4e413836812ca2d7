/**
 * What `lockhouse verify` prints for people: the selection checked against
 * (one line), a changed lock, one line per problem, grouped under Missing /
 * Altered / Extra (and Unverifiable), then the verdict. Pure.
 */
import { describeSelection } from './selection-text.js';
import type { VerifyEntry, VerifyResult } from '../app/verify/types.js';
import { MANIFEST_FILE } from '../output/manifest.js';

export interface VerifyLabels {
  /** DIR as the user gave it. */
  readonly dir: string;
  /** The lock as the user gave it. */
  readonly lock: string;
  /** Where the manifest is, for people (default DIR/lockhouse.json). */
  readonly manifest?: string;
}

export function renderVerifyReport(result: VerifyResult, labels: VerifyLabels): string {
  const lines: string[] = [selectionLine(result, labels.manifest ?? `${labels.dir.replace(/\/+$/, '')}/${MANIFEST_FILE}`)];
  if (result.lockChanged) {
    const change = result.lockChanged;
    lines.push(
      `Changed lock: ${change.path} has sha256 ${change.sha256}; ${labels.dir} was collected from ${change.recorded.path} with sha256 ${change.recorded.sha256}` +
        (change.accepted ? ' (accepted by --allow-changed-lock)' : ' (a problem: --allow-changed-lock accepts it)'),
    );
  }
  const group = (title: string, items: readonly string[]): void => {
    if (items.length === 0) return;
    lines.push(`${title} (${items.length}):`, ...items.map((item) => `  ${item}`));
  };
  group(
    'Missing',
    result.missing.map((file) => `${name(file)}${file.target ? ` for ${file.target}` : ''}: ${file.reason}`),
  );
  group(
    'Altered',
    result.altered.map((file) => {
      const size = file.expectedSize !== null && file.expectedSize !== file.size ? ` (${plural(file.size, 'byte')}; ${file.expectedSize} expected)` : '';
      return `${name(file)}: ${file.algorithm} ${file.actual}, the ${file.from} says ${file.expected}${size}`;
    }),
  );
  group(
    'Extra',
    result.extra.map((file) => `${name(file)}: ${file.reason}`),
  );
  group(
    'Unverifiable',
    result.unverifiable.map((file) => `${name(file)}: present, unverifiable: ${file.reason}`),
  );
  const accepted = result.unverifiable.filter((file) => file.accepted).length;
  if (result.ok) {
    const unverified = accepted ? `, ${plural(accepted, 'file')} present but unverifiable (accepted)` : '';
    lines.push(`${labels.dir} is complete and intact for ${labels.lock}: ${plural(result.checked, 'file')} verified${unverified}`);
  } else {
    lines.push(`${labels.dir} is not complete and intact for ${labels.lock}: ${plural(result.problems, 'problem')} (${plural(result.checked, 'file')} checked)`);
  }
  return `${lines.join('\n')}\n`;
}

/** Which selection was checked: the recorded one (and what the flags given change), or the flags' when none is recorded. */
function selectionLine(result: VerifyResult, manifest: string): string {
  const { selection, planned } = result;
  const checked = describeSelection({ selection: selection.checked, allPlatforms: planned.plan.allPlatforms, targets: planned.plan.targets.map((target) => target.id) });
  const given = selection.given.join(' ');
  const differences = selection.differences.map((difference) => `${difference.what} ${difference.checked} (recorded: ${difference.recorded})`).join('; ');
  if (selection.unrecorded) {
    const why = selection.unrecorded === 'no-manifest' ? 'there is no manifest to say what DIR was collected with' : `${manifest} records none (an older lockhouse wrote it)`;
    return `Selection: ${given ? `the flags given (${given})` : 'the defaults'}, since ${why}: ${checked}`;
  }
  if (selection.source === 'flags') {
    return `Selection: the flags given: ${checked}${differences ? `; it differs from the one recorded in ${manifest}: ${differences}` : ''}`;
  }
  if (!given) {
    return `Selection: as recorded in ${manifest}: ${checked}${differences ? `; for this lock it selects differently: ${differences}` : ''}`;
  }
  return differences
    ? `Selection: as recorded in ${manifest}, but ${given} given, which changes it: ${differences}`
    : `Selection: as recorded in ${manifest} (${given} given, which agrees): ${checked}`;
}

/** `file.whl (pkg 1.0)`, or `pkg 1.0` for a package with no file. */
function name(entry: VerifyEntry): string {
  const pkg = [entry.package, entry.version].filter((part) => part !== null).join(' ');
  if (entry.filename === null) return pkg || '(unknown)';
  return pkg ? `${entry.filename} (${pkg})` : entry.filename;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
