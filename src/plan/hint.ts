/**
 * "No wheel and no sdist": say what the lock offers beside what the target
 * takes, so the user sees whether the Python, the ABI or the platform is the
 * problem (uv's WheelTagHint).
 */
import type { Package, Target } from '../model.js';
import { wheelCompatibility } from '../python/tags.js';

const SHOWN = 6;

function listed(values: readonly string[]): string {
  const unique = [...new Set(values)].sort();
  const head = unique.slice(0, SHOWN).join(', ');
  return unique.length > SHOWN ? `${head} and ${unique.length - SHOWN} more` : head;
}

export function noWheelMessage(pkg: Package, target: Target): string {
  const version = pkg.version ? ` ${pkg.version}` : '';
  const head = `${pkg.displayName}${version} has no wheel for target ${target.id} and no sdist to build from`;
  const wheels = pkg.wheels.filter((wheel) => wheel.wheelTags);
  if (wheels.length === 0) return `${head}; the lock lists no files for it`;

  const reasons = new Set(wheels.map((wheel) => {
    const fit = wheelCompatibility(wheel.wheelTags!, target.tags);
    return fit.compatible ? 'compatible' : fit.reason;
  }));
  const offered = wheels.map((wheel) => `${wheel.wheelTags!.python.join('.')}-${wheel.wheelTags!.abi.join('.')}-${wheel.wheelTags!.platform.join('.')}`);
  const takes = target.tags.ordered.slice(0, 3).join(', ');
  const part = reasons.size === 1 ? [...reasons][0] : null;
  const which =
    part === 'python'
      ? `wheels for Python tags ${listed(wheels.flatMap((w) => w.wheelTags!.python))}`
      : part === 'abi'
        ? `wheels for ABI tags ${listed(wheels.flatMap((w) => w.wheelTags!.abi))}`
        : part === 'platform'
          ? `wheels for platforms ${listed(wheels.flatMap((w) => w.wheelTags!.platform))}`
          : `wheels tagged ${listed(offered)}`;
  return `${head}; the lock offers ${which}, and the target takes ${takes}, …${macosHint(wheels.flatMap((w) => w.wheelTags!.platform), target)}`;
}

const MACOS = /^macosx_(\d+)_(\d+)_/;

/** The MACOSX_DEPLOYMENT_TARGET hint for a package whose wheels all missed a macOS target (empty where it does not apply): for --no-build's refusal too. */
export function macosWheelsHint(pkg: Package, target: Target): string {
  return macosHint(pkg.wheels.flatMap((wheel) => wheel.wheelTags?.platform ?? []), target);
}

/**
 * A macOS target older than the lock's macOS wheels: uv's default (13.0) is
 * raised by MACOSX_DEPLOYMENT_TARGET, which says it, as uv reads it.
 */
function macosHint(platforms: readonly string[], target: Target): string {
  const ours = target.tags.ordered.map((tag) => MACOS.exec(tag.split('-')[2] ?? '')).find((match) => match !== null);
  if (!ours) return '';
  const version = (match: RegExpExecArray): number => Number(match[1]) * 100 + Number(match[2]);
  const newer = platforms.map((platform) => MACOS.exec(platform)).filter((match): match is RegExpExecArray => match !== null && version(match) > version(ours));
  if (newer.length === 0) return '';
  const lowest = newer.reduce((a, b) => (version(a) <= version(b) ? a : b));
  return ` (the lock's macOS wheels need macOS ${lowest[1]}.${lowest[2]} or newer, the target is macOS ${ours[1]}.${ours[2]}: set MACOSX_DEPLOYMENT_TARGET=${lowest[1]}.${lowest[2]} to collect for a newer macOS, as uv does)`;
}
