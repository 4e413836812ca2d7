#!/usr/bin/env python3
"""Golden vectors for src/python/markers.ts.

Run from the repository root:

    python3 scripts/golden/markers.py

and it writes test/golden/markers.json, which test/python/markers-golden.test.ts
replays. Every expectation comes from packaging (>= 26.1) itself:

- `valid`: markers with packaging's parse tree (`Marker._markers`, so the
  test checks the structure, not just the answers) and what
  `Marker.evaluate(environment, context="lock_file")` says for every
  environment x context below: one character per environment, `T`, `F`, or
  `E` when packaging raises (UndefinedComparison, KeyError, AssertionError).
- `invalid`: markers packaging refuses, with its exception type and, for
  InvalidMarker, its message (which lockhouse reproduces word for word).

The markers are written here by hand. They cover every form found in real
uv.lock / pylock.toml files (`marker`, `resolution-markers`,
`supported-markers`, `required-markers`, `environments`) and the corners of
PEP 508 / PEP 440 that a port can get wrong. The output is deterministic:
markers sorted, keys sorted, no timestamps.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import packaging
from packaging._parser import Value, Variable
from packaging.markers import InvalidMarker, Marker

OUT = Path("test/golden/markers.json")

if tuple(int(part) for part in packaging.__version__.split(".")[:2]) < (26, 1):
    sys.exit(f"packaging >= 26.1 is needed (for lock_file markers), found {packaging.__version__}")

# --------------------------------------------------------------------------
# Environments: the targets lockhouse serves (DESIGN.md "A target's marker
# environment"), CPython 3.8 to 3.14 and 3.13t on each, plus a few odd ones.

PLATFORMS = {
    "linux-x86_64-gnu": {
        "os_name": "posix",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
        "platform_release": "6.8.0-45-generic",
        "platform_version": "#45-Ubuntu SMP PREEMPT_DYNAMIC Fri Aug 30 12:02:04 UTC 2024",
    },
    "linux-aarch64-gnu": {
        "os_name": "posix",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "aarch64",
        "platform_release": "6.1.0-25-arm64",
        "platform_version": "#1 SMP Debian 6.1.106-3 (2024-08-26)",
    },
    "linux-x86_64-musl": {
        "os_name": "posix",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
        "platform_release": "6.6.31-0-lts",
        "platform_version": "#1-Alpine SMP PREEMPT_DYNAMIC Fri, 24 May 2024 09:13:55 +0000",
    },
    "macos-arm64": {
        "os_name": "posix",
        "sys_platform": "darwin",
        "platform_system": "Darwin",
        "platform_machine": "arm64",
        "platform_release": "24.1.0",
        "platform_version": "Darwin Kernel Version 24.1.0: Thu Oct 10 21:02:45 PDT 2024; root:xnu-11215.41.3~2/RELEASE_ARM64_T8103",
    },
    "macos-x86_64": {
        "os_name": "posix",
        "sys_platform": "darwin",
        "platform_system": "Darwin",
        "platform_machine": "x86_64",
        "platform_release": "23.6.0",
        "platform_version": "Darwin Kernel Version 23.6.0: Mon Jul 29 21:13:00 PDT 2024; root:xnu-10063.141.2~1/RELEASE_X86_64",
    },
    "windows-amd64": {
        "os_name": "nt",
        "sys_platform": "win32",
        "platform_system": "Windows",
        "platform_machine": "AMD64",
        "platform_release": "10",
        "platform_version": "10.0.22631",
    },
    "windows-arm64": {
        "os_name": "nt",
        "sys_platform": "win32",
        "platform_system": "Windows",
        "platform_machine": "ARM64",
        "platform_release": "11",
        "platform_version": "10.0.26100",
    },
    "windows-x86": {
        "os_name": "nt",
        "sys_platform": "win32",
        "platform_system": "Windows",
        "platform_machine": "x86",
        "platform_release": "10",
        "platform_version": "10.0.19045",
    },
}

# (name, python_version, python_full_version, implementation_version)
PYTHONS = [
    ("3.8", "3.8", "3.8.20", "3.8.20"),
    ("3.9", "3.9", "3.9.0", "3.9.0"),
    ("3.10", "3.10", "3.10.15", "3.10.15"),
    ("3.11", "3.11", "3.11.10", "3.11.10"),
    ("3.12", "3.12", "3.12.7", "3.12.7"),
    ("3.13", "3.13", "3.13.0", "3.13.0"),
    # Free-threading shows in tags, not in marker variables.
    ("3.13t", "3.13", "3.13.5", "3.13.5"),
    ("3.14", "3.14", "3.14.0", "3.14.0"),
]

CPYTHON = {"implementation_name": "cpython", "platform_python_implementation": "CPython"}


def environments() -> list[dict]:
    envs = []
    for platform, facts in PLATFORMS.items():
        for name, version, full, implementation in PYTHONS:
            envs.append(
                {
                    "name": f"{platform}-{name}",
                    "env": {
                        **facts,
                        **CPYTHON,
                        "python_version": version,
                        "python_full_version": full,
                        "implementation_version": implementation,
                    },
                }
            )
    linux = PLATFORMS["linux-x86_64-gnu"]
    odd = [
        # A release candidate: platform.python_version() says rc, but
        # sys.implementation.version formats as "c" (still PEP 440).
        ("3.14.0rc2", {**CPYTHON, "python_version": "3.14", "python_full_version": "3.14.0rc2", "implementation_version": "3.14.0c2"}),
        ("3.15.0a1", {**CPYTHON, "python_version": "3.15", "python_full_version": "3.15.0a1", "implementation_version": "3.15.0a1"}),
        # An untagged source build: packaging repairs "3.13.0+" to "3.13.0+local".
        ("3.13.0+", {**CPYTHON, "python_version": "3.13", "python_full_version": "3.13.0+", "implementation_version": "3.13.0"}),
        ("pypy3.10", {"implementation_name": "pypy", "platform_python_implementation": "PyPy", "python_version": "3.10", "python_full_version": "3.10.14", "implementation_version": "7.3.17"}),
    ]
    for name, python in odd:
        envs.append({"name": f"linux-x86_64-gnu-{name}", "env": {**linux, **python}})
    return sorted(envs, key=lambda e: e["name"])


# Contexts: `extra` is what packaging gets (lockhouse: a set of zero or one
# element); `extras` / `dependency_groups` are PEP 751's sets.
CONTEXTS = [
    {"name": "none", "extra": "", "extras": [], "dependency_groups": []},
    {"name": "extra-test", "extra": "test", "extras": ["test"], "dependency_groups": ["dev"]},
    {"name": "extra-unnormalised", "extra": "Socks_Proxy", "extras": ["Socks_Proxy", "cli"], "dependency_groups": ["Default", "lint"]},
    {"name": "uv-extra", "extra": "extra-7-example-cuda", "extras": [], "dependency_groups": []},
    {"name": "uv-group", "extra": "group-7-example-dev", "extras": [], "dependency_groups": []},
    {"name": "uv-project", "extra": "project-7-example", "extras": [], "dependency_groups": []},
]

# --------------------------------------------------------------------------
# Markers.

# What real locks contain: uv's resolution/supported/required markers and
# dependency markers, pylock package markers and environments.
LOCK_FORMS = [
    "sys_platform == 'linux'",
    "sys_platform != 'linux'",
    "sys_platform == 'win32'",
    "sys_platform != 'win32'",
    "sys_platform == 'darwin'",
    "sys_platform != 'darwin'",
    "sys_platform == 'emscripten'",
    "sys_platform != 'emscripten'",
    "sys_platform == 'cygwin'",
    "sys_platform != 'cygwin'",
    'sys_platform == "win32"',
    "platform_machine == 'x86_64'",
    "platform_machine != 'x86_64'",
    "platform_machine == 'aarch64'",
    "platform_machine != 'aarch64'",
    "platform_machine == 'arm64'",
    "platform_machine != 'arm64'",
    "platform_machine == 'AMD64'",
    "platform_machine == 'amd64'",
    "platform_machine != 'AMD64'",
    "platform_machine == 'ARM64'",
    "platform_machine == 'x86'",
    "platform_machine == 'WIN32'",
    "platform_machine == 'win32'",
    "platform_machine == 'ppc64le'",
    "platform_machine != 'ppc64le'",
    "platform_machine == 's390x'",
    "platform_machine != 's390x'",
    "platform_machine == 'i686'",
    "python_full_version < '3.9'",
    "python_full_version < '3.10'",
    "python_full_version < '3.11'",
    "python_full_version < '3.13'",
    "python_full_version >= '3.9'",
    "python_full_version >= '3.10'",
    "python_full_version >= '3.12'",
    "python_full_version >= '3.14'",
    "python_full_version == '3.9.*'",
    "python_full_version == '3.11.*'",
    "python_full_version == '3.13.*'",
    "python_full_version != '3.10.*'",
    "python_full_version != '3.13.*'",
    "python_full_version < '3.11.4'",
    "python_full_version < '3.9.1'",
    "python_full_version >= '3.8.1'",
    "python_full_version >= '3.9.2'",
    "python_full_version > '3.12'",
    "python_full_version > '3.9'",
    "python_full_version <= '3.10'",
    "python_full_version == '3.10'",
    "python_full_version == '3.9.0'",
    "python_version >= '3.8'",
    "python_version < '3.12'",
    "python_version > '3.9'",
    "python_version < '4'",
    'python_version >= "3.13"',
    'python_version < "3.14"',
    'python_version >= "3.9"',
    "implementation_name == 'cpython'",
    "implementation_name != 'cpython'",
    "implementation_name == 'pypy'",
    "implementation_name != 'pypy'",
    "implementation_name != 'PyPy'",
    "platform_python_implementation == 'CPython'",
    "platform_python_implementation != 'CPython'",
    "platform_python_implementation == 'PyPy'",
    "platform_python_implementation != 'PyPy'",
    "os_name == 'nt'",
    "os_name != 'nt'",
    "os_name == 'posix'",
    "platform_system == 'Linux'",
    "platform_system != 'Linux'",
    "platform_system == 'Darwin'",
    "platform_system != 'Darwin'",
    "platform_system == 'Windows'",
    "'linux' in sys_platform",
    "'win' in sys_platform",
    # uv's conflict markers: extras, groups and projects as set members.
    "extra == 'extra-7-example-cuda'",
    "extra != 'extra-7-example-cuda'",
    "extra == 'extra-7-example-cpu'",
    "extra != 'extra-7-example-cpu'",
    "extra == 'group-7-example-dev'",
    "extra != 'group-7-example-dev'",
    "extra == 'project-7-example'",
    "extra != 'project-7-example'",
    "extra != 'extra-7-example-cpu' and extra == 'extra-7-example-cuda'",
    "extra == 'extra-7-example-cpu' and extra == 'extra-7-example-cuda'",
    "extra == 'extra-7-example-cpu' or extra == 'extra-7-example-cuda'",
    "(platform_machine != 'x86_64' and extra == 'extra-7-example-cuda') or (sys_platform != 'linux' and extra == 'extra-7-example-cuda')",
    "(platform_machine == 'x86_64' and sys_platform == 'linux' and extra != 'extra-7-example-cpu' and extra == 'extra-7-example-cuda') or (extra == 'extra-7-example-cpu' and extra != 'extra-7-example-cuda')",
    "python_full_version >= '3.12' and extra != 'group-7-example-dev' and extra == 'extra-7-example-cuda'",
    "sys_platform == 'linux' and extra == 'group-7-example-dev' and extra != 'project-7-example'",
    "(python_full_version < '3.11' and extra == 'extra-7-example-cuda') or (python_full_version >= '3.11' and extra != 'extra-7-example-cuda')",
    # Plain extras.
    "extra == 'test'",
    "extra != 'test'",
    "extra == 'dev'",
    "extra == 'socks-proxy'",
    'extra == "Socks_Proxy"',
    "extra == 'socks.proxy'",
    "'test' == extra",
    "python_version < '3.11' and extra == 'test'",
    "extra == 'test' and (sys_platform == 'win32' or sys_platform == 'darwin')",
    # Compound resolution markers.
    "python_full_version >= '3.12' and sys_platform == 'linux'",
    "python_full_version < '3.10' and platform_machine == 'aarch64' and sys_platform == 'linux'",
    "platform_machine == 'x86_64' and sys_platform == 'linux'",
    "(platform_machine == 'aarch64' and sys_platform == 'linux') or (platform_machine == 'x86_64' and sys_platform == 'linux')",
    "(python_full_version < '3.11' and sys_platform == 'win32') or (python_full_version >= '3.13' and sys_platform == 'darwin')",
    "python_full_version >= '3.13' or (python_full_version >= '3.11' and platform_machine != 'x86_64')",
    "(python_full_version >= '3.10' and python_full_version < '3.12' and sys_platform == 'win32') or (python_full_version == '3.12.*' and platform_machine == 'ARM64')",
    "os_name != 'nt' or (sys_platform != 'emscripten' and sys_platform != 'win32')",
    "sys_platform != 'emscripten' and sys_platform != 'win32'",
    "python_full_version >= '3.9' and platform_python_implementation != 'PyPy'",
    "platform_python_implementation == 'CPython' and python_full_version < '3.14'",
    "(implementation_name != 'pypy' and platform_machine == 'x86_64') or (platform_machine == 'aarch64' and sys_platform == 'darwin')",
    "((python_full_version < '3.10' and sys_platform == 'linux') or (python_full_version >= '3.12' and sys_platform == 'darwin')) and platform_machine != 's390x'",
    # pylock (PEP 751) package markers and environments.
    "'dev' in dependency_groups",
    '"default" in dependency_groups',
    '"test" in dependency_groups',
    '"lint" in dependency_groups',
    "'Lint' in dependency_groups",
    "'default' not in dependency_groups",
    '"tests" in extras',
    '"security" in extras',
    "'socks-proxy' in extras",
    "'socks_proxy' in extras",
    "'cli' not in extras",
    'python_version >= "3.13" and "default" in dependency_groups',
    'sys_platform == "win32" and "default" in dependency_groups or sys_platform == "win32" and "lint" in dependency_groups',
    '"lint" in dependency_groups and python_version < "3.11" or "dev" in dependency_groups and python_version < "3.11"',
    '"default" in dependency_groups or "lint" in dependency_groups or "dev" in dependency_groups',
    'platform_python_implementation == "CPython" and python_version < "3.14" and "lint" in dependency_groups',
    'python_version >= "3.6" and "security" in extras',
    "'test' in extras or 'dev' in dependency_groups",
]

# Corners: PEP 440 comparisons, packaging's fallbacks and quirks, syntax.
CORNERS = [
    # Pre-releases (the environments include 3.14.0rc2 and 3.15.0a1).
    "python_full_version >= '3.14.0rc1'",
    "python_full_version >= '3.14.0rc3'",
    "python_full_version < '3.14'",
    "python_full_version < '3.14.0'",
    "python_full_version < '3.14.0rc3'",
    "python_full_version < '3.14.0.post1'",
    "python_full_version >= '3.14.0a1'",
    "python_full_version > '3.14.0b1'",
    "python_full_version > '3.14.0rc2'",
    "python_full_version <= '3.14.0rc2'",
    "python_full_version == '3.14.*'",
    "python_full_version == '3.14.0rc2'",
    "python_full_version != '3.14.0rc2'",
    "python_full_version == '3.14.0RC2'",
    "python_full_version == '3.14.0-rc.2'",
    "python_full_version >= '3.15.dev0'",
    "python_full_version > '3.15.0.dev1'",
    "python_full_version < '3.15.0a1.dev0'",
    "python_version > '3.14'",
    "implementation_version >= '3.14.0rc1'",
    "implementation_version < '3.14'",
    "implementation_version == '3.14.0c2'",
    "implementation_version >= '7.3'",
    "implementation_version ~= '7.3.0'",
    # ~=
    "python_version ~= '3.10'",
    "python_version ~= '3.12.0'",
    "python_full_version ~= '3.12.0'",
    "python_full_version ~= '3.11.2'",
    "python_full_version ~= '3.12'",
    "python_full_version ~= '3.13.0rc1'",
    "python_full_version ~= '3.12.post1'",
    "python_full_version ~= '3.12.0.dev0'",
    "python_full_version ~= '0!3.12'",
    "python_full_version ~= '1!3.12'",
    "python_full_version ~= 'v3.12'",
    "python_full_version ~= '3.12.RC1'",
    "python_version ~= '3'",
    "python_version ~= '3.*'",
    # ===
    "python_full_version === '3.12.7'",
    "python_version === '3.12'",
    "python_version === '3.12.0'",
    "python_version === ' 3.12 '",
    "python_version === 'three point twelve'",
    "python_version === ''",
    "platform_release === '6.8.0-45-generic'",
    "platform_release === '6.8.0-45-GENERIC'",
    "os_name === 'nt'",
    "os_name ~= 'nt'",
    # Reversed operands: the specifier is built from the right-hand side.
    "'3.8' < python_version",
    "'3.10' <= python_version",
    "'3.12' > python_version",
    "'3.12' >= python_full_version",
    "'3.12.7' == python_full_version",
    "'3.11.*' == python_full_version",
    "'3.10' ~= python_version",
    "'3.12.7' ~= python_full_version",
    "'3.12.7' === python_full_version",
    "'linux' == sys_platform",
    "'nt' != os_name",
    "'6' <= platform_release",
    # in / not in: substrings, never versions.
    "'3.1' in python_version",
    "python_version in '3.10 3.11 3.12'",
    "python_version not in '3.8, 3.9'",
    "python_full_version in '3.12.7'",
    "platform_machine in 'x86_64 AMD64'",
    "platform_machine not in 'arm64 aarch64 ARM64'",
    "'' in os_name",
    "sys_platform not in 'win32 cygwin'",
    "'64' in platform_machine",
    "'arm' not in platform_machine",
    "'generic' in platform_release",
    "'Ubuntu' in platform_version",
    "'Darwin Kernel' in platform_version",
    # platform_release is not always a version.
    "platform_release >= '5.0'",
    "platform_release < '24'",
    "platform_release != '1.0'",
    "platform_release == '10'",
    "platform_release == '6.8.0-45-generic'",
    "platform_release != '6.8.0-45-generic'",
    "platform_release > '6'",
    "platform_release ~= '24.1'",
    "platform_version >= '10.0'",
    "platform_version == '10.0.22631'",
    # String fallbacks when the right side is not a specifier.
    "python_version == 'abc'",
    "python_version != 'abc'",
    "python_version <= 'abc'",
    "python_version < 'abc'",
    "python_version > '3.8.*'",
    "python_version <= '3.12.*'",
    "python_version == '3.1*'",
    "python_version == '3.12 '",
    "python_version == '3.12; x'",
    # Versions spelled oddly.
    "python_version == '3.*'",
    "python_version != '3.*'",
    "python_version == '3.12.0.*'",
    "python_version == '3.12.1.*'",
    "python_full_version == '3.12.7.0.*'",
    "python_full_version == '3.12.7.0.0'",
    "python_version == 'v3.12'",
    "python_version == 'V3.12.*'",
    "python_version == '03.012'",
    "python_version >= ' 3.8 '",
    "python_version >= '\t3.8'",
    "python_version == '3.12+local'",
    "python_version == '3.12.*+local'",
    "python_version <= '3.12+local'",
    "python_version < '1!0.1'",
    "python_full_version >= '0!3.8'",
    "python_full_version > '3.12.7.post1'",
    "python_full_version > '3.12.6.post1'",
    "python_full_version >= '3.12.7-1'",
    "python_version == '3.12.0-0'",
    # packaging builds the specifier as op + text: '=3.12' after '<' is '<=3.12'.
    "python_version == '=3.12'",
    "python_version < '=3.12'",
    "python_version > '=3.12'",
    "python_version ~= '=3.12'",
    "python_version != '=3.12'",
    # The untagged build (3.13.0+ repaired to 3.13.0+local).
    "python_full_version > '3.13.0'",
    "python_full_version == '3.13.0'",
    "python_full_version <= '3.13.0'",
    "python_full_version >= '3.13.1'",
    "python_full_version == '3.13.0+local'",
    "python_full_version == '3.13.0+LOCAL'",
    "python_full_version === '3.13.0+'",
    "python_full_version == '3.13.*'",
    "'local' in python_full_version",
    # Legacy dotted spellings.
    "os.name == 'nt'",
    "sys.platform == 'win32'",
    "platform.machine == 'AMD64'",
    "platform.version != ''",
    "platform.python_implementation == 'CPython'",
    "python_implementation == 'CPython'",
    "python_implementation != 'PyPy' and os.name == 'posix'",
    # Both sides variables: the right one is read as its name.
    "python_version == python_full_version",
    "python_version != python_full_version",
    "os_name == sys_platform",
    "os_name != sys_platform",
    "extra == os_name",
    "os_name == extra",
    # Both sides strings: the right one is looked up as a variable name.
    "'python_version' == 'python_version'",
    "'3.9' < 'python_version'",
    "'a' == 'b'",
    "'x' in 'extras'",
    # Sets on either side.
    "extras == 'test'",
    "dependency_groups != 'dev'",
    "'test' == extras",
    "'dev' != dependency_groups",
    "'dev' <= dependency_groups",
    "'dev' ~= dependency_groups",
    "'test' in extras and extra == 'test'",
    # extra with every operator; parentheses skip packaging's normalisation.
    "extra in 'test-suite'",
    "'tes' in extra",
    "extra not in 'abc'",
    "extra < 'z'",
    "extra <= 'test'",
    "extra >= 'test'",
    "extra > 'a'",
    "extra ~= 'test'",
    "extra === 'test'",
    "extra == ''",
    "extra != ''",
    "(extra == 'Socks_Proxy')",
    "(extra == 'socks-proxy')",
    "('Socks_Proxy' == extra)",
    "(extra == 'test') and extra != 'Test'",
    # Precedence: and before or, left to right, no short-circuit on errors.
    "os_name == 'nt' or sys_platform == 'linux' and python_version < '3.9'",
    "(os_name == 'nt' or sys_platform == 'linux') and python_version < '3.9'",
    "os_name == 'posix' and (python_version < '3.9' or python_version >= '3.13') or extra == 'test'",
    "os_name == 'nt' and sys_platform == 'win32' or os_name == 'posix' and sys_platform == 'darwin' or platform_machine == 'aarch64'",
    "os_name == 'posix' or os_name ~= 'x'",
    "os_name == 'posix' or extras == 'x'",
    "os_name == 'nt' and '3.12' ~= python_version",
    "((((os_name == 'posix'))))",
    "(os_name == 'posix' and (sys_platform == 'linux' or (sys_platform == 'darwin' and (platform_machine == 'arm64' or python_version < '3.10'))))",
    # Whitespace.
    "  os_name == 'nt'  ",
    "os_name=='nt'",
    "os_name\t==\t'nt'",
    "(os_name=='nt')and(sys_platform=='win32')",
    "os_name == 'posix'and sys_platform == 'linux'",
    "'lin'in sys_platform",
    "'lin' not\tin sys_platform",
    "'lin' not  in sys_platform",
    "( os_name == 'posix' )",
    "os_name == 'posix'\n",
    # Python string literals: escapes and quotes.
    "os_name == 'po\\x73ix'",
    'os_name == "n\\164"',
    "sys_platform == 'linu\\u0078'",
    "sys_platform == 'win\\U00000033\\U00000032'",
    "os_name == 'p\\osix'",
    "os_name == 'pos\\\nix'",
    "os_name == 'pos\\\r\nix'",
    "os_name == 'pos\\\rix'",
    "os_name == \"it's\"",
    "os_name == 'say \"hi\"'",
    "os_name == \"\\\\\"",
    "os_name == '\\777'",
    "os_name == '\\0'",
    "os_name == '\\a\\b\\f\\n\\r\\t\\v'",
    "os_name == 'a\x0bb'",
    "os_name == ''",
    "os_name != \"\"",
    "platform_machine == 'x86_64\u00e9'",
]

INVALID = [
    "",
    "   ",
    "os_name",
    "os_name ==",
    "os_name == 'nt' and",
    "os_name = 'nt'",
    "os_name == nt",
    "python_version >= 3.8",
    "(os_name == 'nt'",
    "((os_name == 'nt')",
    "os_name == 'nt')",
    "()",
    "os_name == 'nt' AND sys_platform == 'linux'",
    "os_name == 'nt' && sys_platform == 'linux'",
    "os_name == 'nt' or or sys_platform == 'win32'",
    "os_name == 'nt'andsys_platform == 'linux'",
    "os_name not 'nt'",
    "'a' notin os_name",
    "'a' not",
    "'a' innot os_name",
    "os_name == 'nt' ; python_version > '3'",
    "os_name == 'unterminated",
    "os_name == \"unterminated'",
    "python_version2 == '3'",
    "Os_name == 'nt'",
    "os.name.x == 'nt'",
    "platform.release == '6'",
    "python.version == '3'",
    "extras_x == 'a'",
    "os_name\v== 'nt'",
    "os_name === ",
    "'nt' == os_name or",
    "os_name == 'posix'\n\n",
    "\nos_name == 'posix'",
    "os_name == 'a\\'",
    "os_name == 'a\\'b'",
    "os_name == 'a\nb'",
    "os_name == 'a\rb'",
    "os_name == 'a\x00b'",
    "os_name == '\\x4'",
    "os_name == '\\u12'",
    "os_name == '\\U00110000'",
    "os_name == 'posix' extra == 'a'",
    "os_name == 'a' 'b'",
    "os_name in",
    "in os_name",
    "os_name == 'a' or (",
    "os_name == 'a' or ( )",
    "os_name == 'é' or é",
]


def dump_tree(markers: list) -> list:
    """packaging's parse tree as JSON: lists, "and"/"or", and comparisons."""

    def operand(node: object) -> dict:
        if isinstance(node, Variable):
            return {"variable": node.value}
        assert isinstance(node, Value)
        return {"string": node.value}

    out = []
    for item in markers:
        if isinstance(item, list):
            out.append(dump_tree(item))
        elif isinstance(item, tuple):
            left, op, right = item
            out.append({"left": operand(left), "op": op.value, "right": operand(right)})
        else:
            out.append(item)
    return out


def sort_keys(value: object) -> object:
    if isinstance(value, dict):
        return {key: sort_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [sort_keys(item) for item in value]
    return value


def evaluate(marker: Marker, env: dict, context: dict) -> str:
    environment = {
        **env,
        "extra": context["extra"],
        "extras": frozenset(context["extras"]),
        "dependency_groups": frozenset(context["dependency_groups"]),
    }
    try:
        return "T" if marker.evaluate(environment, context="lock_file") else "F"
    except Exception:  # noqa: BLE001 - UndefinedComparison, KeyError, AssertionError
        return "E"


def main() -> None:
    envs = environments()
    valid = []
    for text in sorted(set(LOCK_FORMS + CORNERS)):
        marker = Marker(text)
        valid.append(
            {
                "marker": text,
                "tree": dump_tree(marker._markers),
                "results": {
                    context["name"]: "".join(evaluate(marker, e["env"], context) for e in envs)
                    for context in CONTEXTS
                },
            }
        )
    invalid = []
    for text in sorted(set(INVALID)):
        try:
            Marker(text)
        except InvalidMarker as error:
            invalid.append({"marker": text, "error": "InvalidMarker", "message": str(error)})
        except Exception as error:  # noqa: BLE001 - literal_eval's SyntaxError / ValueError
            invalid.append({"marker": text, "error": type(error).__name__, "message": str(error)})
        else:
            sys.exit(f"expected packaging to reject {text!r}")
    golden = {
        "packaging": packaging.__version__,
        "generator": "scripts/golden/markers.py",
        "environments": envs,
        "contexts": CONTEXTS,
        "valid": valid,
        "invalid": invalid,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    # The header first, then everything else with sorted keys.
    OUT.write_text(json.dumps({key: sort_keys(value) for key, value in golden.items()}, indent=1, ensure_ascii=True) + "\n", encoding="utf-8")
    evaluations = len(valid) * len(envs) * len(CONTEXTS)
    print(f"wrote {OUT}: {len(valid)} markers x {len(envs)} environments x {len(CONTEXTS)} contexts = {evaluations} evaluations, {len(invalid)} invalid markers")


if __name__ == "__main__":
    main()
