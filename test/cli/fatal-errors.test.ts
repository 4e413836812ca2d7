/**
 * A fatal error as a script sees it: under --json, a JSON error object on
 * stdout (schemas/error.schema.json) beside the message on stderr; under
 * --log-format json, one JSON record on stderr and no text for people.
 */
import { describe, expect, it } from 'vitest';
import { ErrorJsonSchema } from '../../src/report/error-schema.js';
import { runCli } from '../helpers/cli.js';

describe('a fatal error', () => {
  it.each([
    ['a lock that is not there', ['plan', '--lock', '/nonexistent/uv.lock'], 'LOCK_NOT_FOUND'],
    ['a command-line mistake', ['collect', '--no-devv'], 'USAGE'],
  ])('%s: --json prints the error object on stdout', async (_, args, code) => {
    const run = await runCli([...args, '--json']);
    expect(run.code).toBe(2);
    const printed = ErrorJsonSchema.parse(JSON.parse(run.stdout));
    expect(printed.error).toMatchObject({ code, exitCode: 2 });
    expect(printed.error.message.length).toBeGreaterThan(10);
    expect(run.stderr).toContain(code === 'USAGE' ? "unexpected argument '--no-devv'" : `error[${code}]`);
  });

  it.each([
    ['a lock that is not there', ['plan', '--lock', '/nonexistent/uv.lock'], 'LOCK_NOT_FOUND'],
    ['a command-line mistake', ['verify', '--frozzen'], 'USAGE'],
  ])('%s: --log-format json gives one JSON record on stderr, level 60 (fatal), and no text', async (_, args, code) => {
    const run = await runCli([...args, '--log-format', 'json']);
    expect(run.code).toBe(2);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 60, code, exitCode: 2 });
    expect(typeof record['msg']).toBe('string');
    expect(typeof record['time']).toBe('number');
    expect(run.stdout).toBe('');
  });
});
