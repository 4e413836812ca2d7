/**
 * Marker syntax errors are reported with their place in the lock. The marker
 * parser belongs to python/markers.ts (others implement it); here it is
 * replaced by one that refuses any marker containing ">>", so this test does
 * not depend on marker parsing or evaluation.
 */
import { describe, expect, it, vi } from 'vitest';
import { LockhouseError } from '../../src/errors.js';
import { parseLock } from '../../src/lock/parse.js';

vi.mock('../../src/python/markers.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/python/markers.js')>();
  return {
    ...original,
    parseMarker: (text: string) => {
      const at = text.indexOf('>>');
      if (at >= 0) throw new original.MarkerSyntaxError('Expected a marker operator', text, at);
      return { text };
    },
  };
});

function failure(text: string, path: string): string {
  try {
    parseLock(text, path);
  } catch (error) {
    if (error instanceof LockhouseError) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected a LockhouseError');
}

describe('invalid markers', () => {
  it('in a uv.lock dependency edge', () => {
    const text = `version = 1
requires-python = ">=3.10"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "b" }, { name = "c", marker = "python_version >> '3.11'" }]

[[package]]
name = "b"
version = "1"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "c"
version = "1"
source = { registry = "https://pypi.org/simple" }
`;
    expect(failure(text, 'uv.lock')).toMatchInlineSnapshot(`
      "LOCK_INVALID_MARKER: uv.lock: package[0].dependencies[1].marker (app 0.1.0): invalid marker: Expected a marker operator
          python_version >> '3.11'
                         ^"
    `);
  });

  it('shows a long marker once, cut around the spot, with control characters escaped', () => {
    const marker = `${"os_name == 'a' and ".repeat(50)}os_name >> '\u009b[31m' ${"and os_name == 'b' ".repeat(50)}`;
    const message = failure(`version = 1\nresolution-markers = [${JSON.stringify(marker)}]\n`, 'uv.lock');
    const lines = message.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]!.length).toBeLessThan(140);
    expect(lines[1]).toMatch(/^ {4}….*>>.*…$/);
    expect(message).not.toContain('\u009b');
    expect(message).toContain('\\u009b');
    expect(lines[1]![lines[2]!.indexOf('^')]).toBe('>');
  });

  it('in uv.lock resolution-markers and pylock environments and package markers', () => {
    expect(failure('version = 1\nresolution-markers = ["os_name >> \'nt\'"]\n', 'uv.lock')).toMatchInlineSnapshot(`
      "LOCK_INVALID_MARKER: uv.lock: resolution-markers[0]: invalid marker: Expected a marker operator
          os_name >> 'nt'
                  ^"
    `);
    expect(failure('lock-version = "1.0"\nenvironments = ["a >> b"]\npackages = []\n', 'pylock.toml')).toMatchInlineSnapshot(`
      "LOCK_INVALID_MARKER: pylock.toml: environments[0]: invalid marker: Expected a marker operator
          a >> b
            ^"
    `);
    expect(
      failure('lock-version = "1.0"\n[[packages]]\nname = "x"\nmarker = "extra >> \'y\'"\ndirectory = { path = "." }\n', 'pylock.toml'),
    ).toMatchInlineSnapshot(`
      "LOCK_INVALID_MARKER: pylock.toml: packages[0].marker (x): invalid marker: Expected a marker operator
          extra >> 'y'
                ^"
    `);
  });
});
