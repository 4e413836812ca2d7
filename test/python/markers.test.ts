import { describe, expect, it } from 'vitest';
import {
  type MarkerComparison,
  type MarkerContext,
  type MarkerEnvironment,
  type MarkerList,
  MarkerEvaluationError,
  MarkerSyntaxError,
  evaluateMarker,
  parseMarker,
} from '../../src/python/markers.js';
import { LINUX_312 } from '../helpers/marker-environments.js';

const WINDOWS_39: MarkerEnvironment = {
  ...LINUX_312,
  implementation_version: '3.9.13',
  os_name: 'nt',
  platform_machine: 'AMD64',
  platform_release: '10',
  platform_system: 'Windows',
  platform_version: '10.0.22631',
  python_full_version: '3.9.13',
  python_version: '3.9',
  sys_platform: 'win32',
};
const MACOS_314: MarkerEnvironment = {
  ...LINUX_312,
  implementation_version: '3.14.0',
  platform_machine: 'arm64',
  platform_release: '24.1.0',
  platform_system: 'Darwin',
  python_full_version: '3.14.0',
  python_version: '3.14',
  sys_platform: 'darwin',
};
const ENVIRONMENTS = { LINUX_312, WINDOWS_39, MACOS_314 };

/** The parse tree with its nesting spelled out: `[a and [b or c]]`. */
function show(list: MarkerList): string {
  const parts = list.map((item) => {
    if (typeof item === 'string') return item;
    if (Array.isArray(item)) return show(item as MarkerList);
    const { left, op, right } = item as Exclude<typeof item, MarkerList>;
    const operand = (o: typeof left) => (o.kind === 'variable' ? o.value : JSON.stringify(o.value));
    return `${operand(left)} ${op} ${operand(right)}`;
  });
  return `[${parts.join(' ')}]`;
}

function onlyComparison(text: string): MarkerComparison {
  const [comparison] = parseMarker(text).expression;
  if (comparison === undefined || typeof comparison === 'string' || Array.isArray(comparison)) {
    throw new Error(`not one comparison: ${text}`);
  }
  return comparison as MarkerComparison;
}

function evaluate(text: string, env: MarkerEnvironment = LINUX_312, context?: MarkerContext): boolean {
  return evaluateMarker(parseMarker(text), env, context);
}

function syntaxError(text: string): MarkerSyntaxError {
  try {
    parseMarker(text);
  } catch (error) {
    if (error instanceof MarkerSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} not to parse`);
}

function evaluationError(text: string, context?: MarkerContext): MarkerEvaluationError {
  try {
    evaluate(text, LINUX_312, context);
  } catch (error) {
    if (error instanceof MarkerEvaluationError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} not to evaluate`);
}

describe('parseMarker', () => {
  it.each([
    ["python_version >= '3.8'", '[python_version >= "3.8"]'],
    ['os_name == "nt"', '[os_name == "nt"]'],
    ["'3.8' < python_version", '["3.8" < python_version]'],
    ["'linux' in sys_platform", '["linux" in sys_platform]'],
    ["platform_machine not in 'arm64 aarch64'", '[platform_machine not in "arm64 aarch64"]'],
    ["'a'in'abc'", '["a" in "abc"]'],
    ["os_name == 'a' or os_name == 'b' and os_name == 'c'", '[os_name == "a" or os_name == "b" and os_name == "c"]'],
    ["(os_name == 'a' or os_name == 'b') and os_name == 'c'", '[[os_name == "a" or os_name == "b"] and os_name == "c"]'],
    ["( ( os_name == 'a' ) )", '[[[os_name == "a"]]]'],
    ["os_name=='a'and(sys_platform=='b')", '[os_name == "a" and [sys_platform == "b"]]'],
    ["  os_name\t==\t'nt'  ", '[os_name == "nt"]'],
    ["os_name == 'posix'\n", '[os_name == "posix"]'],
  ])('%j parses as %s', (text, tree) => {
    expect(show(parseMarker(text).expression)).toBe(tree);
  });

  it.each([
    ["os.name == 'nt'", 'os_name'],
    ["sys.platform == 'win32'", 'sys_platform'],
    ["platform.machine == 'AMD64'", 'platform_machine'],
    ["platform.version == 'x'", 'platform_version'],
    ["platform.python_implementation == 'CPython'", 'platform_python_implementation'],
    ["python_implementation == 'CPython'", 'platform_python_implementation'],
    ["'dev' in dependency_groups", 'dependency_groups'],
    ["'tests' in extras", 'extras'],
  ])('reads the variable in %j as %s', (text, variable) => {
    const comparison = onlyComparison(text);
    expect([comparison.left.value, comparison.right.value]).toContain(variable);
  });

  it.each([
    ["os_name == 'po\\x73ix'", 'posix'],
    ['os_name == "n\\164"', 'nt'],
    ["os_name == 'linu\\u0078'", 'linux'],
    ["os_name == 'p\\osix'", 'p\\osix'],
    ["os_name == 'pos\\\nix'", 'posix'],
    ['os_name == "it\'s"', "it's"],
    ["os_name == ''", ''],
  ])('reads the string in %j as Python does: %j', (text, value) => {
    expect(onlyComparison(text).right.value).toBe(value);
  });

  it('normalises the name compared with extra at the top level only, as packaging does', () => {
    expect(show(parseMarker("extra == 'Foo_Bar' or (extra == 'Foo_Bar')").expression)).toBe(
      '[extra == "foo-bar" or [extra == "Foo_Bar"]]',
    );
  });

  it('keeps the text as written and only `text` as an own field', () => {
    const marker = parseMarker("os_name=='nt'");
    expect(marker.text).toBe("os_name=='nt'");
    expect(marker).toEqual({ text: "os_name=='nt'" });
    expect(parseMarker("os_name=='nt'")).toBe(marker);
  });

  it('reports where the marker goes wrong', () => {
    const error = syntaxError("(os_name == 'nt'");
    expect([error.marker, error.start, error.position]).toEqual(["(os_name == 'nt'", 0, 16]);
  });

  it('explains each kind of mistake', () => {
    const mistakes = [
      "os_name == nt",
      "os_name == 'nt' and",
      "os_name not 'nt'",
      "'a' not",
      "os_name == 'nt')",
      "os_name == 'unterminated",
    ];
    expect(mistakes.map((text) => syntaxError(text).message).join('\n')).toMatchInlineSnapshot(`
      "Expected a marker variable or quoted string
          os_name == nt
                     ^
      Expected a marker variable or quoted string
          os_name == 'nt' and
                             ^
      Expected 'in' after 'not'
          os_name not 'nt'
                      ^
      Expected whitespace after 'not'
          'a' not
                 ^
      Expected end of marker expression
          os_name == 'nt')
                         ^
      Expected a marker variable or quoted string
          os_name == 'unterminated
                     ^"
    `);
  });

  it('quotes the marker and points at the spot, like packaging', () => {
    expect(syntaxError("python_version >= 3.8").message).toMatchInlineSnapshot(`
      "Expected a marker variable or quoted string
          python_version >= 3.8
                            ^"
    `);
    expect(syntaxError("(os_name == 'nt' or sys_platform == 'linux'").message).toMatchInlineSnapshot(`
      "Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after marker expression
          (os_name == 'nt' or sys_platform == 'linux'
          ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~^"
    `);
    expect(syntaxError("os_name = 'nt'").message).toMatchInlineSnapshot(`
      "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in
          os_name = 'nt'
                  ^"
    `);
    expect(syntaxError("os_name == 'nt' AND sys_platform == 'linux'").message).toMatchInlineSnapshot(`
      "Expected end of marker expression
          os_name == 'nt' AND sys_platform == 'linux'
                          ^"
    `);
  });

  it('refuses broken string literals, and \\N{...} which it cannot look up', () => {
    expect(syntaxError("os_name == 'a\\'").message).toMatchInlineSnapshot(`
      "Invalid string literal: unterminated string literal (the closing quote is escaped)
          os_name == 'a\\'
                     ~~~~^"
    `);
    expect(syntaxError("os_name == '\\x4'").message).toMatchInlineSnapshot(`
      "Invalid string literal: truncated \\x escape
          os_name == '\\x4'
                     ~~~~~^"
    `);
    // packaging accepts this one (Python knows the name); no lock has it.
    expect(syntaxError("os_name == '\\N{LATIN SMALL LETTER A}'").message).toMatchInlineSnapshot(`
      "Invalid string literal: \\N{...} escapes are not supported
          os_name == '\\N{LATIN SMALL LETTER A}'
                     ~~~~~~~~~~~~~~~~~~~~~~~~~~^"
    `);
  });
});

describe('evaluateMarker', () => {
  it.each([
    ["sys_platform == 'linux'", 'LINUX_312', true],
    ["sys_platform == 'linux'", 'WINDOWS_39', false],
    ["platform_machine == 'AMD64'", 'WINDOWS_39', true],
    ["platform_machine == 'amd64'", 'WINDOWS_39', false],
    ["os_name == 'nt' or sys_platform == 'linux' and python_version < '3.9'", 'LINUX_312', false],
    ["os_name == 'nt' or sys_platform == 'linux' and python_version < '3.9'", 'WINDOWS_39', true],
    ["(os_name == 'nt' or sys_platform == 'linux') and python_version < '3.10'", 'WINDOWS_39', true],
    ["python_full_version >= '3.10' and python_full_version < '3.13'", 'LINUX_312', true],
    ["python_full_version == '3.12.*'", 'LINUX_312', true],
    ["python_full_version != '3.12.*'", 'MACOS_314', true],
    ["python_version > '3.9'", 'WINDOWS_39', false],
    ["python_version < '3.10'", 'WINDOWS_39', true],
    ["'3.10' <= python_version", 'WINDOWS_39', false],
    ["'3.10' <= python_version", 'LINUX_312', true],
    ["python_version ~= '3.12'", 'MACOS_314', true],
    ["python_full_version ~= '3.12.0'", 'MACOS_314', false],
    ["python_full_version === '3.12.7'", 'LINUX_312', true],
    ["'linux' in sys_platform", 'LINUX_312', true],
    ["'arm' not in platform_machine", 'MACOS_314', false],
    ["python_version in '3.10 3.11 3.12'", 'LINUX_312', true],
  ] as const)('%j on %s is %s', (text, env, expected) => {
    expect(evaluate(text, ENVIRONMENTS[env])).toBe(expected);
  });

  describe('compares versions as packaging 26.2 does', () => {
    // Where @renovatebot/pep440's own specifier logic gives another answer.
    it.each([
      ["python_full_version > '3.14.0a1'", '3.14.0b1', true],
      ["python_full_version < '3.14.0.post1'", '3.14.0a1', true],
      ["python_full_version < '3.14'", '3.14.0rc2', false],
      ["python_full_version == '3.12.0.*'", '3.12', true],
      ["python_full_version === '3.13.0'", '3.13.0+local', false],
      ["python_full_version ~= 'v3.12'", '3.12.7', false],
      ["python_full_version > '3.13.0'", '3.13.0+local', false],
      ["python_full_version <= '3.13.0'", '3.13.0+local', true],
      ["python_full_version > '3.12.7'", '3.12.7.post1', false],
      ["python_full_version > '3.12.7.post0'", '3.12.7.post1', true],
      ["python_full_version == '3.13.0+abc.0x1'", '3.13.0+abc.1', false],
    ])('%j with python_full_version %s is %s', (text, full, expected) => {
      expect(evaluate(text, { ...LINUX_312, python_full_version: full })).toBe(expected);
    });

    it.each([
      ['3.13.0+', "python_full_version == '3.13.0'", true],
      ['3.13.0+', "python_full_version > '3.13.0'", false],
      ['3.13.0+', "python_full_version == '3.13.0+local'", true],
      ['3.13.0+', "python_full_version === '3.13.0+'", false],
    ])('repairs the untagged build %s: %j is %s', (full, text, expected) => {
      expect(evaluate(text, { ...LINUX_312, python_full_version: full })).toBe(expected);
    });

    it.each([
      ["platform_release >= '5.0'", '6.8.0-45-generic', false],
      ["platform_release != '1.0'", '6.8.0-45-generic', false],
      ["platform_release == '6.8.0-45-generic'", '6.8.0-45-generic', true],
      ["platform_release >= '24'", '24.1.0', true],
    ])('treats platform_release as a version only when it is one: %j with %s is %s', (text, release, expected) => {
      expect(evaluate(text, { ...LINUX_312, platform_release: release })).toBe(expected);
    });

    it.each([
      ["python_version == 'abc'", false],
      ["python_version <= '3.12.*'", false],
      ["python_version <= 'abc'", false],
      ["python_version < '=3.12'", true],
      ["platform_system >= 'Linux'", true],
      ["platform_system > 'A'", false],
    ])('falls back to packaging\'s string operators: %j is %s', (text, expected) => {
      expect(evaluate(text)).toBe(expected);
    });
  });

  describe('extra is a set', () => {
    const cuda = "extra == 'extra-7-example-cuda'";
    const notCpu = "extra != 'extra-7-example-cpu'";
    it.each([
      [cuda, [], false],
      [cuda, ['extra-7-example-cuda'], true],
      [cuda, ['extra-7-example-cpu', 'extra-7-example-cuda'], true],
      [notCpu, [], true],
      [notCpu, ['extra-7-example-cuda'], true],
      [notCpu, ['extra-7-example-cpu', 'extra-7-example-cuda'], false],
      [`${notCpu} and ${cuda}`, ['extra-7-example-cuda', 'group-7-example-dev'], true],
      [`${notCpu} and ${cuda}`, ['extra-7-example-cuda', 'extra-7-example-cpu'], false],
      ["extra == 'project-7-example' or extra == 'group-7-example-dev'", ['group-7-example-dev'], true],
      ["extra == 'socks-proxy'", ['Socks_Proxy'], true],
      ["extra == 'Socks_Proxy'", ['socks-proxy'], true],
      ["(extra == 'Socks_Proxy')", ['socks-proxy'], false],
      ["extra == ''", [], true],
      ["extra in 'test-suite'", ['suite', 'other'], true],
      ["extra not in 'test-suite'", ['suite', 'other'], false],
    ])('%j with extras %j is %s', (text, extras, expected) => {
      expect(evaluate(text, LINUX_312, { extras: new Set(extras) })).toBe(expected);
    });
  });

  describe("PEP 751's extras and dependency_groups", () => {
    it.each([
      ["'dev' in dependency_groups", {}, false],
      ["'dev' in dependency_groups", { dependencyGroups: new Set(['dev']) }, true],
      ["'Dev_Tools' in dependency_groups", { dependencyGroups: new Set(['dev.tools']) }, true],
      ["'lint' not in dependency_groups", { dependencyGroups: new Set(['dev']) }, true],
      ["'tests' in extras", { extrasSet: new Set(['tests']) }, true],
      ["'tests' in extras", { extras: new Set(['tests']) }, false],
      ["'tests' == extras", { extrasSet: new Set(['tests']) }, false],
      ["'tests' != extras", { extrasSet: new Set(['tests']) }, true],
      ['python_version >= "3.9" and "default" in dependency_groups', { dependencyGroups: new Set(['default']) }, true],
    ])('%j with %o is %s', (text, context: MarkerContext, expected) => {
      expect(evaluate(text, LINUX_312, context)).toBe(expected);
    });
  });

  it('accepts a Marker it did not parse', () => {
    expect(evaluateMarker({ text: "sys_platform == 'win32'" }, WINDOWS_39)).toBe(true);
  });

  it('refuses what packaging refuses to evaluate, quoting the marker', () => {
    expect(evaluationError("os_name ~= 'posix'").message).toMatchInlineSnapshot(
      `"Undefined comparison ~= on os_name in marker "os_name ~= 'posix'""`,
    );
    expect(evaluationError("python_version ~= '3'").message).toMatchInlineSnapshot(
      `"Undefined comparison ~= "3" on python_version in marker "python_version ~= '3'""`,
    );
    expect(evaluationError("'6' ~= platform_release").message).toMatchInlineSnapshot(
      `"Undefined comparison "6" ~= "6.8.0-45-generic" in marker "'6' ~= platform_release""`,
    );
    expect(evaluationError("extras == 'tests'").message).toMatchInlineSnapshot(
      `"The set "extras" can only be the right operand of "in" / "not in" in marker "extras == 'tests'""`,
    );
    expect(evaluationError("'a' == 'b'").message).toMatchInlineSnapshot(`"Unknown marker variable "b" in marker "'a' == 'b'""`);
    expect(evaluationError("extra === 'x'").code).toBe('LOCK_INVALID_MARKER');
  });

  it('evaluates every comparison when one may throw, so it throws when packaging does', () => {
    expect(() => evaluate("os_name == 'posix' or os_name ~= 'x'")).toThrow(MarkerEvaluationError);
    expect(() => evaluate("os_name == 'nt' and '3.12' ~= python_version")).not.toThrow();
    expect(() => evaluate("os_name == 'nt' and '3.12' ~= python_version", { ...LINUX_312, python_version: '3' })).toThrow(
      MarkerEvaluationError,
    );
  });
});
