/**
 * docs/targets.md's "Every name, exactly" table says what each
 * `--python-platform` name means: every row is checked against the targets
 * lockhouse builds, and every name lockhouse lists in its "Unknown
 * --python-platform" error has a row.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTargets } from '../src/python/targets.js';

const doc = readFileSync(join(import.meta.dirname, '..', 'docs', 'targets.md'), 'utf8');

interface Row {
  readonly name: string;
  readonly id: string;
  readonly markers: readonly [string, string, string, string];
  readonly firstTag: string;
  readonly platforms: readonly string[];
  readonly count: number;
}

/** The rows of the table under "### Every name, exactly", cells without their backticks. */
function rows(): Row[] {
  const section = doc.split('### Every name, exactly')[1]?.split(/\n#/)[0] ?? '';
  return section
    .split('\n')
    .filter((line) => /^\| `[^`]+` \|/.test(line))
    .filter((line) => !line.startsWith('| `--python-platform`'))
    .map((line) => {
      const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
      const plain = (cell: string): string => cell.replace(/`/g, '');
      const [name, id, osName, sysPlatform, system, machine, firstTag, tags] = cells as [string, string, string, string, string, string, string, string];
      const count = /\((\d+)\)$/.exec(tags);
      return {
        name: plain(name),
        id: plain(id),
        markers: [plain(osName), plain(sysPlatform), plain(system), plain(machine)],
        firstTag: plain(firstTag),
        platforms: [...tags.matchAll(/`([^`]+)`/g)].map((match) => match[1]!),
        count: Number(count?.[1]),
      };
    });
}

const table = rows();

/** The names the error for an unknown --python-platform lists (its patterns, with `<arch>`, aside). */
function namesLockhouseLists(): string[] {
  try {
    buildTargets({ pythonPlatforms: ['not-a-platform'], pythonVersions: ['3.12'], platforms: [] });
  } catch (error) {
    const list = /Valid names: (.*?), <arch>/.exec((error as Error).message)?.[1] ?? '';
    return list.split(', ');
  }
  throw new Error('an unknown --python-platform was accepted');
}

it('has a row for every name lockhouse lists', () => {
  const names = namesLockhouseLists();
  expect(names.length).toBeGreaterThan(10);
  expect(names.filter((name) => !table.some((row) => row.name === name))).toEqual([]);
  expect(doc).toContain('<arch>-manylinux_2_<N>');
  expect(doc).toContain('<arch>-musllinux_1_<N>');
});

describe.each(table.map((row) => [row.name, row] as const))('--python-platform %s', (name, row) => {
  const [target] = buildTargets({ pythonPlatforms: [name], pythonVersions: ['3.12'], platforms: [], macosDeploymentTarget: undefined });
  const platforms = [...new Set(target!.tags.ordered.map((tag) => tag.split('-')[2]!))].filter((platform) => platform !== 'any');

  it('is the target id, marker environment and tags the table says', () => {
    const { markers } = target!;
    expect(target!.id).toBe(row.id);
    expect([markers.os_name, markers.sys_platform, markers.platform_system, markers.platform_machine]).toEqual(row.markers);
    expect(target!.tags.ordered[0]).toBe(row.firstTag);
    expect(row.platforms).toEqual(platforms.length === 1 ? platforms : [platforms[0], platforms.at(-1)]);
    expect(row.count).toBe(platforms.length);
  });
});
