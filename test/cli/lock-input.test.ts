/**
 * What lockhouse is given to read, through the real command line: a uv.lock
 * copied without its pyproject.toml (`COPY uv.lock .`) used to change the
 * default groups without a word (flask: 22 packages instead of 45); now a
 * warning says which groups were assumed and how to be explicit. And
 * `--lock DIR` looks for the lock inside DIR, or says to name the file,
 * where it used to fail with a raw EISDIR. Nothing here is fetched.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlanJsonSchema } from '../../src/report/plan-json.js';
import { runCli } from '../helpers/cli.js';
import { testdir } from '../helpers/testdir.js';
import { pkg, uvLock } from '../helpers/uv-lock.js';

const TARGET = ['--python-platform', 'x86_64-manylinux_2_28', '--python-version', '3.12'];
const LOCK = uvLock(
  {},
  pkg('app', { source: '{ editable = "." }', deps: ['requests'], groups: { dev: ['ruff'], tests: ['pytest'] } }),
  pkg('requests'),
  pkg('ruff'),
  pkg('pytest'),
);
const PYPROJECT = '[project]\nname = "app"\nversion = "0.1.0"\n\n[tool.uv]\ndefault-groups = ["dev", "tests"]\n';

const planned = async (args: string[]): Promise<{ packages: string[]; stderr: string; code: number }> => {
  const run = await runCli(['plan', ...args, ...TARGET, '--only-deps', '--json']);
  const packages = run.code === 0 ? PlanJsonSchema.parse(JSON.parse(run.stdout)).artifacts.map((artifact) => artifact.package).sort() : [];
  return { packages, stderr: run.stderr, code: run.code };
};

describe('a uv.lock without its pyproject.toml', () => {
  it('warns which default groups were assumed, what they select, and how to be explicit', async () => {
    const dir = testdir({ 'uv.lock': LOCK });
    const alone = await planned(['--lock', join(dir, 'uv.lock')]);
    expect(alone.packages).toEqual(['requests', 'ruff']);
    expect(alone.stderr).toBe(
      `lockhouse warning: no pyproject.toml beside ${join(dir, 'uv.lock')}: assuming uv's default groups (dev), so the groups collected are: dev (the lock defines dev, tests); ` +
        'if the project sets [tool.uv] default-groups, pass --project DIR (the folder of its pyproject.toml), or name the groups: --no-default-groups, --group NAME\n',
    );
  });

  it('with the pyproject.toml beside it, or --project DIR, its default groups, and no warning', async () => {
    const beside = testdir({ 'uv.lock': LOCK, 'pyproject.toml': PYPROJECT });
    expect(await planned(['--lock', join(beside, 'uv.lock')])).toEqual({ packages: ['pytest', 'requests', 'ruff'], stderr: '', code: 0 });
    const lockOnly = testdir({ 'uv.lock': LOCK });
    const project = testdir({ 'pyproject.toml': PYPROJECT });
    expect(await planned(['--lock', join(lockOnly, 'uv.lock'), '--project', project])).toEqual({ packages: ['pytest', 'requests', 'ruff'], stderr: '', code: 0 });
  });

  it('no warning where the flags name the groups themselves', async () => {
    const dir = testdir({ 'uv.lock': LOCK });
    for (const flags of [['--no-default-groups'], ['--only-group', 'tests'], ['--all-groups']]) {
      const run = await planned(['--lock', join(dir, 'uv.lock'), ...flags]);
      expect(run.code, flags.join(' ')).toBe(0);
      expect(run.stderr, flags.join(' ')).toBe('');
    }
  });
});

describe('--lock DIR', () => {
  it('reads the uv.lock (else the pylock.toml) inside DIR', async () => {
    const dir = testdir({ 'uv.lock': LOCK, 'pyproject.toml': PYPROJECT });
    expect(await planned(['--lock', dir])).toEqual({ packages: ['pytest', 'requests', 'ruff'], stderr: '', code: 0 });
  });

  it('without one, says to name the file (listing its pylock.<name>.toml files) instead of EISDIR', async () => {
    const dir = testdir({ 'pylock.prod.toml': '', 'pylock.dev.toml': '', 'notes.txt': '' });
    const named = await runCli(['plan', '--lock', dir, ...TARGET]);
    expect(named.code).toBe(2);
    expect(named.stderr).toBe(`error[LOCK_NOT_FOUND]: no uv.lock or pylock.toml in ${dir}\n  hint: name the lock file: --lock ${join(dir, 'pylock.dev.toml')} or --lock ${join(dir, 'pylock.prod.toml')}\n`);
    const empty = await runCli(['plan', '--lock', testdir(), ...TARGET]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('hint: --lock takes the lock file (uv.lock, pylock.toml or pylock.<name>.toml), or a folder holding uv.lock or pylock.toml');
    expect(empty.stderr).not.toContain('EISDIR');
  });
});
