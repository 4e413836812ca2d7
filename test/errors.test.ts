import { describe, expect, it } from 'vitest';
import { ExitCode, LockhouseError, formatPath } from '../src/errors.js';

describe('formatPath', () => {
  it.each([
    [['packages', 12, 'wheels', 3, 'hash'], 'packages[12].wheels[3].hash'],
    [['package', 0, 'optional-dependencies', 'cli', 1], 'package[0].optional-dependencies.cli[1]'],
    [['tool', 'a b'], 'tool["a b"]'],
    [[], ''],
  ])('%j → %s', (path, expected) => {
    expect(formatPath(path)).toBe(expected);
  });
});

describe('LockhouseError', () => {
  it('carries its code, its exit code and a hint, and prints both', () => {
    const error = new LockhouseError('LOCK_NOT_TOML', 'uv.lock is not TOML', { hint: 'check line 3' });
    expect(error.exitCode).toBe(ExitCode.USAGE);
    expect(error.format()).toBe('error[LOCK_NOT_TOML]: uv.lock is not TOML\n  hint: check line 3');
  });
});
