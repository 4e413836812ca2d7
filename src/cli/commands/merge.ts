import { Command, Option } from 'clipanion';
import { logOf, logWarnings } from '../base-command.js';
import type { Logger } from '../logger.js';
import { LockCommand } from '../options/lock-options.js';
import { emitPylockOption, emitRequirementsOption, emitSbomOption, layoutOption, outputsOf } from '../options/output-options.js';
import { printJson } from '../print.js';
import { version } from '../version.js';

export default class MergeCommand extends LockCommand {
  static override paths = [['merge']];

  static override usage = Command.Usage({
    description: 'Merge the parts CI runners collected (one per platform) into one wheelhouse, verified against the lock',
    details: `
      The fan-in of a CI matrix: each runner ran \`lockhouse collect\` for its platform (with \`--leave-to-other-runners\` where it collects for targets it cannot build for) and uploaded its folder, a part; one job downloads the parts and merges them into DIR.

      Each part's manifest must record this very lock (its sha256) and the same selection as the others — groups, extras, packages, filters, build flags; only the targets may differ. The merged targets are the parts' together, or the ones the target flags name (name them all to make sure no runner's part is missing). Every file is taken from the first part (in the order given) that holds it, linked or copied into DIR under a temporary name and hashed there: files of the lock against the lock's hash, built wheels against the part's manifest. A wheel several runners built under one name (a pure wheel, the project itself) is taken from the first part; two different files under one name otherwise refuse the merge.

      The merged manifest names each file's \`part\` (built wheels keep \`builtFrom\`) and lists the parts. What no part provides is named with the target that needs it (exit 1). \`--layout simple\`, \`--emit-pylock\` and \`--emit-requirements\` write what collect writes; \`lockhouse verify -o DIR\` checks the result as any wheelhouse; \`lockhouse bundle --from DIR\` ships it as one file.

      Exit codes: 0 complete for the lock; 1 something is missing for some target (each is listed; the rest is merged); 2 bad usage, or parts that do not belong together (another lock, another selection, two files under one name), and nothing is written; 3 a part's file does not hash as the lock or its manifest says, and nothing is written.
    `,
    examples: [
      ['The fan-in job: the parts the runners uploaded, into one wheelhouse', 'lockhouse merge parts/* -o wheelhouse'],
      [
        'Name every target, so a runner whose part is missing is an error',
        'lockhouse merge parts/* -o wheelhouse --python-platform x86_64-manylinux_2_28 --python-platform aarch64-manylinux_2_28 --python-platform aarch64-apple-darwin --python-platform x86_64-pc-windows-msvc --python-version 3.12',
      ],
      ['And the files production installs from', 'lockhouse merge parts/* -o wheelhouse --emit-pylock wheelhouse/pylock.toml --emit-requirements wheelhouse/requirements.txt'],
    ],
  });

  parts = Option.Rest({ name: 'PART', required: 1 });
  output = Option.String('-o,--output', 'wheelhouse', { description: 'The merged wheelhouse (default ./wheelhouse); outside the parts' });
  layout = layoutOption();
  emitPylock = emitPylockOption('merged');
  emitRequirements = emitRequirementsOption();
  emitSbom = emitSbomOption('merged');
  clean = Option.Boolean('--clean', false, {
    description: 'Remove the files lockhouse put in DIR that this merge does not contain (files the last manifest records), never any other',
  });
  allowUnhashed = Option.Boolean('--allow-unhashed', false, { description: "Take files the lock gives no hash for, checked against the part's manifest only" });
  allowWeakHashes = Option.Boolean('--allow-weak-hashes', false, { description: 'Accept files the lock hashes with md5 or sha1 only' });
  json = Option.Boolean('--json', false, { description: 'Print the merged manifest as JSON on stdout' });

  async run(logger: Logger): Promise<number> {
    const { merge } = await import('../../app/merge/index.js');
    const log = logOf(logger);
    const result = await merge(
      {
        plan: this.planRequest(),
        given: this.givenFlags(),
        parts: this.parts,
        output: this.output,
        ...outputsOf(this),
        clean: this.clean,
        allowUnhashed: this.allowUnhashed,
        allowWeakHashes: this.allowWeakHashes,
      },
      { env: process.env, version },
      { log },
    );
    logWarnings(logger, result.planned.graph.warnings);
    if (this.json) printJson(this.context.stdout, result.manifest);
    if (!this.quiet || result.exitCode !== 0) {
      const { renderMergeSummary } = await import('../../report/merge-summary.js');
      this.context.stderr.write(renderMergeSummary(result.manifest, result.manifestPath, { dir: this.output, lock: result.planned.lock.path, verbose: this.verbose > 0 }));
    }
    return result.exitCode;
  }
}
