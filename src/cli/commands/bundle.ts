import { Command, Option } from 'clipanion';
import { LockhouseError } from '../../errors.js';
import { logOf, logWarnings } from '../base-command.js';
import type { Logger } from '../logger.js';
import { CollectingCommand } from '../options/collect-options.js';
import { emitSbomOption } from '../options/output-options.js';
import type { BundleResult } from '../../app/bundle.js';
import { printJson } from '../print.js';
import { version } from '../version.js';

export default class BundleCommand extends CollectingCommand {
  static override paths = [['bundle']];

  static override usage = Command.Usage({
    description: 'Collect as collect does, then write one self-installing, deterministic offline bundle (a Python zipapp)',
    details: `
      Collects every file the lock needs for the targets exactly as \`lockhouse collect\` does — same cache, verification, builds and exit codes — then writes one zip: the files under \`wheels/\` (stored: they are compressed already), a \`pylock.toml\` and a hashed \`requirements.txt\` that point at them, the manifest \`lockhouse.json\`, \`SHA256SUMS\`, and a standard-library installer \`__main__.py\`, so the file runs with Python 3.8+ and pip 20+ and nothing else:

      \`python3 NAME.pyz install [--venv DIR]\` checks every entry against SHA256SUMS, refuses an interpreter that is none of the bundle's targets, and runs \`pip install --no-index --require-hashes\` from the bundle. \`python3 NAME.pyz list\` shows what it carries; \`python3 NAME.pyz extract DIR\` unpacks it for pip by hand.

      The same lock, flags and files give a byte-identical bundle (entries sorted, fixed timestamps and modes, no absolute paths), so CI can cache it and users can sign and compare it. Files are streamed one at a time: memory stays flat whatever their size. When some artifact fails, no bundle is written (exit 1).

      Check one later with \`lockhouse verify --bundle NAME.pyz [--lock FILE]\`.

      With \`--from DIR\`, nothing is collected: a wheelhouse already made — the one \`lockhouse merge\` put together from the parts CI runners collected — is verified as \`lockhouse verify -o DIR\` verifies it, and bundled as it is when it is complete and intact for the lock (else no bundle, exit 1).

      With \`--since OLD\` (the last bundle shipped, its \`lockhouse.json\`, or a folder holding one), the bundle is a delta: it carries only the files OLD lacks (by name and sha256), with the whole manifest, pylock and requirements. The far side applies it to the wheelhouse it kept: \`python3 NAME.pyz install --wheelhouse DIR [--venv V]\`, or \`extract DIR\` to update DIR in place; both first check that DIR holds every other file with the right sha256, and change nothing when it does not.
    `,
    examples: [
      [
        'A bundle for Linux x86_64 and aarch64, Python 3.12, without dev dependencies',
        'lockhouse bundle -o app.pyz --python-platform x86_64-manylinux_2_28 --python-platform aarch64-manylinux_2_28 --python-version 3.12 --no-dev',
      ],
      ['Install it on the far side of the air gap, into a new virtual environment', 'python3 app.pyz install --venv /opt/app/venv'],
      ['A delta: only the files the last bundle shipped lacks (the far side applies it with python3 app-v2.pyz install --wheelhouse DIR)', 'lockhouse bundle -o app-v2.pyz --since app-v1.pyz --python-platform x86_64-manylinux_2_28 --python-version 3.12 --no-dev'],
    ],
  });

  output = Option.String('-o,--output', { required: true, description: 'The bundle to write, e.g. app.pyz' });
  wheelhouse = Option.String('--wheelhouse', {
    description: 'Collect into this directory and keep it (default: a temporary folder beside the bundle, removed after; the cache keeps the files)',
  });
  emitSbom = emitSbomOption('bundled', ', and carry it in the bundle as sbom.cdx.json (the same bytes)');
  since = Option.String('--since', {
    description: 'Write a delta: only the files OLD lacks (by name and sha256), with the whole manifest, pylock and requirements. OLD is the last bundle shipped, its lockhouse.json, or a folder holding one',
  });
  json = Option.Boolean('--json', false, { description: 'Print the bundle (path, size, sha256, entries), the delta (with --since) and the manifest as JSON on stdout' });
  from = Option.String('--from', {
    description:
      'Bundle this wheelhouse instead of collecting (a merged one: lockhouse merge): it must be complete and intact for the lock, as lockhouse verify -o DIR checks it, for the selection its manifest records (flags given override it); the collecting options are not used',
  });

  async run(logger: Logger): Promise<number> {
    if (this.from !== undefined) return this.runFrom(this.from, logger);
    const request = { ...(await this.collectSources()), output: this.output, wheelhouse: this.wheelhouse ?? null, emitSbom: this.emitSbom ?? null, since: this.since ?? null };
    const { events, progress } = await this.collectEvents(logger, this.json);
    const { bundle } = await import('../../app/bundle.js');
    const { result, interrupted } = await this.interruptible(
      (signal) => bundle({ ...request, signal }, { env: process.env, version }, events),
      (done) => done.collected,
      request.wheelhouse !== null || request.cacheDir !== null,
    );
    progress.stop();
    if (interrupted) {
      this.context.stderr.write(interrupted.line);
      return interrupted.exitCode;
    }
    logWarnings(logger, result.collected.planned.graph.warnings);
    const { manifest, stats } = result.collected;
    if (this.json) printJson(this.context.stdout, { bundle: result.bundle, ...(result.delta ? { delta: result.delta } : {}), manifest });
    if (manifest && stats && (!this.quiet || result.exitCode !== 0)) {
      const { renderCollectSummary } = await import('../../report/collect-summary.js');
      // No "Manifest:" line: the manifest is inside the bundle, and its wheelhouse is usually a temporary folder.
      this.context.stderr.write(renderCollectSummary(manifest, stats, null, { verbose: this.verbose > 0 }));
    }
    if (result.bundle && !this.quiet) await this.sayBundle(result.bundle, result.delta, manifest?.artifacts.length ?? result.bundle.files, null);
    return result.exitCode;
  }

  /** --from DIR: verify DIR, then bundle it as it is. */
  private async runFrom(from: string, logger: Logger): Promise<number> {
    if (this.wheelhouse !== undefined) throw new LockhouseError('USAGE', '--wheelhouse and --from cannot be used together: --from bundles a wheelhouse already made', { hint: 'drop --wheelhouse' });
    const { bundleFrom } = await import('../../app/bundle-from.js');
    const log = logOf(logger);
    const result = await bundleFrom(
      {
        plan: this.planRequest(),
        given: this.givenFlags(),
        allowUnhashed: this.allowUnhashed,
        allowWeakHashes: this.allowWeakHashes,
        from,
        output: this.output,
        since: this.since ?? null,
        emitSbom: this.emitSbom ?? null,
      },
      { env: process.env, version },
      { log },
    );
    logWarnings(logger, result.verified.planned.graph.warnings, result.verified.warnings);
    if (result.refused) {
      const { renderVerifyReport } = await import('../../report/verify-text.js');
      this.context.stderr.write(renderVerifyReport(result.verified, { dir: from, lock: result.verified.planned.lock.path }));
      throw result.refused;
    }
    if (this.json) printJson(this.context.stdout, { bundle: result.bundle, ...(result.delta ? { delta: result.delta } : {}), manifest: result.verified.manifest });
    if (result.bundle && !this.quiet) await this.sayBundle(result.bundle, result.delta, result.verified.manifest?.artifacts.length ?? result.bundle.files, from);
    return result.exitCode;
  }

  /** The bundle's lines: where it is, what it holds (of a delta: what it carries of the whole), how to install it. */
  private async sayBundle(bundle: NonNullable<BundleResult['bundle']>, delta: BundleResult['delta'], total: number, from: string | null): Promise<void> {
    const { formatBytes } = await import('../../report/plan-table.js');
    const { path, bytes, sha256, files } = bundle;
    const source = from === null ? '' : ` from ${from}, verified`;
    if (!delta) {
      this.context.stderr.write(`Bundle: ${path}${source} (${files} files, ${formatBytes(bytes)}, sha256 ${sha256})\n` + `Install it offline with: python3 ${this.output} install [--venv DIR]\n`);
      return;
    }
    this.context.stderr.write(
      `Bundle: ${path}${source} (a delta since ${this.since}: ${files} of the ${total} files, ${formatBytes(delta.carriedBytes)} of ${formatBytes(delta.totalBytes)}; ${formatBytes(bytes)}, sha256 ${sha256})\n` +
        `The other ${total - files} files are expected on the far side, in the wheelhouse the last shipment left there.\n` +
        `Apply it there with: python3 ${this.output} install --wheelhouse DIR [--venv V]   (or: python3 ${this.output} extract DIR)\n`,
    );
  }
}
