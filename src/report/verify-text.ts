/**
 * What `lockhouse verify` prints for people: one line per problem, grouped
 * under Missing / Altered / Extra (and Unverifiable), then the verdict. Pure.
 */
import type { VerifyEntry, VerifyResult } from '../app/verify/types.js';

export interface VerifyLabels {
  /** DIR as the user gave it. */
  readonly dir: string;
  /** The lock as the user gave it. */
  readonly lock: string;
}

export function renderVerifyReport(result: VerifyResult, labels: VerifyLabels): string {
  const lines: string[] = [];
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

/** `file.whl (pkg 1.0)`, or `pkg 1.0` for a package with no file. */
function name(entry: VerifyEntry): string {
  const pkg = [entry.package, entry.version].filter((part) => part !== null).join(' ');
  if (entry.filename === null) return pkg || '(unknown)';
  return pkg ? `${entry.filename} (${pkg})` : entry.filename;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
