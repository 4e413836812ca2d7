#!/usr/bin/env python3
"""Golden vectors for src/python/tags.ts and src/python/targets.ts.

Run from the repository root:

    python3 scripts/golden/tags.py

and it writes test/golden/tags.json, which test/python/tags-golden.test.ts
replays: every case is a set of target flags (as the CLI passes them to
targets.ts `buildTargets`) and the targets they must produce, each with its
marker environment and its full ordered tag list.

Where each expectation comes from:

- Tag order: packaging itself (`cpython_tags` then `compatible_tags`, which is
  what `sys_tags` yields on CPython), given the platform list packaging would
  compute on a machine with that glibc / musl / macOS version. We get that list
  by faking the host facts packaging reads (glibc, musl, sysconfig platform)
  and calling packaging's own platform generators.
- pip `--platform` spellings: pip's own `_expand_allowed_platforms`, with its
  vendored `mac_platforms` swapped for the installed packaging's.
- Marker environments, target ids and how flags combine into targets: ours,
  written out below from DESIGN.md ("A target's marker environment").
- Wheel table: whether a wheel fits and its best priority, from packaging's
  tag sets (`parse_tag`) against the same ordered lists. Why a wheel does not
  fit is lockhouse's own rule (uv's), tested by hand in tags.test.ts.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import sysconfig
from pathlib import Path
from typing import Iterator

import packaging
from packaging import _manylinux, _musllinux, tags

from pip import __version__ as pip_version
from pip._internal.utils import compatibility_tags as pip_tags

OUT = Path("test/golden/tags.json")

# --------------------------------------------------------------------------
# Facts packaging reads from the host, faked one target at a time.


@contextlib.contextmanager
def patched(obj: object, name: str, value: object) -> Iterator[None]:
    old = getattr(obj, name)
    setattr(obj, name, value)
    try:
        yield
    finally:
        setattr(obj, name, old)


def linux_platforms(
    arch: str, glibc: tuple[int, int] | None, musl: tuple[int, int] | None
) -> list[str]:
    """packaging's `_linux_platforms` on a 64-bit interpreter with this libc."""
    glibc_version = _manylinux._GLibCVersion(*(glibc or (-1, -1)))
    musl_version = _musllinux._MuslVersion(*musl) if musl else None
    with contextlib.ExitStack() as stack:
        stack.enter_context(patched(_manylinux, "_get_glibc_version", lambda: glibc_version))
        stack.enter_context(patched(_musllinux, "_get_musl_version", lambda _exe: musl_version))
        stack.enter_context(patched(sysconfig, "get_platform", lambda: f"linux-{arch}"))
        return list(tags._linux_platforms(is_32bit=False))


def windows_platforms(sysconfig_platform: str) -> list[str]:
    """packaging's `_generic_platforms`, which is what Windows gets."""
    with patched(sysconfig, "get_platform", lambda: sysconfig_platform):
        return list(tags._generic_platforms())


def mac_platforms(version: tuple[int, int], arch: str) -> list[str]:
    return list(tags.mac_platforms(version, arch))


def pip_platforms(platforms: list[str]) -> list[str]:
    """pip's `--platform` expansion, with packaging's current mac_platforms."""
    with patched(pip_tags, "mac_platforms", tags.mac_platforms):
        expanded = pip_tags._expand_allowed_platforms(platforms)
    assert expanded, platforms
    return expanded


def default_abis(version: tuple[int, int], free_threaded: bool) -> list[str]:
    """packaging's `_cpython_abis` for a release (non-debug, pymalloc) build."""
    config = {"Py_DEBUG": 0, "Py_GIL_DISABLED": int(free_threaded), "WITH_PYMALLOC": 1}
    with patched(tags, "_get_config_var", lambda name, warn=False: config.get(name)):
        return tags._cpython_abis(version)


def ordered_tags(version: tuple[int, int], abis: list[str], platforms: list[str]) -> list[str]:
    """`sys_tags` for CPython: cpython_tags, then compatible_tags; first rank wins."""
    assert platforms, "an empty list would make packaging use this machine's platforms"
    interpreter = f"cp{version[0]}{version[1]}"
    found = [
        *tags.cpython_tags(python_version=version, abis=abis, platforms=platforms),
        *tags.compatible_tags(python_version=version, interpreter=interpreter, platforms=platforms),
    ]
    # packaging's create_compatible_tags_selector keeps the first rank of a repeated tag.
    return list(dict.fromkeys(str(tag) for tag in found))


# --------------------------------------------------------------------------
# Our side: what each --python-platform name means, and the marker table.

LINUX = {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix"}
DARWIN = {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix"}
WINDOWS = {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt"}

MACOS_DEFAULT = (13, 0)  # uv's default: the least-recent non-EOL macOS


def uv_platform(name: str, macos: tuple[int, int] | None) -> tuple[str, dict, list[str]]:
    """A --python-platform name → (canonical name, OS markers, platform tags)."""
    macos = macos or MACOS_DEFAULT
    fixed = {
        "linux": ("x86_64", (2, 28)),
        "x86_64-unknown-linux-gnu": ("x86_64", (2, 28)),
        "aarch64-unknown-linux-gnu": ("aarch64", (2, 28)),
        "riscv64-unknown-linux": ("riscv64", (2, 39)),
        "x86_64-manylinux2014": ("x86_64", (2, 17)),
        "aarch64-manylinux2014": ("aarch64", (2, 17)),
    }
    if name in fixed:
        arch, glibc = fixed[name]
        return name, {**LINUX, "platform_machine": arch}, linux_platforms(arch, glibc, None)
    if m := re.fullmatch(r"(x86_64|aarch64)-unknown-linux-musl", name):
        arch = m[1]
        return name, {**LINUX, "platform_machine": arch}, linux_platforms(arch, None, (1, 2))
    if m := re.fullmatch(r"(\w+?)-manylinux_2_(\d+)", name):
        arch = m[1]
        return name, {**LINUX, "platform_machine": arch}, linux_platforms(arch, (2, int(m[2])), None)
    if m := re.fullmatch(r"manylinux_2_(\d+)_(\w+)", name):  # uv's wheel-tag-style alias
        return uv_platform(f"{m[2]}-manylinux_2_{m[1]}", macos)
    if name in ("macos", "aarch64-apple-darwin"):
        return name, {**DARWIN, "platform_machine": "arm64"}, mac_platforms(macos, "arm64")
    if name == "x86_64-apple-darwin":
        return name, {**DARWIN, "platform_machine": "x86_64"}, mac_platforms(macos, "x86_64")
    windows = {
        "windows": ("AMD64", "win-amd64"),
        "x86_64-pc-windows-msvc": ("AMD64", "win-amd64"),
        "aarch64-pc-windows-msvc": ("ARM64", "win-arm64"),
        "i686-pc-windows-msvc": ("x86", "win32"),
    }
    if name in windows:
        machine, plat = windows[name]
        return name, {**WINDOWS, "platform_machine": machine}, windows_platforms(plat)
    raise ValueError(f"no golden rule for {name!r}")


def pip_platform_markers(tag: str) -> dict:
    """The marker OS part for a pip --platform tag (one OS and machine per case here)."""
    if m := re.fullmatch(r"(?:manylinux\w*?|musllinux_\d+_\d+|linux)_(x86_64|aarch64|i686)", tag):
        return {**LINUX, "platform_machine": m[1]}
    if m := re.fullmatch(r"macosx_\d+_\d+_(arm64|x86_64)", tag):
        return {**DARWIN, "platform_machine": m[1]}
    windows = {"win_amd64": "AMD64", "win_arm64": "ARM64", "win32": "x86"}
    if tag in windows:
        return {**WINDOWS, "platform_machine": windows[tag]}
    raise ValueError(f"no golden rule for {tag!r}")


def parse_version(text: str) -> tuple[tuple[int, int], str, bool]:
    m = re.fullmatch(r"(\d+)\.(\d+)(?:\.(\d+))?(t?)", text)
    assert m, text
    major, minor = int(m[1]), int(m[2])
    return (major, minor), f"{major}.{minor}.{m[3] or 0}", m[4] == "t"


def python_markers(text: str) -> dict:
    (major, minor), full, _ = parse_version(text)
    return {
        "implementation_name": "cpython",
        "implementation_version": full,
        "platform_python_implementation": "CPython",
        # uv leaves both empty for a --python-platform target; so do we.
        "platform_release": "",
        "platform_version": "",
        "python_full_version": full,
        "python_version": f"{major}.{minor}",
    }


def target(platform: str, os_markers: dict, platforms: list[str], version: str, abis: list[str] | None) -> dict:
    nodot, _, free_threaded = parse_version(version)
    abi_list = abis if abis is not None else default_abis(nodot, free_threaded)
    suffix = "t" if free_threaded else ""
    return {
        "id": f"{platform}-cp{nodot[0]}{nodot[1]}{suffix}",
        "pythonPlatform": platform,
        "pythonVersion": version,
        "markers": {**python_markers(version), **os_markers},
        "tags": ordered_tags(nodot, abi_list, platforms),
    }


def uv_case(names: list[str], versions: list[str], macos: str | None = None, abis: list[str] | None = None) -> dict:
    flags: dict = {"pythonPlatforms": names, "pythonVersions": versions, "platforms": []}
    deployment = None
    if macos is not None:
        flags["macosDeploymentTarget"] = macos
        major, _, minor = macos.partition(".")
        deployment = (int(major), int(minor or 0))
    if abis is not None:
        flags["abis"] = abis
    targets = []
    for name in names:
        canonical, os_markers, platforms = uv_platform(name, deployment)
        targets += [target(canonical, os_markers, platforms, v, abis) for v in versions]
    return {"flags": flags, "targets": targets}


def pip_case(platforms: list[str], versions: list[str], abis: list[str] | None = None) -> dict:
    """One pip invocation: all --platform values of one OS and machine form one target per version."""
    flags: dict = {"pythonPlatforms": [], "pythonVersions": versions, "platforms": platforms, "implementation": "cp"}
    if abis is not None:
        flags["abis"] = abis
    os_markers = pip_platform_markers(platforms[0])
    assert all(pip_platform_markers(p) == os_markers for p in platforms), platforms
    expanded = pip_platforms(platforms)
    return {"flags": flags, "targets": [target(platforms[0], os_markers, expanded, v, abis) for v in versions]}


CASES = [
    # Every uv name, Python 3.8–3.14 and 3.13t spread across them.
    uv_case(["linux"], ["3.12"]),
    uv_case(["macos"], ["3.13"]),
    uv_case(["windows"], ["3.11"]),
    uv_case(["x86_64-unknown-linux-gnu"], ["3.8"]),
    uv_case(["aarch64-unknown-linux-gnu"], ["3.14"]),
    uv_case(["x86_64-unknown-linux-musl"], ["3.10"]),
    uv_case(["aarch64-unknown-linux-musl"], ["3.13t"]),
    uv_case(["riscv64-unknown-linux"], ["3.12"]),
    uv_case(["x86_64-manylinux2014"], ["3.12"]),
    uv_case(["aarch64-manylinux2014"], ["3.9"]),
    uv_case(["x86_64-manylinux_2_17"], ["3.9"]),
    uv_case(["x86_64-manylinux_2_28"], ["3.13t"]),
    uv_case(["x86_64-manylinux_2_31"], ["3.12.4"]),
    uv_case(["x86_64-manylinux_2_35"], ["3.13"]),
    uv_case(["x86_64-manylinux_2_40"], ["3.14"]),
    uv_case(["aarch64-manylinux_2_17"], ["3.10"]),
    uv_case(["aarch64-manylinux_2_34"], ["3.11"]),
    uv_case(["aarch64-manylinux_2_40"], ["3.14t"]),
    uv_case(["manylinux_2_28_aarch64"], ["3.12"]),
    uv_case(["x86_64-apple-darwin"], ["3.12"]),
    uv_case(["aarch64-apple-darwin"], ["3.14"]),
    uv_case(["x86_64-apple-darwin"], ["3.8"], macos="10.9"),
    uv_case(["aarch64-apple-darwin"], ["3.11"], macos="11.0"),
    uv_case(["aarch64-apple-darwin"], ["3.13t"], macos="14.2"),
    uv_case(["x86_64-apple-darwin"], ["3.10"], macos="15"),
    uv_case(["x86_64-pc-windows-msvc"], ["3.13t"]),
    uv_case(["aarch64-pc-windows-msvc"], ["3.12"]),
    uv_case(["i686-pc-windows-msvc"], ["3.9"]),
    # Several platforms × several versions: one target per pair, platform-major.
    uv_case(["linux", "windows"], ["3.11", "3.12.4"]),
    # --abi with uv names: replaces the default ABI list, as pip's does.
    uv_case(["aarch64-unknown-linux-gnu"], ["3.12"], abis=["cp312", "abi3"]),
    # pip's spelling.
    pip_case(["manylinux2014_x86_64"], ["3.12"], abis=["cp312"]),
    pip_case(["manylinux2010_x86_64"], ["3.8"]),
    pip_case(["manylinux_2_28_aarch64", "manylinux2014_aarch64"], ["3.11"]),
    pip_case(["manylinux_2_17_x86_64"], ["3.13t"], abis=["cp313t"]),
    pip_case(["musllinux_1_2_aarch64"], ["3.13"]),
    pip_case(["linux_x86_64"], ["3.8"]),
    pip_case(["macosx_11_0_arm64"], ["3.12"]),
    pip_case(["macosx_10_12_x86_64"], ["3.9"], abis=["cp39", "abi3"]),
    pip_case(["win_amd64"], ["3.10"], abis=["none"]),
    pip_case(["win32"], ["3.12"]),
]

# Wheel tag triples ranked against a few targets (best priority, or null).
WHEELS = [
    "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp312-cp312-manylinux_2_28_x86_64",
    "cp312-cp312-manylinux_2_34_x86_64",
    "cp312-cp312-manylinux1_x86_64",
    "cp312-cp312-musllinux_1_2_x86_64",
    "cp312-cp312-musllinux_1_1_aarch64",
    "cp312-cp312-linux_x86_64",
    "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp39-abi3-manylinux_2_17_aarch64.manylinux2014_aarch64",
    "cp313-cp313t-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp313-cp313-manylinux_2_17_x86_64",
    "cp312-abi3t-manylinux_2_17_x86_64",
    "cp37-cp37m-manylinux1_x86_64",
    "pp310-pypy310_pp73-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "py3-none-manylinux_2_17_x86_64",
    "py3-none-any",
    "py2.py3-none-any",
    "py2-none-any",
    "cp312-none-any",
    "py312-none-any",
    "cp312-cp312-win_amd64",
    "cp312-cp312-win32",
    "cp312-cp312-win_arm64",
    "cp311-abi3-win_amd64",
    "cp312-cp312-macosx_11_0_arm64",
    "cp312-cp312-macosx_14_0_arm64",
    "cp312-cp312-macosx_10_9_universal2",
    "cp312-cp312-macosx_10_13_x86_64",
    "cp38-abi3-macosx_10_9_x86_64.macosx_11_0_arm64",
]


def rank(ordered: list[str], triple: str) -> int | None:
    ranks = {tag: i for i, tag in reversed(list(enumerate(ordered)))}
    found = [ranks[str(tag)] for tag in tags.parse_tag(triple) if str(tag) in ranks]
    return min(found) if found else None


def main() -> None:
    by_id = {t["id"]: t for case in CASES for t in case["targets"]}
    ranked = [
        "linux-cp312",
        "x86_64-manylinux_2_28-cp313t",
        "x86_64-unknown-linux-musl-cp310",
        "macos-cp313",
        "x86_64-apple-darwin-cp312",
        "windows-cp311",
        "i686-pc-windows-msvc-cp39",
    ]
    wheels = [
        {"target": tid, "wheels": {w: rank(by_id[tid]["tags"], w) for w in WHEELS}} for tid in ranked
    ]
    golden = {
        "generator": "scripts/golden/tags.py",
        "packaging": packaging.__version__,
        "pip": pip_version,
        "python": ".".join(map(str, sys.version_info[:3])),
        "cases": CASES,
        "wheels": wheels,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")
    n_targets = sum(len(c["targets"]) for c in CASES)
    n_tags = sum(len(t["tags"]) for c in CASES for t in c["targets"])
    print(f"wrote {OUT}: {len(CASES)} cases, {n_targets} targets, {n_tags} tags, packaging {packaging.__version__}")


if __name__ == "__main__":
    main()
