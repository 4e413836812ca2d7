/**
 * Small uv.lock texts for tests, written as TOML the way uv writes them.
 * `pkg()` gives one [[package]] table; `uvLock()` puts a header on top.
 * Hashes are made up (sha256 of the file name): nothing here is fetched.
 */
import { createHash } from 'node:crypto';
import { parseLock } from '../../src/lock/parse.js';
import type { LockGraph, Target } from '../../src/model.js';
import { buildTargets } from '../../src/python/targets.js';

export const INDEX = 'https://pypi.org/simple';
const FILES = 'https://files.example.org';

export function fakeHash(filename: string): string {
  return createHash('sha256').update(filename).digest('hex');
}

function file(filename: string): string {
  return `{ url = "${FILES}/${filename}", hash = "sha256:${fakeHash(filename)}", size = ${filename.length * 100} }`;
}

export interface PkgSpec {
  version?: string;
  /** Default: the registry INDEX. Give a TOML inline table to override, e.g. `{ editable = "." }`. */
  source?: string;
  /** Dependency inline tables, e.g. `{ name = "idna" }`, or bare names. */
  deps?: string[];
  optional?: Record<string, string[]>;
  groups?: Record<string, string[]>;
  /** Wheel file names. */
  wheels?: string[];
  /** An sdist file name, or true for `<name>-<version>.tar.gz`. */
  sdist?: string | boolean;
  /** Raw lines added at the end of the [[package]] table. */
  extra?: string;
}

const depTable = (dep: string): string => (dep.startsWith('{') ? dep : `{ name = "${dep}" }`);

function depList(deps: readonly string[]): string {
  return `[\n${deps.map((dep) => `    ${depTable(dep)},\n`).join('')}]`;
}

export function pkg(name: string, spec: PkgSpec = {}): string {
  const version = spec.version ?? '1.0.0';
  const lines = ['[[package]]', `name = "${name}"`];
  const local = spec.source && !spec.source.includes('registry');
  if (!local || spec.version) lines.push(`version = "${version}"`);
  lines.push(`source = ${spec.source ?? `{ registry = "${INDEX}" }`}`);
  if (spec.deps?.length) lines.push(`dependencies = ${depList(spec.deps)}`);
  if (spec.extra) lines.push(spec.extra);
  const isLocal = Boolean(local);
  if (!isLocal) {
    const sdist = spec.sdist === true ? `${name.replace(/-/g, '_')}-${version}.tar.gz` : spec.sdist;
    if (sdist) lines.push(`sdist = ${file(sdist)}`);
    const wheels = spec.wheels ?? (spec.sdist ? [] : [`${name.replace(/-/g, '_')}-${version}-py3-none-any.whl`]);
    if (wheels.length) lines.push(`wheels = [\n${wheels.map((w) => `    ${file(w)},\n`).join('')}]`);
  }
  for (const [table, entries] of [
    ['optional-dependencies', spec.optional],
    ['dev-dependencies', spec.groups],
  ] as const) {
    if (!entries) continue;
    lines.push('', `[package.${table}]`);
    for (const [key, deps] of Object.entries(entries)) lines.push(`${key} = ${depList(deps)}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface LockHeader {
  requiresPython?: string;
  members?: string[];
  conflicts?: string;
  /** Raw lines for the header (supported-markers, [manifest] …). */
  extra?: string;
}

export function uvLock(header: LockHeader, ...packages: string[]): string {
  const lines = ['version = 1', 'revision = 3', `requires-python = "${header.requiresPython ?? '>=3.9'}"`];
  if (header.conflicts) lines.push(`conflicts = ${header.conflicts}`);
  if (header.extra) lines.push(header.extra);
  if (header.members) lines.push('', '[manifest]', `members = [${header.members.map((m) => `"${m}"`).join(', ')}]`);
  return `${lines.join('\n')}\n\n${packages.join('\n')}`;
}

export function graphOf(text: string, path = 'uv.lock'): LockGraph {
  return parseLock(text, path);
}

/** Targets by uv name and Python version: target('x86_64-manylinux_2_28', '3.12'). */
export function target(platform: string, version: string): Target {
  return buildTargets({ pythonPlatforms: [platform], pythonVersions: [version], platforms: [] })[0]!;
}

export const LINUX = target('x86_64-manylinux_2_28', '3.12');
export const MAC = target('aarch64-apple-darwin', '3.12');
export const WINDOWS = target('x86_64-pc-windows-msvc', '3.12');
export const LINUX_311 = target('x86_64-manylinux_2_28', '3.11');
