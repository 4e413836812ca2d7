/**
 * What more than one command prints on stdout: JSON data, and a plan (by
 * plan, and by collect --dry-run). The report modules are loaded when
 * something is printed, not with the command definitions.
 */
import type { PlanResult } from '../app/plan.js';

/** `--json` data: the value, indented by two spaces, and a newline. */
export function printJson(stdout: NodeJS.WritableStream, value: unknown): void {
  stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** The plan as JSON (schemas/plan.schema.json) or as the table people read. */
export async function printPlan(stdout: NodeJS.WritableStream, planned: Pick<PlanResult, 'plan' | 'lock' | 'selection' | 'graph'>, json: boolean, verbose = false): Promise<void> {
  if (json) {
    const { planToJson } = await import('../report/plan-json.js');
    printJson(stdout, planToJson(planned.plan, planned.lock));
  } else {
    const { renderPlanTable } = await import('../report/plan-table.js');
    const { describeSelection } = await import('../report/selection-text.js');
    // The targets are listed above the table: the line says the rest of the selection.
    const { workspaceRoots } = await import('../select/uv-roots.js');
    const members = planned.graph.uv ? workspaceRoots(planned.graph, planned.graph.uv).map((pkg) => pkg.displayName) : [];
    const roots = planned.selection.packages.length ? planned.selection.packages : members;
    const from = planned.graph.pylock ? "the pylock's packages" : roots.length ? `roots ${[...roots].sort().join(', ')}` : 'the lock\'s requirements';
    const selection = `${from}; ${describeSelection({ selection: planned.selection, allPlatforms: planned.plan.allPlatforms, targets: [] }).replace(/^targets none; /, '')}`;
    // On a terminal the table fits its width; in a file or a pipe it is whole.
    const tty = stdout as NodeJS.WriteStream;
    stdout.write(renderPlanTable(planned.plan, { columns: tty.isTTY ? (tty.columns ?? 80) : null, verbose, selection }));
  }
}
