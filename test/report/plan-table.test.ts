/** `lockhouse plan` as people read it (src/report/plan-table.ts): a table that fits the terminal, reasons not lists, sizes unknown said so, unhashed files flagged. */
import { describe, expect, it } from 'vitest';
import { plan } from '../../src/plan/index.js';
import { renderPlanTable } from '../../src/report/plan-table.js';
import { select } from '../../src/select/index.js';
import { LINUX, MAC, WINDOWS, graphOf, pkg, uvLock } from '../helpers/uv-lock.js';

const app = (deps: string[]): string => pkg('app', { source: '{ editable = "." }', deps });
const natives = Array.from({ length: 6 }, (_, i) =>
  pkg(`native-with-a-rather-long-name-${i}`, {
    wheels: [`native_with_a_rather_long_name_${i}-1.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl`, `native_with_a_rather_long_name_${i}-1.0.0-cp312-cp312-win_amd64.whl`],
  }),
);
const graph = graphOf(uvLock({}, app(natives.map((_, i) => `native-with-a-rather-long-name-${i}`)), ...natives));
const planned = plan(graph, select(graph, [LINUX, WINDOWS, MAC], { excludePackages: [] }));

describe('the plan table', () => {
  it('fits the terminal it is printed on, cutting file names from the front (their tags stay)', () => {
    const wide = renderPlanTable(planned);
    expect(Math.max(...wide.split('\n').map((line) => line.length))).toBeGreaterThan(100);
    const narrow = renderPlanTable(planned, { columns: 80 });
    // The table, from its header to the blank line after it (messages below are prose, which the terminal wraps).
    const lines = narrow.split('\n');
    const header = lines.findIndex((line) => line.startsWith('package'));
    const rows = lines.slice(header, lines.indexOf('', header));
    expect(rows.length).toBeGreaterThan(10);
    for (const line of rows) expect(line.length, line).toBeLessThanOrEqual(80);
    expect(narrow).toMatch(/…[^ ]*win_amd64\.whl/);
  });

  it('fits a narrow terminal with long versions and target lists too: no line, header and rule included, is wider', () => {
    const long = Array.from({ length: 3 }, (_, i) =>
      pkg(`pkg-${i}`, { version: `2024.12.${i}.post1.dev3`, wheels: [`pkg_${i}-2024.12.${i}.post1.dev3-cp312-cp312-manylinux_2_17_x86_64.whl`, `pkg_${i}-2024.12.${i}.post1.dev3-cp312-cp312-win_amd64.whl`] }),
    );
    const longGraph = graphOf(uvLock({}, app(long.map((_, i) => `pkg-${i}`)), ...long));
    const longPlan = plan(longGraph, select(longGraph, [LINUX, WINDOWS, MAC], { excludePackages: [] }));
    for (const columns of [80, 60]) {
      const lines = renderPlanTable(longPlan, { columns }).split('\n');
      const header = lines.findIndex((line) => line.startsWith('package'));
      const rows = lines.slice(header, lines.indexOf('', header));
      expect(rows.length).toBeGreaterThan(3);
      for (const line of rows) expect(line.length, `${columns}: ${line}`).toBeLessThanOrEqual(columns);
    }
  });

  it('says "Left out" by reason, and lists each package with -v', () => {
    const excluded = plan(graph, select(graph, [LINUX], { excludePackages: natives.map((_, i) => `native-with-a-rather-long-name-${i}`) }));
    const short = renderPlanTable(excluded);
    expect(short).toContain('  6 packages: excluded (--exclude-package) (-v lists them)');
    expect(short).not.toContain('native-with-a-rather-long-name-3 1.0.0: excluded');
    expect(renderPlanTable(excluded, { verbose: true })).toContain('  native-with-a-rather-long-name-3 1.0.0: excluded (--exclude-package)');
  });

  it('shows a size the lock does not give as unknown, never as 0 B', () => {
    const sizeless = graphOf(uvLock({}, app(['bare']), pkg('bare')).replace(/, size = \d+/g, ''));
    const text = renderPlanTable(plan(sizeless, select(sizeless, [LINUX], {})));
    expect(text).toMatch(/bare-1\.0\.0-py3-none-any\.whl +wheel +\? +all/);
    expect(text).toContain(', size unknown, ');
    expect(text).not.toContain('0 B');
  });

  it('flags a file the lock gives no strong hash for, with the flag collect needs to take it', () => {
    const text = (hash: string): string => {
      const lock = graphOf(uvLock({}, app(['loose']), pkg('loose')).replace(/, hash = "sha256:[0-9a-f]+"/, hash));
      return renderPlanTable(plan(lock, select(lock, [LINUX], {})));
    };
    expect(text('')).toMatch(/loose-1\.0\.0-py3-none-any\.whl +wheel ! /);
    expect(text('')).toContain('! 1 file the lock gives no strong hash for: collect refuses it unless --allow-unhashed');
    expect(text(`, hash = "md5:${'a'.repeat(32)}"`)).toContain('unless --allow-weak-hashes');
    expect(renderPlanTable(planned)).not.toContain('!');
  });
});
