/**
 * The plan → its jobs (src/plan/jobs.ts): one file job per file for DIR,
 * sdists fetched only to be built kept out of DIR, one build job per wheel
 * to build, and the failures known before anything is fetched.
 */
import { describe, expect, it } from 'vitest';
import { jobsOf } from '../../src/plan/jobs.js';
import { plan } from '../../src/plan/index.js';
import type { PlanOptions } from '../../src/plan/types.js';
import { select } from '../../src/select/index.js';
import { INDEX, LINUX, graphOf, pkg, uvLock } from '../helpers/uv-lock.js';

const POLICY = { lockDir: '/project', sdistsInOutput: false, allowUnhashed: false, allowWeakHashes: false };

function jobsFor(text: string, planOptions: PlanOptions = {}, options: Partial<typeof POLICY> = {}) {
  const graph = graphOf(text);
  return jobsOf(graph, plan(graph, select(graph, [LINUX], {}), planOptions), { ...POLICY, ...options });
}

const app = (deps: string[]): string => pkg('app', { source: '{ editable = "." }', deps });

describe('jobsOf', () => {
  it('a wheel goes to DIR, checked against the lock’s sha256, from its URL and index; the project is built from its folder', () => {
    const jobs = jobsFor(uvLock({}, app(['pure']), pkg('pure')));
    expect(jobs.failures).toEqual([]);
    expect(jobs.files.map((job) => [job.filename, job.destination, job.rule.kind, job.index, job.url])).toEqual([
      ['pure-1.0.0-py3-none-any.whl', 'output', 'strong', INDEX, 'https://files.example.org/pure-1.0.0-py3-none-any.whl'],
    ]);
    expect(jobs.builds.map((job) => [job.item.package, job.source])).toEqual([['app', { kind: 'directory', path: '/project' }]]);
  });

  it('an sdist there only to be built is fetched for the build, not for DIR — unless --sdist ships it', () => {
    const text = uvLock({}, app(['native']), pkg('native', { sdist: true }));
    const built = jobsFor(text);
    const sdist = built.files.find((job) => job.filename === 'native-1.0.0.tar.gz')!;
    expect(sdist.destination).toBe('build');
    expect(built.builds.find((job) => job.item.package === 'native')!.source).toEqual({ kind: 'sdist', file: sdist });
    const shipped = jobsFor(text, { sdist: true }, { sdistsInOutput: true });
    expect(shipped.files.find((job) => job.filename === 'native-1.0.0.tar.gz')!.destination).toBe('output');
  });

  it('a file the lock gives no hash for is a HASH_MISSING failure, or an unchecked job with --allow-unhashed', () => {
    const text = uvLock({}, app(['bare']), pkg('bare', { wheels: [] }).replace('[[package]]', '[[package]]') + 'wheels = [{ url = "https://files.example.org/bare-1.0.0-py3-none-any.whl" }]\n');
    const refused = jobsFor(text);
    expect(refused.files).toEqual([]);
    expect(refused.failures.map((failure) => [failure.code, failure.filename])).toEqual([['HASH_MISSING', 'bare-1.0.0-py3-none-any.whl']]);
    const allowed = jobsFor(text, {}, { allowUnhashed: true });
    expect(allowed.failures).toEqual([]);
    expect(allowed.files.map((job) => job.rule.kind)).toEqual(['none']);
  });

  it('two different files wanting one name in DIR: the second is an OUTPUT_NAME_CLASH; the same file twice is one job', () => {
    // Direct URLs may name their archives anything: two packages can lock one name.
    const direct = (name: string, hash: string): string =>
      `[[package]]\nname = "${name}"\nversion = "1.0"\nsource = { url = "https://${name}.example/shared-1.0.tar.gz" }\nsdist = { hash = "sha256:${hash}" }\n`;
    const clash = (hashB: string): string => uvLock({}, app(['one', 'two']), direct('one', 'a'.repeat(64)), direct('two', hashB));
    const different = jobsFor(clash('b'.repeat(64)), { sdist: true }, { sdistsInOutput: true });
    expect(different.files).toHaveLength(1);
    expect(different.failures.map((failure) => failure.code)).toEqual(['OUTPUT_NAME_CLASH']);
    const same = jobsFor(clash('a'.repeat(64)), { sdist: true }, { sdistsInOutput: true });
    expect(same.files).toHaveLength(1);
    expect(same.failures).toEqual([]);
  });

  it('two names that differ only in case are one file on macOS and Windows: a clash, whatever the hashes', () => {
    const direct = (name: string, file: string): string =>
      `[[package]]\nname = "${name}"\nversion = "1.0"\nsource = { url = "https://${name}.example/${file}" }\nsdist = { hash = "sha256:${'a'.repeat(64)}" }\n`;
    const jobs = jobsFor(uvLock({}, app(['one', 'two']), direct('one', 'Shared-1.0.tar.gz'), direct('two', 'shared-1.0.tar.gz')), { sdist: true }, { sdistsInOutput: true });
    expect(jobs.files).toHaveLength(1);
    expect(jobs.failures.map((failure) => [failure.code, failure.reason])).toEqual([
      ['OUTPUT_NAME_CLASH', expect.stringContaining('files named Shared-1.0.tar.gz and shared-1.0.tar.gz, one file on a case-insensitive filesystem')],
    ]);
  });
});
