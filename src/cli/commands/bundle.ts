import { Command, Option } from 'clipanion';
import { logWarnings } from '../base-command.js';
import type { Logger } from '../logger.js';
import { CollectingCommand } from '../options/collect-options.js';
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
  since = Option.String('--since', {
    description: 'Write a delta: only the files OLD lacks (by name and sha256), with the whole manifest, pylock and requirements. OLD is the last bundle shipped, its lockhouse.json, or a folder holding one',
  });
  json = Option.Boolean('--json', false, { description: 'Print the bundle (path, size, sha256, entries), the delta (with --since) and the manifest as JSON on stdout' });

  async run(logger: Logger): Promise<number> {
    const request = { ...(await this.collectSources()), output: this.output, wheelhouse: this.wheelhouse ?? null, since: this.since ?? null };
    const { events, progress } = await this.collectEvents(logger, this.json);
    const { bundle } = await import('../../app/bundle.js');
    const { result, interrupted } = await this.interruptible((signal) => bundle({ ...request, signal }, { env: process.env, version }, events), (done) => done.collected);
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
    if (result.bundle && !this.quiet) {
      const { formatBytes } = await import('../../report/plan-table.js');
      const { path, bytes, sha256, files } = result.bundle;
      const delta = result.delta;
      if (!delta) {
        this.context.stderr.write(`Bundle: ${path} (${files} files, ${formatBytes(bytes)}, sha256 ${sha256})\n` + `Install it offline with: python3 ${this.output} install [--venv DIR]\n`);
      } else {
        const total = manifest?.artifacts.length ?? files;
        this.context.stderr.write(
          `Bundle: ${path} (a delta since ${this.since}: ${files} of the ${total} files, ${formatBytes(delta.carriedBytes)} of ${formatBytes(delta.totalBytes)}; ${formatBytes(bytes)}, sha256 ${sha256})\n` +
            `The other ${total - files} files are expected on the far side, in the wheelhouse the last shipment left there.\n` +
            `Apply it there with: python3 ${this.output} install --wheelhouse DIR [--venv V]   (or: python3 ${this.output} extract DIR)\n`,
        );
      }
    }
    return result.exitCode;
  }
}
