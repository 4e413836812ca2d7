import { Command, Option } from 'clipanion';
import { ExitCode } from '../../errors.js';
import { logWarnings } from '../base-command.js';
import type { Logger } from '../logger.js';
import { LockCommand } from '../options/lock-options.js';
import { printPlan } from '../print.js';

export default class PlanCommand extends LockCommand {
  static override paths = [['plan']];

  static override usage = Command.Usage({
    description: 'Show what a collect would fetch and build, for every target, without downloading anything',
    details: `
      Reads the lock (a \`uv.lock\` or a PEP 751 \`pylock.toml\`), selects the packages each target needs — workspace members, their dependencies, the extras and dependency groups asked for, following every PEP 508 marker — and picks, per package and target, the best compatible wheel by the target's tag priority, or the sdist to build where the lock has no wheel that fits. An artifact several targets need is listed once.

      Without target flags the target is this machine, as \`python3\` (or \`--python\`) describes it. Each \`--python-platform\` × \`--python-version\` pair is one target; one run serves them all.

      Exit codes: 0 when everything can be collected; 1 when some package has nothing to collect for some target (each is listed); 2 for bad usage, a lock that cannot be read, or a target the lock refuses.
    `,
    examples: [
      ['Plan for this machine', 'lockhouse plan'],
      [
        'Plan for Linux x86_64 and macOS arm64, Python 3.12 and 3.13',
        'lockhouse plan --python-platform x86_64-manylinux_2_28 --python-platform aarch64-apple-darwin --python-version 3.12 --python-version 3.13',
      ],
      ['A pylock for this machine, without the dev group, as JSON', 'lockhouse plan --lock pylock.toml --no-dev --json'],
    ],
  });

  json = Option.Boolean('--json', false, { description: 'Print the plan as JSON on stdout (schema: schemas/plan.schema.json)' });

  async run(logger: Logger): Promise<number> {
    const { planLock } = await import('../../app/plan.js');
    const result = await planLock(this.planRequest(), { env: process.env });
    const { timings } = result;
    logger.debug(
      {
        parseMs: round(timings.parse),
        targetsMs: round(timings.targets),
        selectMs: round(timings.select),
        planMs: round(timings.plan),
        packagesInLock: result.graph.packages.length,
        targets: result.targets.length,
      },
      'planned',
    );
    logWarnings(logger, result.graph.warnings);
    await printPlan(this.context.stdout, result, this.json, this.verbose > 0);
    return result.plan.errors.length > 0 ? ExitCode.PARTIAL : ExitCode.OK;
  }
}

const round = (ms: number): number => Math.round(ms * 10) / 10;
