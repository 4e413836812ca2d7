import { Command, Option } from 'clipanion';
import { ExitCode } from '../../errors.js';
import { BaseCommand } from '../base-command.js';
import type { Logger } from '../logger.js';
import { printJson } from '../print.js';
import { version } from '../version.js';

/**
 * `lockhouse sbom -o FILE DIR`: the CycloneDX SBOM of a wheelhouse already
 * collected, from its manifest and its lock (app/sbom.ts). It replays the
 * selection the manifest records, so it takes no target or selection flags:
 * only the lock, which must be the one DIR was collected from.
 */
export default class SbomCommand extends BaseCommand {
  static override paths = [['sbom']];

  static override usage = Command.Usage({
    description: 'Write the CycloneDX 1.6 SBOM of the exact files in a wheelhouse: purl, hashes, origin, targets, built-from, dependencies',
    details: `
      Describes the files \`DIR/lockhouse.json\` (the manifest) lists — one component per file, with its purl (\`pkg:pypi/NAME@VERSION?file_name=…\`, and \`repository_url=\` for an index other than PyPI), its sha256 and the lock's other hashes, the URL it was downloaded from (never with credentials), the targets it serves, and for a built wheel the sdist, git commit or local project it was built from (\`pedigree.ancestors\`). The workspace members are the root component; the dependencies are the lock's edges that the recorded selection took, between the files collected.

      The lock must be the one DIR was collected from (the manifest records its sha256): the SBOM takes the dependency edges, the other hashes, the indexes and the members from it. The selection is the one the manifest records, so no target or selection flag is needed.

      The output is deterministic: \`collect --emit-sbom\`, \`bundle --emit-sbom\` and this command give the same bytes for the same collection, with a serial number derived from the content and no timestamp. The SBOM says what the manifest records; \`lockhouse verify -o DIR\` checks that DIR holds those files. docs/sbom.md describes every field and how Dependency-Track, Grype and Trivy read it.

      Exit codes: 0 written; 2 no manifest in DIR, a lock that is not DIR's, or a lock that cannot be read.
    `,
    examples: [
      ['The SBOM of ./wheelhouse, collected from ./uv.lock', 'lockhouse sbom -o wheelhouse.cdx.json wheelhouse'],
      ['A wheelhouse collected from a lock elsewhere', 'lockhouse sbom -o /srv/wheels.cdx.json --lock ~/src/app/uv.lock /srv/wheels'],
    ],
  });

  dir = Option.String({ name: 'DIR' });
  output = Option.String('-o,--output', { required: true, description: 'The SBOM to write (CycloneDX JSON), e.g. wheelhouse.cdx.json' });
  lock = Option.String('--lock', {
    description: 'The lock DIR was collected from: a uv.lock or pylock.toml, or a folder holding one (default: ./uv.lock, else ./pylock.toml)',
  });
  project = Option.String('--project', {
    description: 'The project directory whose pyproject.toml gives index names (default: beside the lock)',
  });
  json = Option.Boolean('--json', false, { description: 'Print what was written (path, components, bytes) as JSON on stdout' });

  async run(logger: Logger): Promise<number> {
    const { sbom } = await import('../../app/sbom.js');
    const result = await sbom({ dir: this.dir, output: this.output, lock: { lock: this.lock, project: this.project, cwd: process.cwd() } }, { env: process.env, version });
    if (this.json) printJson(this.context.stdout, result);
    else logger.info(`SBOM (CycloneDX 1.6): ${result.path}, ${result.components} component(s) from ${this.dir}`);
    return ExitCode.OK;
  }
}
