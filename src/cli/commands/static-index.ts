import { Command, Option } from 'clipanion';
import type { IndexDirSummary } from '../../app/static-index.js';
import { ExitCode } from '../../errors.js';
import { BaseCommand, logOf } from '../base-command.js';
import type { Logger } from '../logger.js';
import { printJson } from '../print.js';

/**
 * `lockhouse index`: the static PEP 503 / 691 index of a wheelhouse (named
 * static-index here, "index" alone meaning too many things in this tree).
 */
export default class StaticIndexCommand extends BaseCommand {
  static override paths = [['index']];

  static override usage = Command.Usage({
    description: 'Write a static PEP 503 / PEP 691 index for a wheelhouse, with PEP 658 metadata, that any static web server serves to pip',
    details: `
      Lists the wheels and sdists (\`.whl\`, \`.tar.gz\`, \`.zip\`) of DIR — of \`DIR/files\` when DIR was collected with \`--layout simple\` — and writes \`DIR/simple/index.html\` and \`index.json\`, and per project \`DIR/simple/<name>/index.html\` (PEP 503) and \`index.json\` (PEP 691), every file linked with its sha256. Each wheel's METADATA is extracted beside it as \`<wheel>.metadata\` (PEP 658), so pip and uv resolve without downloading wheels; its Requires-Python becomes \`data-requires-python\`.

      Point nginx (or S3, or any static host) at DIR and install with \`pip install --index-url https://HOST/simple/ NAME\`. docs/collect.md and examples/nginx/ have an nginx server block that also answers PEP 691 JSON.

      Files that \`DIR/lockhouse.json\` lists keep its sha256 while their size and mtime are unchanged; others are hashed (all of them with \`--verify\`). Every file is written through a temporary file and one rename, only when its bytes change: the same files give the same bytes on every run. Pages of projects no longer present are removed. Only regular files are listed: symbolic links are neither followed nor written through.

      Exit codes: 0 when the index is written (files left out, or wheels listed without metadata, are warnings); 2 when DIR cannot be indexed.
    `,
    examples: [
      ['Index a wheelhouse, then serve it', 'lockhouse index wheelhouse'],
      ['Hash every file, whatever the manifest says, and print the summary as JSON', 'lockhouse index --verify --json /srv/wheels'],
      ['Collect into the simple layout, then index it again after adding wheels by hand', 'lockhouse collect -o /srv/wheels --layout simple && cp extra/*.whl /srv/wheels/files/ && lockhouse index /srv/wheels'],
    ],
  });

  dir = Option.String({ name: 'DIR' });
  verify = Option.Boolean('--verify', false, { description: 'Hash every file, even those the manifest vouches for (same size and mtime)' });
  json = Option.Boolean('--json', false, { description: 'Print the summary as JSON on stdout' });

  async run(logger: Logger): Promise<number> {
    const { indexWheelhouse } = await import('../../app/static-index.js');
    const summary = await indexWheelhouse({
      dir: this.dir,
      verify: this.verify,
      log: logOf(logger),
    });
    if (this.json) printJson(this.context.stdout, summary);
    else logger.info(describe(summary));
    return ExitCode.OK;
  }
}

function describe(summary: IndexDirSummary): string {
  const where = summary.filesDir === '' ? summary.dir : `${summary.dir}/${summary.filesDir}`;
  const changed = summary.written.length === 0 ? 'nothing changed' : `${summary.written.length} files written`;
  const removed = summary.removed.length === 0 ? '' : `, ${summary.removed.length} stale removed`;
  return (
    `indexed ${summary.files} files (${summary.projects} projects, ${summary.metadata} wheels with PEP 658 metadata) ` +
    `from ${where} into ${summary.dir}/simple/: ${changed}${removed}`
  );
}
