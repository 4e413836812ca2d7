/**
 * `lockhouse plan` for people: the targets with a number each, one row per
 * artifact (package, version, file, kind, size, targets) in a table that
 * fits the terminal, what was left out (by reason; each package with -v),
 * what cannot be collected, and a summary line. Files the lock gives no
 * strong hash for are flagged with the flag collect needs to take them. Pure.
 */
import type { Plan, PlanItem } from '../plan/types.js';
import { shownUrl } from './plan-json.js';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

export interface PlanTableOptions {
  /** The terminal's width; the table is narrowed to fit it (null: no limit, as when printing to a file). */
  readonly columns?: number | null;
  /** -v: list every package left out, not only how many for each reason. */
  readonly verbose?: boolean;
  /** What the selection flags amounted to (report/selection-text.ts), for the header. */
  readonly selection?: string;
}

/**
 * Columns that give way when the table is wider than the terminal, in the
 * order they give: the file name (cut from the front: its end, the tags, is
 * what tells files apart), then the package name and the kind (cut at the
 * end), each down to a floor; past that the table is as narrow as it gets.
 */
const GIVING: ReadonlyArray<{ readonly column: number; readonly floor: number; readonly keep: 'end' | 'start' }> = [
  { column: 2, floor: 24, keep: 'end' },
  { column: 0, floor: 16, keep: 'start' },
  { column: 3, floor: 6, keep: 'start' },
  { column: 1, floor: 8, keep: 'start' },
];

const STRONG = ['sha256', 'sha384', 'sha512'];
const WEAK = ['sha1', 'md5'];

/** The flag collect needs to take a file the lock gives no strong hash for, or null. */
function hashFlag(item: PlanItem): string | null {
  if (!item.artifact) return null;
  const algorithms = Object.keys(item.artifact.hashes);
  if (algorithms.some((algorithm) => STRONG.includes(algorithm))) return null;
  return algorithms.some((algorithm) => WEAK.includes(algorithm)) ? '--allow-weak-hashes' : '--allow-unhashed';
}

/** Target numbers as ranges: 1-4,6. */
function ranges(numbers: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
    out.push(j > i ? `${numbers[i]}-${numbers[j]}` : String(numbers[i]));
    i = j + 1;
  }
  return out.join(',');
}

/** `text` cut to `width` with `…`, keeping its start or its end. */
function elide(text: string, width: number, keep: 'start' | 'end'): string {
  if (text.length <= width) return text;
  return keep === 'end' ? `…${text.slice(text.length - (width - 1))}` : `${text.slice(0, width - 1)}…`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>, columns: number | null): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const keeps = new Map<number, 'start' | 'end'>();
  for (const { column, floor, keep } of columns === null ? [] : GIVING) {
    const over = widths.reduce((sum, width) => sum + width, 0) + 2 * (widths.length - 1) - columns!;
    if (over <= 0) break;
    widths[column] = Math.max(floor, header[column]!.length, widths[column]! - over);
    keeps.set(column, keep);
  }
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => {
        const keep = keeps.get(column);
        const text = keep ? elide(cell, widths[column]!, keep) : cell;
        return rightAligned.has(column) ? text.padStart(widths[column]!) : text.padEnd(widths[column]!);
      })
      .join('  ')
      .trimEnd();
  // Where the floors still leave it too wide, every line (the header and its rule too) is cut: none wraps.
  const fit = (text: string): string => (columns === null ? text : elide(text, columns, 'start'));
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].map(fit);
}

export function renderPlanTable(plan: Plan, options: PlanTableOptions = {}): string {
  const columns = options.columns ?? null;
  const out: string[] = [];
  const number = new Map(plan.targets.map((target, i) => [target.id, i + 1]));
  if (plan.allPlatforms) out.push('Targets: all platforms (--all-platforms): every artifact of the lock', '');
  else {
    out.push('Targets:');
    plan.targets.forEach((target, i) => out.push(`  ${i + 1}  ${target.id}`));
    out.push('');
  }
  if (options.selection) out.push(`Selection: ${options.selection}`, '');
  const targetsCell = (ids: readonly string[]): string => {
    if (plan.allPlatforms || ids.length === plan.targets.length) return 'all';
    const cell = ranges(ids.map((id) => number.get(id) ?? 0).sort((a, b) => a - b));
    return cell.length <= 16 ? cell : `${ids.length} of ${plan.targets.length}`;
  };

  const flagged = plan.items.filter((item) => hashFlag(item) !== null);
  const rows = plan.items.map((item) => {
    const flag = hashFlag(item);
    return [
      item.package,
      item.version ?? '-',
      item.filename ?? (item.url === null ? (item.path ?? '-') : shownUrl(item.url)),
      `${item.build ? `${item.kind} (build)` : item.kind}${flag ? ' !' : ''}`,
      item.size === null ? '?' : formatBytes(item.size),
      targetsCell(item.targets),
    ];
  });
  if (rows.length > 0) out.push(...table(['package', 'version', 'artifact', 'kind', 'size', 'targets'], rows, new Set([4]), columns), '');
  if (flagged.length > 0) {
    const flags = [...new Set(flagged.map(hashFlag))].join(' or ');
    out.push(`! ${flagged.length} file${flagged.length === 1 ? '' : 's'} the lock gives no strong hash for: collect refuses ${flagged.length === 1 ? 'it' : 'them'} unless ${flags} (HASH_MISSING, HASH_WEAK)`, '');
  }

  if (plan.skipped.length > 0) {
    out.push('Left out:');
    const byReason = new Map<string, string[]>();
    for (const skip of plan.skipped) byReason.set(skip.reason, [...(byReason.get(skip.reason) ?? []), `${skip.package}${skip.version ? ` ${skip.version}` : ''}`]);
    for (const [reason, packages] of byReason) {
      if (options.verbose || packages.length === 1) for (const name of packages) out.push(`  ${name}: ${reason}`);
      else out.push(`  ${packages.length} packages: ${reason} (-v lists them)`);
    }
    out.push('');
  }
  if (plan.warnings.length > 0) {
    out.push('Warnings:');
    for (const warning of plan.warnings) out.push(`  ${warning.target ? `[${number.get(warning.target) ?? warning.target}] ` : ''}${warning.message}`);
    out.push('');
  }
  if (plan.errors.length > 0) {
    out.push('Cannot be collected:');
    for (const error of plan.errors) out.push(`  ${error.target ? `[${number.get(error.target) ?? error.target}] ` : ''}${error.message}`);
    out.push('');
  }
  out.push(summaryLine(plan));
  return `${out.join('\n')}\n`;
}

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

function summaryLine(plan: Plan): string {
  const wheels = plan.items.filter((item) => item.kind === 'wheel').length;
  const sdists = plan.items.filter((item) => item.kind === 'sdist').length;
  const trees = plan.items.length - wheels - sdists;
  const builds = plan.items.filter((item) => item.build).length;
  const files = plan.items.filter((item) => item.kind === 'wheel' || item.kind === 'sdist');
  const bytes = files.reduce((sum, item) => sum + (item.size ?? 0), 0);
  const unknown = files.filter((item) => item.size === null).length;
  // Sizes the lock does not give are not summed as 0 B: they are unknown.
  const size = unknown === 0 ? formatBytes(bytes) : unknown === files.length ? 'size unknown' : `${formatBytes(bytes)} + ${unknown} of unknown size`;
  const targets = plan.allPlatforms ? 'all platforms' : plural(plan.targets.length, 'target');
  const parts = [
    plural(plan.packages.length, 'package'),
    `${plural(plan.items.length, 'artifact')} (${plural(wheels, 'wheel')}, ${plural(sdists, 'sdist')}${trees ? `, ${plural(trees, 'source tree')}` : ''})`,
    `${builds} to build`,
    size,
    targets,
  ];
  if (plan.skipped.length) parts.push(`${plan.skipped.length} left out`);
  if (plan.errors.length) parts.push(`${plan.errors.length} cannot be collected`);
  return `Plan: ${parts.join(', ')}`;
}
