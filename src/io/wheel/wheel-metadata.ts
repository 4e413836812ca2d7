/**
 * A wheelhouse's wheel's METADATA, for PEP 658 (`lockhouse index` writes it
 * beside the wheel as `<wheel>.metadata`). Read by the rules of
 * dist-info.ts; an unsound wheel is INDEX_NO_METADATA: the index still lists
 * it, without metadata.
 */
import { readDistInfo, type WheelLimits, type WheelReport } from './dist-info.js';

const LISTED: WheelReport = {
  code: 'INDEX_NO_METADATA',
  subject: 'The wheel',
  hint: 'it is listed without PEP 658 metadata; pip may still refuse to install it',
};

export interface WheelMetadata {
  /** METADATA exactly as the wheel holds it: PEP 658 serves these bytes unchanged. */
  readonly bytes: Buffer;
  /** Its Requires-Python field, or null. */
  readonly requiresPython: string | null;
}

export interface ReadMetadataOptions {
  readonly limits?: WheelLimits;
  /** Refuse a symlink at `path` instead of reading its target (default true). */
  readonly noFollow?: boolean;
}

/**
 * The METADATA of the wheel at `path`, from the one `.dist-info` directory
 * named for the file name's project, with Name and Version matching the
 * file name (an installer checks that metadata against the link it came
 * from). Throws INDEX_NO_METADATA when the wheel is not sound.
 */
export async function readWheelMetadata(path: string, options: ReadMetadataOptions = {}): Promise<WheelMetadata> {
  const info = await readDistInfo(path, { report: LISTED, limits: options.limits, noFollow: options.noFollow ?? true });
  return { bytes: info.metadata, requiresPython: info.metadataFields.first.get('requires-python') ?? null };
}
