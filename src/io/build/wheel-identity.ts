/**
 * What a built wheel says it is: name and version from its METADATA, tags
 * from its file name, which its WHEEL file must repeat. The wheel came out
 * of a backend that ran code from an sdist, so it is read as untrusted
 * input, by the rules of src/io/wheel/dist-info.ts (one `.dist-info`,
 * bounded METADATA and WHEEL) through the one zip reader
 * (src/io/zip/zip-reader.ts: entry count, local headers, sizes).
 */
import { canonicalizeName, type WheelFilename } from '../../python/names.js';
import { readDistInfo, unsoundWheel, WHEEL_LIMITS, type WheelLimits, type WheelReport } from '../wheel/dist-info.js';
import { headerFields } from '../wheel/headers.js';
import type { WheelIdentity } from './types.js';

const BUILT: WheelReport = { code: 'BUILD_WRONG_WHEEL', subject: 'The built wheel', hint: 'the package’s build backend wrote it; its build log shows how' };

/** Every python-abi-platform combination of a file name's compressed tag sets. */
function expand(tags: WheelFilename['tags']): Set<string> {
  const out = new Set<string>();
  for (const python of tags.python) for (const abi of tags.abi) for (const platform of tags.platform) out.add(`${python}-${abi}-${platform}`);
  return out;
}

/** What the wheel at `path` is; throws BUILD_WRONG_WHEEL when it is not a sound wheel. */
export async function readWheelIdentity(path: string, limits: WheelLimits = WHEEL_LIMITS): Promise<WheelIdentity> {
  const { filename, name, version, wheel } = await readDistInfo(path, { report: BUILT, limits, wheelFile: true });
  const wheelTags = headerFields(wheel!.toString('utf8'))
    .all.filter(([key]) => key === 'tag')
    .map(([, value]) => value.toLowerCase());
  const fromName = expand(filename.tags);
  const fromWheel = new Set(wheelTags);
  const missing = [...fromName].filter((tag) => !fromWheel.has(tag));
  const extra = [...fromWheel].filter((tag) => !fromName.has(tag));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      ...(missing.length ? [`its file name has ${missing.join(', ')} which WHEEL lacks`] : []),
      ...(extra.length ? [`WHEEL has ${extra.join(', ')} which its file name lacks`] : []),
    ];
    throw unsoundWheel(path, `its tags disagree: ${parts.join('; ')}`, BUILT);
  }

  return {
    name: canonicalizeName(name),
    version,
    python: filename.tags.python,
    abi: filename.tags.abi,
    platform: filename.tags.platform,
  };
}
