/**
 * Option values: a value a flag does not take is one line on stderr naming
 * the flag, what it takes and what it got, with exit 2, before anything is
 * read or fetched (src/cli/options/validate.ts); a good one is taken.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { testdir } from '../helpers/testdir.js';
import { pkg, uvLock } from '../helpers/uv-lock.js';

// Nothing exists there: the value is checked before anything is read.
const NOWHERE = ['--lock', '/nonexistent/uv.lock', '--cache-dir', '/nonexistent/cache'];

describe('a bad option value is a usage error naming the flag', () => {
  it.each([
    [['collect', ...NOWHERE, '--concurrency', '0'], '--concurrency takes a whole number of at least 1, not "0"'],
    [['bundle', ...NOWHERE, '-o', 'x.pyz', '--concurrency', 'many'], '--concurrency takes a whole number of at least 1, not "many"'],
    [['collect', ...NOWHERE, '--build-jobs', '1.5'], '--build-jobs takes a whole number of at least 1, not "1.5"'],
    [['collect', ...NOWHERE, '--retries', 'none'], '--retries takes a whole number (0 or more), not "none"'],
    [['collect', ...NOWHERE, '--timeout', '0'], '--timeout takes a number of seconds above 0, not "0"'],
    [['collect', ...NOWHERE, '--timeout', 'Infinity'], '--timeout takes a number of seconds above 0, not "Infinity"'],
    [['collect', ...NOWHERE, '--layout', 'tree'], '--layout takes flat or simple, not "tree"'],
    [['plan', ...NOWHERE.slice(0, 2), '--log-format', 'xml'], '--log-format takes pretty or json, not "xml"'],
    [['index', '/nonexistent/wheelhouse', '--log-format', 'text'], '--log-format takes pretty or json, not "text"'],
  ])('lockhouse %j', async (argv, message) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`error[USAGE]: ${message}\n`);
    expect(run.stdout).toBe('');
  });
});

it('good values are taken', async () => {
  const dir = testdir({ 'uv.lock': uvLock({}, pkg('app', { source: '{ editable = "." }', deps: ['requests'] }), pkg('requests')) });
  const run = await runCli([
    'collect',
    '--dry-run',
    '--no-cache',
    '--lock',
    join(dir, 'uv.lock'),
    '--python-platform',
    'linux',
    '--python-version',
    '3.12',
    '--concurrency',
    '4',
    '--retries',
    '0',
    '--timeout',
    '0.5',
    '--build-jobs',
    '1',
    '--layout',
    'simple',
    '--log-format',
    'json',
  ]);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toContain('requests-1.0.0-py3-none-any.whl');
});
