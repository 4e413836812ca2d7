import { Command, Option } from 'clipanion';
import { ExitCode } from '../../errors.js';
import type { VerifyRequest } from '../../app/verify/index.js';
import { logWarnings } from '../base-command.js';
import type { Logger } from '../logger.js';
import { LockCommand } from '../options/lock-options.js';
import { printJson } from '../print.js';

export default class VerifyCommand extends LockCommand {
  static override paths = [['verify']];

  static override usage = Command.Usage({
    description: 'Check that a wheelhouse is complete and intact for the lock: nothing missing, altered or extra',
    details: `
      Plans as \`lockhouse collect\` does and checks the output directory (\`./wheelhouse\` by default) against that plan without writing anything: every file the plan puts there must be present and hash to the lock's sha256 (sha384 or sha512 where the lock gives only those); every wheel built from an sdist, git source or local project must be the one \`DIR/lockhouse.json\` (the manifest) records, with the manifest's sha256.

      The selection checked against is the one the manifest records — the targets, groups, extras, \`--only-deps\`, packages, excludes, index filters and build flags DIR was collected with — so no flag needs typing again. Flags given replace their recorded counterparts (\`--no-dev\` replaces the recorded group flags and nothing else); the report's first line says which selection was checked, and what the flags given change. A lock whose sha256 is not the one the manifest records is a problem, unless \`--allow-changed-lock\`.

      Reported: missing files (and packages with nothing to collect for a target, or with no built wheel); altered files, with the expected and the actual hash and where the expectation came from (the lock or the manifest); extra files that nothing explains. The manifest, \`.lockhouse/\`, dot-files, folders such as \`simple/\`, a wheel's \`.metadata\` beside it and the files collect emitted into DIR are explained. Symbolic links are reported, never followed.

      With \`--bundle NAME.pyz\`, the bundle is checked instead: every entry is read and hashed against SHA256SUMS and the manifest it carries (missing, altered, extra and unsafe entries); with \`--lock\` too, its files are checked against the lock as a directory would be, for the selection the bundle's manifest records, overridden by the flags given.

      Exit codes: 0 complete and intact; 1 some problem (each is listed); 2 bad usage, a lock that cannot be read, or no such directory.
    `,
    examples: [
      ['Verify a wheelhouse against the lock, for the selection it was collected with', 'lockhouse verify -o /wheels'],
      [
        'Verify it for Linux x86_64 and aarch64, Python 3.12, without dev dependencies, whatever it was collected for',
        'lockhouse verify -o /wheels --python-platform x86_64-manylinux_2_28 --python-platform aarch64-manylinux_2_28 --python-version 3.12 --no-dev',
      ],
      ['A bundle: intact, and complete for the lock (for the selection it records; here, without dev dependencies)', 'lockhouse verify --bundle app.pyz --lock uv.lock --no-dev'],
    ],
  });

  output = Option.String('-o,--output', 'wheelhouse', { description: 'The wheelhouse directory to verify (default ./wheelhouse)' });
  allowUnhashed = Option.Boolean('--allow-unhashed', false, {
    description: 'Files the lock gives no hash for are reported as present but unverifiable, not as problems',
  });
  allowWeakHashes = Option.Boolean('--allow-weak-hashes', false, { description: 'Check files the lock hashes with md5 or sha1 only against that hash' });
  bundle = Option.String('--bundle', {
    description: 'Verify a bundle (lockhouse bundle) instead of a directory: every entry against SHA256SUMS and the manifest, and with --lock against the lock',
  });
  allowChangedLock = Option.Boolean('--allow-changed-lock', false, {
    description: "A lock whose sha256 differs from the one DIR's manifest records is reported, not a problem: DIR is checked against the lock given",
  });
  json = Option.Boolean('--json', false, { description: 'Print the verdict as JSON on stdout (schema: schemas/verify.schema.json)' });

  async run(logger: Logger): Promise<number> {
    if (this.bundle) return this.runBundle(this.bundle, logger);
    const { verify } = await import('../../app/verify/index.js');
    const result = await verify({ ...this.lockCheck(), output: this.output }, { env: process.env });
    logWarnings(logger, result.planned.graph.warnings, result.warnings);
    if (this.json) {
      const { verifyToJson } = await import('../../report/verify-json.js');
      printJson(this.context.stdout, verifyToJson(result));
    } else if (!this.quiet || !result.ok) {
      const { renderVerifyReport } = await import('../../report/verify-text.js');
      this.context.stdout.write(renderVerifyReport(result, { dir: this.output, lock: result.planned.lock.path }));
    }
    return result.ok ? ExitCode.OK : ExitCode.PARTIAL;
  }

  private async runBundle(bundle: string, logger: Logger): Promise<number> {
    const { verifyBundle } = await import('../../app/verify/bundle.js');
    const ignored = Object.values(this.givenFlags()).flat();
    if (!this.lock && ignored.length) logger.warn(`${ignored.join(' ')}: not used without --lock (the bundle is checked against its SHA256SUMS and manifest only)`);
    const result = await verifyBundle({ bundle, cwd: process.cwd(), lock: this.lock ? this.lockCheck() : null }, { env: process.env });
    if (result.lock) logWarnings(logger, result.lock.planned.graph.warnings, result.lock.warnings);
    if (this.json || !this.quiet || !result.ok) {
      const { bundleVerifyToJson, renderBundleVerifyReport } = await import('../../report/verify-bundle.js');
      if (this.json) printJson(this.context.stdout, bundleVerifyToJson(result));
      else this.context.stdout.write(renderBundleVerifyReport(result, bundle));
    }
    return result.ok ? ExitCode.OK : ExitCode.PARTIAL;
  }

  /** What a directory and a bundle are checked against: the plan (the flags given override the selection the manifest records), and the hash policy. */
  private lockCheck(): Omit<VerifyRequest, 'output'> {
    return {
      plan: this.planRequest(),
      given: this.givenFlags(),
      allowChangedLock: this.allowChangedLock,
      allowUnhashed: this.allowUnhashed,
      allowWeakHashes: this.allowWeakHashes,
    };
  }
}
