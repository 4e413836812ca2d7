import { Command, Option } from 'clipanion';
import { logWarnings } from '../base-command.js';
import type { Logger } from '../logger.js';
import { CollectingCommand } from '../options/collect-options.js';
import { leaveToOtherRunnersOption } from '../options/runner-options.js';
import { emitPylockOption, emitRequirementsOption, emitSbomOption, layoutOption, outputsOf } from '../options/output-options.js';
import { printJson, printPlan } from '../print.js';
import { version } from '../version.js';
import type { CollectSinceResult } from '../../app/collect/since.js';

export default class CollectCommand extends CollectingCommand {
  static override paths = [['collect']];

  static override usage = Command.Usage({
    description: 'Fetch, verify and write every wheel the lock needs for the targets into a wheelhouse directory',
    details: `
      Plans as \`lockhouse plan\` does, then puts every file of the plan into the output directory (\`./wheelhouse\` by default) from the first source that has it with the lock's sha256: a verified file already there, a \`--find-links\` directory, a local path the lock names, the cache, then the network (or its \`--mirror\`). Every byte is hashed on the way and renamed into place only when it matches, so nothing partial or unverified is ever under a final name.

      The result installs offline with \`pip install --no-index --find-links DIR …\`. \`DIR/lockhouse.json\` (the manifest) lists every file, where it came from, and every failure. A second run over a complete directory downloads nothing.

      Where the lock has no wheel that fits a target (or \`--no-binary\` asks), and for git sources and local projects, a wheel is built with a standard PEP 517 frontend (\`uv build\`, else \`python -m build\`, else \`pip wheel\`) by an interpreter of the target's Python, and checked: it must carry the locked name and version, and it serves only the targets its tags fit. Built wheels are cached; build logs are under \`DIR/.lockhouse/logs/\`.

      With \`--since OLD\` (the last shipment: a wheelhouse, its \`lockhouse.json\`, or a bundle), DIR becomes a delta folder: it receives only the files OLD lacks (by name and sha256), and its manifest lists every file, with \`delta\` saying which DIR holds. Copy it over the far side's wheelhouse; \`lockhouse verify\` then checks the result.

      Exit codes: 0 everything collected; 1 some artifacts failed (each is listed; the rest are collected); 2 bad usage or a lock that cannot be read; 3 a hash mismatch.
    `,
    examples: [
      ['Collect for this machine into ./wheelhouse', 'lockhouse collect'],
      [
        'Collect for Linux x86_64 and aarch64, Python 3.12, without dev dependencies',
        'lockhouse collect -o dist/wheels --python-platform x86_64-manylinux_2_28 --python-platform aarch64-manylinux_2_28 --python-version 3.12 --no-dev',
      ],
      [
        'Staging: build what has no wheel here, and write a pylock and hashed requirements that install the wheelhouse offline',
        'lockhouse collect -o wheels --no-dev --emit-pylock wheels/pylock.toml --emit-requirements wheels/requirements.txt',
      ],
    ],
  });

  output = Option.String('-o,--output', 'wheelhouse', { description: 'The wheelhouse directory (flat, for pip --find-links)' });
  clean = Option.Boolean('--clean', false, {
    description:
      "Remove the files lockhouse put in DIR that this collection does not contain (files the last manifest records; wheels, sdists and their .metadata), never any other; refused where DIR holds the lock or the project",
  });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Print the plan and stop (as lockhouse plan)' });
  layout = layoutOption();
  emitPylock = emitPylockOption('collected');
  emitRequirements = emitRequirementsOption();
  emitSbom = emitSbomOption('collected');
  since = Option.String('--since', {
    description: "Write a delta folder: only the files OLD lacks (by name and sha256), with the whole manifest. OLD is the last shipment: a wheelhouse, its lockhouse.json, or a bundle",
  });
  json = Option.Boolean('--json', false, { description: 'Print the manifest (or, with --dry-run, the plan) as JSON on stdout' });
  leaveToOtherRunners = leaveToOtherRunnersOption();

  async run(logger: Logger): Promise<number> {
    const request = {
      ...(await this.collectSources()),
      output: this.output,
      ...outputsOf(this),
      clean: this.clean,
      dryRun: this.dryRun,
      leaveToOtherRunners: this.leaveToOtherRunners,
    };
    const { events, progress } = await this.collectEvents(logger, this.json);
    const since = this.since;
    const { collect } = await import('../../app/collect/index.js');
    const { collectSince } = await import('../../app/collect/since.js');
    const { result, interrupted } = await this.interruptible(
      (signal) => (since ? collectSince({ ...request, since, signal }, { env: process.env, version }, events) : collect({ ...request, signal }, { env: process.env, version }, events)),
      (done) => done,
    );
    progress.stop();
    if (interrupted) {
      this.context.stderr.write(interrupted.line);
      return interrupted.exitCode;
    }
    logWarnings(logger, result.planned.graph.warnings);

    if (!result.manifest) {
      await printPlan(this.context.stdout, result.planned, this.json, this.verbose > 0);
      return result.exitCode;
    }
    if (this.json) printJson(this.context.stdout, result.manifest);
    if (!this.quiet || result.exitCode !== 0) {
      const { renderCollectSummary } = await import('../../report/collect-summary.js');
      this.context.stderr.write(renderCollectSummary(result.manifest, result.stats!, result.manifestPath!, { verbose: this.verbose > 0 }));
    }
    const delta = 'delta' in result ? (result as CollectSinceResult).delta : null;
    if (delta && !this.quiet) {
      const { formatBytes } = await import('../../report/plan-table.js');
      const total = result.manifest.artifacts.length;
      this.context.stderr.write(
        `Delta since ${since}: ${this.output} holds ${delta.carries.length} of the ${total} files (${formatBytes(delta.carriedBytes)} of ${formatBytes(delta.totalBytes)}); ` +
          `the other ${total - delta.carries.length} are expected in the wheelhouse it is copied over.\n`,
      );
    }
    return result.exitCode;
  }
}
