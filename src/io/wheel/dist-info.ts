/**
 * A wheel's `.dist-info`, read as untrusted input: a built wheel came out
 * of a backend that ran code from an sdist (src/io/build/wheel-identity.ts),
 * a wheelhouse's wheel may have been dropped there by anyone (lockhouse
 * index, wheel-metadata.ts). On top of the zip reader's bounds
 * (src/io/zip/zip-reader.ts: entry count, local headers, sizes):
 * - METADATA is read up to 16 MiB, WHEEL up to 1 MiB, uncompressed;
 * - exactly one top-level `.dist-info` directory, named for the file
 *   name's project, as pip requires before it installs a wheel, holding one
 *   METADATA and one WHEEL entry (two of a name: which one counts depends
 *   on the reader, so neither does);
 * - METADATA's Name and Version are the file name's.
 * Everything else in the archive is left unread.
 */
import { basename } from 'node:path';
import { LockhouseError, type ErrorCode } from '../../errors.js';
import { canonicalizeName, normalizeVersion, parseWheelFilename, type WheelFilename } from '../../python/names.js';
import { isZipError } from '../zip/zip-error.js';
import { withZip, ZIP_LIMITS, type ZipArchive, type ZipEntry, type ZipLimits } from '../zip/zip-reader.js';
import { headerFields, type HeaderFields } from './headers.js';

export interface WheelLimits extends ZipLimits {
  /** Uncompressed bytes of METADATA. */
  readonly maxMetadataBytes: number;
  /** Uncompressed bytes of WHEEL. */
  readonly maxWheelFileBytes: number;
}

export const WHEEL_LIMITS: WheelLimits = {
  ...ZIP_LIMITS,
  maxMetadataBytes: 16 * 1024 * 1024,
  maxWheelFileBytes: 1024 * 1024,
};

/** Who reads the wheel decides how a bad one is reported: a built wheel is the build's failure, a wheelhouse's wheel only lacks metadata. */
export interface WheelReport {
  readonly code: ErrorCode;
  /** "The built wheel", "The wheel": the message's first words, before the file name. */
  readonly subject: string;
  readonly hint: string;
}

/** `<subject> <file> is not a sound wheel: <why>.` */
export function unsoundWheel(path: string, why: string, report: WheelReport, cause?: unknown): LockhouseError {
  return new LockhouseError(report.code, `${report.subject} ${basename(path)} is not a sound wheel: ${why}.`, {
    hint: report.hint,
    ...(cause === undefined ? {} : { cause }),
  });
}

export interface ReadDistInfoOptions {
  readonly report: WheelReport;
  readonly limits?: WheelLimits;
  /** Refuse a symlink at the path instead of reading its target. */
  readonly noFollow?: boolean;
  /** Read the WHEEL file too (else `wheel` is null). */
  readonly wheelFile?: boolean;
}

export interface DistInfo {
  readonly filename: WheelFilename;
  /** METADATA exactly as the wheel holds it. */
  readonly metadata: Buffer;
  readonly metadataFields: HeaderFields;
  /** METADATA's Name and Version, as spelled there; they match the file name's. */
  readonly name: string;
  readonly version: string;
  /** WHEEL as the wheel holds it, when asked for. */
  readonly wheel: Buffer | null;
}

/** The wheel at `path`'s METADATA (and WHEEL), checked; throws the report's LockhouseError when the wheel is not sound. */
export async function readDistInfo(path: string, options: ReadDistInfoOptions): Promise<DistInfo> {
  const limits = options.limits ?? WHEEL_LIMITS;
  const wrong = (why: string, cause?: unknown): LockhouseError => unsoundWheel(path, why, options.report, cause);
  let filename: WheelFilename;
  try {
    filename = parseWheelFilename(basename(path));
  } catch (error) {
    throw wrong((error as Error).message, error);
  }
  try {
    return await withZip(path, { noFollow: options.noFollow ?? false, limits }, async (zip) => {
      const info = await findDistInfo(zip, filename, wrong);
      const metadata = await zip.read(info.metadata, limits.maxMetadataBytes);
      const metadataFields = headerFields(metadata.toString('utf8'));
      const { name, version } = checkNameAndVersion(metadataFields.first, filename, wrong);
      const wheel = options.wheelFile ? await zip.read(info.wheel, limits.maxWheelFileBytes) : null;
      return { filename, metadata, metadataFields, name, version, wheel };
    });
  } catch (error) {
    if (isZipError(error)) throw wrong(error.message, error);
    throw error;
  }
}

/**
 * The wheel's one top-level `.dist-info` directory, named for the file
 * name's project, with its METADATA and WHEEL entries (only the central
 * directory is read).
 */
async function findDistInfo(
  zip: ZipArchive,
  filename: WheelFilename,
  wrong: (why: string) => LockhouseError,
): Promise<{ readonly dir: string; readonly metadata: ZipEntry; readonly wheel: ZipEntry }> {
  // Top-level .dist-info directories, and the two files wanted from each.
  const infos = new Map<string, { metadata?: ZipEntry; wheel?: ZipEntry }>();
  for await (const entry of zip.entries()) {
    const match = /^([^/]+\.dist-info)\/(METADATA|WHEEL)?/.exec(entry.name);
    if (!match) continue;
    const info = infos.get(match[1]!) ?? {};
    const file = entry.name.length === match[0].length ? match[2] : undefined;
    // Two entries of one name: zipfile (and so pip) reads the last, a
    // streaming reader the first; which one lockhouse checked would be a guess.
    if ((file === 'METADATA' && info.metadata) || (file === 'WHEEL' && info.wheel)) {
      throw wrong(`it has two ${entry.name} entries`);
    }
    if (file === 'METADATA') info.metadata = entry;
    if (file === 'WHEEL') info.wheel = entry;
    infos.set(match[1]!, info);
  }

  if (infos.size !== 1) {
    throw wrong(infos.size === 0 ? 'it has no .dist-info directory' : `it has ${infos.size} .dist-info directories (${[...infos.keys()].join(', ')})`);
  }
  const [[dir, info]] = [...infos] as [[string, { metadata?: ZipEntry; wheel?: ZipEntry }]];
  const infoName = dir.slice(0, -'.dist-info'.length);
  const dash = infoName.lastIndexOf('-');
  const infoProject = dash > 0 ? canonicalizeName(infoName.slice(0, dash)) : '';
  if (infoProject !== filename.name) {
    throw wrong(`its ${dir} directory is not named for the project "${filename.name}" of its file name`);
  }
  if (!info.metadata) throw wrong(`it has no ${dir}/METADATA`);
  if (!info.wheel) throw wrong(`it has no ${dir}/WHEEL`);
  return { dir, metadata: info.metadata, wheel: info.wheel };
}

/** Name and Version from METADATA's headers, which must be the file name's. */
function checkNameAndVersion(
  metadata: ReadonlyMap<string, string>,
  filename: WheelFilename,
  wrong: (why: string) => LockhouseError,
): { name: string; version: string } {
  const name = metadata.get('name');
  const version = metadata.get('version');
  if (!name || !version) throw wrong(`its METADATA has no ${name ? 'Version' : 'Name'} field`);
  if (canonicalizeName(name) !== filename.name) {
    throw wrong(`its METADATA names the project "${name}", its file name "${filename.name}"`);
  }
  if ((normalizeVersion(version) ?? version) !== (normalizeVersion(filename.version) ?? filename.version)) {
    throw wrong(`its METADATA says version "${version}", its file name "${filename.version}"`);
  }
  return { name, version };
}
