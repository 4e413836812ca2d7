/**
 * `lockhouse plan` for people: the targets with a number each, one row per
 * artifact (package, version, file, kind, size, targets), what was left out
 * and why, what cannot be collected, and a summary line.
 */
import type { Plan } from '../plan/types.js';
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

function table(header: readonly string[], rows: readonly (readonly string[])[], rightAligned: ReadonlySet<number>): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (rightAligned.has(column) ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

export function renderPlanTable(plan: Plan): string {
  const out: string[] = [];
  const number = new Map(plan.targets.map((target, i) => [target.id, String(i + 1)]));
  if (plan.allPlatforms) out.push('Targets: all platforms (--all-platforms): every artifact of the lock', '');
  else {
    out.push('Targets:');
    plan.targets.forEach((target, i) => out.push(`  ${i + 1}  ${target.id}`));
    out.push('');
  }
  const targetsCell = (ids: readonly string[]): string =>
    plan.allPlatforms ? 'all' : ids.length === plan.targets.length ? 'all' : ids.map((id) => number.get(id) ?? id).join(',');

  const rows = plan.items.map((item) => [
    item.package,
    item.version ?? '-',
    item.filename ?? (item.url === null ? (item.path ?? '-') : shownUrl(item.url)),
    item.build ? `${item.kind} (build)` : item.kind,
    item.size === null ? '-' : formatBytes(item.size),
    targetsCell(item.targets),
  ]);
  if (rows.length > 0) out.push(...table(['package', 'version', 'artifact', 'kind', 'size', 'targets'], rows, new Set([4])), '');

  if (plan.skipped.length > 0) {
    out.push('Left out:');
    for (const skip of plan.skipped) out.push(`  ${skip.package}${skip.version ? ` ${skip.version}` : ''}: ${skip.reason}`);
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
  const bytes = plan.items.reduce((sum, item) => sum + (item.size ?? 0), 0);
  const targets = plan.allPlatforms ? 'all platforms' : plural(plan.targets.length, 'target');
  const parts = [
    plural(plan.packages.length, 'package'),
    `${plural(plan.items.length, 'artifact')} (${plural(wheels, 'wheel')}, ${plural(sdists, 'sdist')}${trees ? `, ${plural(trees, 'source tree')}` : ''})`,
    `${builds} to build`,
    formatBytes(bytes),
    targets,
  ];
  if (plan.skipped.length) parts.push(`${plan.skipped.length} left out`);
  if (plan.errors.length) parts.push(`${plan.errors.length} cannot be collected`);
  return `Plan: ${parts.join(', ')}`;
}
