/**
 * What a merged wheelhouse holds, decided from the parts' manifests and the
 * jobs of the merged plan (plan/jobs.ts: the same jobs collect runs and
 * verify checks), before any byte is read:
 *
 * - every file the lock puts in DIR, from the first part (in the order
 *   given) whose manifest lists it, to be checked against the lock's hash;
 * - every wheel a part built for a package the plan builds, with the
 *   targets all parts say it serves; the same file name built by several
 *   runners from the same source (a pure wheel, the project itself) is one
 *   wheel built more than once — builds are rarely byte-for-byte
 *   reproducible — and the first part's is taken, the others set aside;
 * - two different files under one name otherwise (a built wheel and a
 *   file of the lock, builds from two different sources) — a clash, which
 *   refuses the merge: a flat wheelhouse holds one file per name;
 * - for each target, what no part provides: MERGE_MISSING, with the target
 *   and why (no part was collected for it, a part left it to another
 *   runner, a part failed it).
 *
 * Pure.
 */
import { compareText } from '../../compare.js';
import type { Manifest, ManifestArtifact, ManifestFailure } from '../../output/manifest.js';
import type { FileJob, Jobs } from '../../plan/jobs.js';
import { packageLabel } from '../../python/names.js';

/** A part as choosing sees it: its name and its manifest. */
export interface PartView {
  readonly name: string;
  readonly manifest: Manifest;
}

/** The hash the lock gives a file (null: a built wheel, or --allow-unhashed: only the part's manifest vouches for it). */
export interface LockHash {
  readonly algorithm: string;
  readonly digest: string;
}

/** One file of the merged wheelhouse: which part it comes from, what it must hash to, which targets it serves. */
export interface Pick {
  readonly filename: string;
  readonly part: string;
  /** The part's record of it (its sha256 and size are checked too). */
  readonly artifact: ManifestArtifact;
  readonly lockHash: LockHash | null;
  readonly targets: readonly string[];
  /** Other parts' builds of the same wheel, with other bytes: not taken. */
  readonly setAside: readonly { readonly part: string; readonly sha256: string }[];
}

/** Two different files under one name: the merge is refused. */
export interface Clash {
  readonly filename: string;
  readonly holders: readonly { readonly part: string; readonly artifact: ManifestArtifact }[];
  readonly reason: string;
}

/** A part's file the merged plan does not need (a target the merge does not serve, a file no job names). */
export interface Unused {
  readonly part: string;
  readonly filename: string;
}

export interface Choice {
  readonly picks: readonly Pick[];
  readonly clashes: readonly Clash[];
  /** What the merged wheelhouse lacks, per target (MERGE_MISSING), and what the plan itself could not collect (its errors, as collect records them). */
  readonly failures: readonly ManifestFailure[];
  readonly unused: readonly Unused[];
}

interface Held {
  readonly part: string;
  readonly artifact: ManifestArtifact;
}

export function choose(jobs: Jobs, parts: readonly PartView[], options: { readonly sdistShipped: boolean }): Choice {
  const held = new Map<string, Held[]>();
  for (const part of parts) {
    for (const artifact of part.manifest.artifacts) held.set(artifact.filename, [...(held.get(artifact.filename) ?? []), { part: part.name, artifact }]);
  }
  const covering = targetsCovered(parts);
  const picks: Pick[] = [];
  const clashes: Clash[] = [];
  const failures: ManifestFailure[] = [...jobs.failures];
  const taken = new Set<string>();

  for (const job of jobs.files) {
    if (job.destination !== 'output') continue;
    const holders = held.get(job.filename) ?? [];
    taken.add(job.filename);
    const built = holders.filter((holder) => holder.artifact.kind === 'built-wheel');
    if (built.length > 0) {
      clashes.push({ filename: job.filename, holders, reason: `the lock names a file ${job.filename}, and ${partList(built)} built a wheel under the same name` });
      continue;
    }
    const first = holders[0];
    if (!first) {
      for (const target of job.item.targets.length ? job.item.targets : [null]) {
        failures.push(missing(job.item.package, job.item.version, job.filename, target, whyAbsent(job.filename, target, parts, covering)));
      }
      continue;
    }
    picks.push({ filename: job.filename, part: first.part, artifact: first.artifact, lockHash: lockHashOf(job), targets: [...job.item.targets], setAside: [] });
  }

  for (const job of jobs.builds) {
    const { item } = job;
    const wheels = [...held.values()].flat().filter(({ artifact }) => artifact.kind === 'built-wheel' && artifact.package === item.package && artifact.version === item.version);
    const byName = new Map<string, Held[]>();
    for (const wheel of wheels) byName.set(wheel.artifact.filename, [...(byName.get(wheel.artifact.filename) ?? []), wheel]);
    const served = new Set<string>();
    for (const [filename, builds] of byName) {
      if (taken.has(filename)) continue;
      const first = builds[0]!;
      const differing = builds.filter((build) => build.artifact.sha256 !== first.artifact.sha256);
      const strangers = differing.filter((build) => !sameSource(build.artifact, first.artifact));
      if (strangers.length > 0) {
        taken.add(filename);
        clashes.push({ filename, holders: builds, reason: `${partList([first])} and ${partList(strangers)} built different wheels under this name from different sources (${sourceOf(first.artifact)}; ${sourceOf(strangers[0]!.artifact)})` });
        continue;
      }
      const wanted = new Set(item.targets);
      const targets = [...new Set(builds.flatMap((build) => build.artifact.targets))].filter((target) => wanted.has(target)).sort(compareText);
      if (item.targets.length > 0 && targets.length === 0) continue;
      taken.add(filename);
      targets.forEach((target) => served.add(target));
      picks.push({
        filename,
        part: first.part,
        artifact: first.artifact,
        lockHash: null,
        targets,
        setAside: differing.map((build) => ({ part: build.part, sha256: build.artifact.sha256 })),
      });
    }
    if (options.sdistShipped && item.kind === 'sdist') continue;
    const unserved = item.targets.length ? item.targets.filter((target) => !served.has(target)) : byName.size ? [] : [null];
    for (const target of unserved) failures.push(missing(item.package, item.version, null, target, whyNotBuilt(item.package, item.version, target, parts, covering)));
  }

  // A name two picks share without case (one file on macOS and Windows) is a clash too.
  const lower = new Map<string, Pick>();
  for (const pick of picks) {
    const twin = lower.get(pick.filename.toLowerCase());
    if (twin && twin.filename !== pick.filename) {
      clashes.push({
        filename: pick.filename,
        holders: [{ part: twin.part, artifact: twin.artifact }, { part: pick.part, artifact: pick.artifact }],
        reason: `${twin.filename} and ${pick.filename} are one file on a case-insensitive filesystem (macOS, Windows)`,
      });
    }
    lower.set(pick.filename.toLowerCase(), pick);
  }

  const clashed = new Set(clashes.map((clash) => clash.filename));
  const unused = [...held].flatMap(([filename, holders]) => (taken.has(filename) ? [] : holders.map((holder) => ({ part: holder.part, filename }))));
  return {
    picks: picks.filter((pick) => !clashed.has(pick.filename)).sort((a, b) => compareText(a.filename, b.filename)),
    clashes,
    failures,
    unused: unused.sort((a, b) => compareText(`${a.part}\u0000${a.filename}`, `${b.part}\u0000${b.filename}`)),
  };
}

/** Which parts were collected for each target id. */
function targetsCovered(parts: readonly PartView[]): Map<string, string[]> {
  const covered = new Map<string, string[]>();
  for (const part of parts) for (const target of part.manifest.targets) covered.set(target.id, [...(covered.get(target.id) ?? []), part.name]);
  return covered;
}

function lockHashOf(job: FileJob): LockHash | null {
  const rule = job.rule;
  if (rule.kind === 'strong') return { algorithm: rule.expected.algorithm, digest: rule.expected.digest.toLowerCase() };
  if (rule.kind === 'weak') return { algorithm: rule.algorithm, digest: rule.digest.toLowerCase() };
  return null;
}

/**
 * Two builds of one wheel: the same kind of source and the same source (the
 * sdist's hash, the git URL and commit). A local project has no source key
 * (its path differs from runner to runner); the lock's sha256, which every
 * part shares, is what ties its builds together.
 */
function sameSource(a: ManifestArtifact, b: ManifestArtifact): boolean {
  if (!a.builtFrom || !b.builtFrom) return false;
  return a.builtFrom.kind === b.builtFrom.kind && a.builtFrom.source === b.builtFrom.source;
}

function sourceOf(artifact: ManifestArtifact): string {
  if (!artifact.builtFrom) return 'an unknown source';
  return artifact.builtFrom.source ?? `${artifact.builtFrom.kind} ${artifact.builtFrom.ref}`;
}

function partList(holders: readonly Held[]): string {
  const names = [...new Set(holders.map((holder) => holder.part))];
  return names.length === 1 ? `part ${names[0]}` : `parts ${names.join(', ')}`;
}

function missing(pkg: string, version: string | null, filename: string | null, target: string | null, reason: string): ManifestFailure {
  return { code: 'MERGE_MISSING', package: pkg, version, filename, target, url: null, reason };
}

/** The failures a part recorded for this package (and file, or target). */
function failedIn(parts: readonly PartView[], match: (failure: Manifest['failures'][number]) => boolean): string | null {
  for (const part of parts) {
    const failure = part.manifest.failures.find(match);
    if (failure) return `part ${part.name} failed it: [${failure.code}] ${failure.reason.split('\n')[0]}`;
  }
  return null;
}

function notCollectedFor(target: string | null, covering: ReadonlyMap<string, string[]>): string | null {
  return target !== null && !covering.has(target) ? `no part was collected for ${target}` : null;
}

function whyAbsent(filename: string, target: string | null, parts: readonly PartView[], covering: ReadonlyMap<string, string[]>): string {
  const collectedFor = (target === null ? parts.map((part) => part.name) : (covering.get(target) ?? [])).join(', ');
  return (
    notCollectedFor(target, covering) ??
    failedIn(parts, (failure) => failure.filename === filename) ??
    `no part lists ${filename} (the parts collected for ${target ?? 'the lock'}: ${collectedFor})`
  );
}

function whyNotBuilt(pkg: string, version: string | null, target: string | null, parts: readonly PartView[], covering: ReadonlyMap<string, string[]>): string {
  const left = parts.flatMap((part) =>
    (part.manifest.partial?.left ?? []).filter((entry) => entry.package === pkg && entry.version === version && (target === null || entry.target === target)).map((entry) => ({ part: part.name, entry })),
  );
  const leftBy = left.length ? `; left to another runner by ${left.map(({ part, entry }) => `part ${part} (${entry.reason})`).join(', ')}` : '';
  const none = `no part built a wheel of ${packageLabel(pkg, version)} that serves ${target ?? 'it'}`;
  return (
    notCollectedFor(target, covering) ??
    (left.length ? `${none}${leftBy}: add the part of a runner that builds for ${target ?? 'it'}` : null) ??
    failedIn(parts, (failure) => failure.package === pkg && failure.version === version && (failure.target === null || failure.target === target)) ??
    none
  );
}
