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
export async function printPlan(stdout: NodeJS.WritableStream, planned: Pick<PlanResult, 'plan' | 'lock'>, json: boolean, verbose = false): Promise<void> {
  if (json) {
    const { planToJson } = await import('../report/plan-json.js');
    printJson(stdout, planToJson(planned.plan, planned.lock));
  } else {
    const { renderPlanTable } = await import('../report/plan-table.js');
    // On a terminal the table fits its width; in a file or a pipe it is whole.
    const tty = stdout as NodeJS.WriteStream;
    stdout.write(renderPlanTable(planned.plan, { columns: tty.isTTY ? (tty.columns ?? 80) : null, verbose }));
  }
}
