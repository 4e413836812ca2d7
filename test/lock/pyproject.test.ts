import { describe, expect, it } from 'vitest';
import { LockhouseError } from '../../src/errors.js';
import { parseProjectSettings } from '../../src/lock/pyproject.js';

function failure(text: string): string {
  try {
    parseProjectSettings(text, 'pyproject.toml');
  } catch (error) {
    if (error instanceof LockhouseError) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('expected a LockhouseError');
}

describe('parseProjectSettings', () => {
  it('reads default-groups and named indexes', () => {
    const settings = parseProjectSettings(
      `
[project]
name = "app"
dependencies = ["torch"]

[tool.uv]
default-groups = ["dev", "Docs_Build"]

[[tool.uv.index]]
name = "pytorch-cu128"
url = "https://download.pytorch.org/whl/cu128"
explicit = true

[[tool.uv.index]]
url = "https://unnamed.example/simple"

[[tool.uv.index]]
name = "pytorch-cu128"
url = "https://shadowed.example/simple"

[tool.uv.sources]
torch = { index = "pytorch-cu128" }
`,
      'pyproject.toml',
    );
    expect(settings.defaultGroups).toEqual(['dev', 'docs-build']);
    expect([...settings.indexes]).toEqual([['pytorch-cu128', 'https://download.pytorch.org/whl/cu128']]);
  });

  it.each([
    ['[tool.uv]\ndefault-groups = "all"\n', 'all'],
    ['[tool.uv]\ndefault-groups = []\n', []],
    ['[tool.uv]\ndev-dependencies = ["pytest"]\n', null],
    ['[project]\nname = "x"\n', null],
    ['', null],
  ])('default-groups in %j → %j', (text, expected) => {
    expect(parseProjectSettings(text, 'pyproject.toml').defaultGroups).toEqual(expected);
  });

  it('names the file and the field', () => {
    expect(failure('[tool.uv]\ndefault-groups = "dev"\n')).toMatchInlineSnapshot(`"PYPROJECT_INVALID: pyproject.toml: tool.uv.default-groups: expected an array or "all", found "dev""`);
    expect(failure('[tool.uv]\ndefault-groups = ["dev", 3]\n')).toMatchInlineSnapshot(`"PYPROJECT_INVALID: pyproject.toml: tool.uv.default-groups[1]: expected a string, found 3"`);
    expect(failure('[[tool.uv.index]]\nname = "x"\n')).toMatchInlineSnapshot(`"PYPROJECT_INVALID: pyproject.toml: tool.uv.index[0].url: expected a string, but the key is missing"`);
    expect(failure('[tool.uv\n')).toMatchInlineSnapshot(`
      "PYPROJECT_INVALID: pyproject.toml:1:9: not valid TOML: illegal character in key
      1:  [tool.uv
                  ^"
    `);
  });
});
