/**
 * The in-tree PEP 517 build backend every synthesized sdist and source tree
 * carries, as `_backend/backend.py`, with `requires = []` in
 * `[build-system]`: building it needs nothing from any index, in an isolated
 * environment or not. It is standard library only, written for Python 3.8+.
 *
 * One text, five behaviours, chosen by the `KIND = "…"` line near its top
 * (`backendPy(kind)`):
 *
 *   pure           `<name>-<version>-py3-none-any.whl`: serves every target
 *   platform       the same files tagged for the interpreter that runs the build,
 *                  `cpXY-cpXY-<platform>` (`hostWheelTag()`): serves the host only
 *   fail           build_wheel prints FAIL_LINES numbered lines (the first half on
 *                  stdout, the rest on stderr) and raises
 *   wrong-name     a valid wheel whose METADATA and file name say `wrongName(name)`
 *   wrong-version  a valid wheel whose METADATA and file name say `wrongVersion(version)`
 *
 * Metadata comes from PKG-INFO in an sdist; in a source tree without one
 * (`writeProject`), from pyproject.toml's `[project]` table (`name`,
 * `version`, `dependencies`, `requires-python`), read with tomllib where the
 * interpreter has it (3.11+), else line by line in the one-key-a-line form
 * writeProject writes. The wrong-* backends answer
 * `prepare_metadata_for_build_wheel` with the same wrong identity the wheel
 * carries, so pip's own check of a built wheel (file name against metadata)
 * passes and only a frontend's caller that compares with the lock sees it.
 *
 * The platform tag is what packaging's `sys_tags()` puts first, computed with
 * the standard library: CPython `cpXY` with `t` (free-threaded) and `d`
 * (debug) ABI suffixes as packaging adds them (other implementations: their
 * SOABI's first two parts, PyPy's `pp73`-style); Linux with glibc
 * `manylinux_<major>_<minor>_<arch>` from `os.confstr('CS_GNU_LIBC_VERSION')`
 * (architectures packaging gives manylinux tags; 32-bit Pythons on 64-bit
 * kernels as i686 / armv8l; no ELF checks), with musl
 * `musllinux_<major>_<minor>_<arch>` from the version `/lib/ld-musl-*.so.1`
 * prints, else `linux_<arch>`; macOS `macosx_<major>_0_<arch>` from 11 on and
 * `macosx_10_<minor>_<arch>` before (no re-query of the 10.16 compatibility
 * version); anything else, Windows included (`win_amd64`, `win32`,
 * `win_arm64`), `sysconfig.get_platform()` with `-`, `.` and spaces as `_`.
 */
import { spawnSync } from 'node:child_process';
import { PYTHON, pythonEnv } from './python.js';

export type BackendKind = 'pure' | 'platform' | 'fail' | 'wrong-name' | 'wrong-version' | 'hang';

export const BACKEND_KINDS: readonly BackendKind[] = ['pure', 'platform', 'fail', 'wrong-name', 'wrong-version', 'hang'];

export const BACKEND_PATH = '_backend/backend.py';

/** An sdist's pyproject.toml: the build system only (the metadata is PKG-INFO). */
export const PYPROJECT_TOML = `[build-system]
requires = []
build-backend = "backend"
backend-path = ["_backend"]
`;

/** How many lines the `fail` backend prints before it raises: the first half on stdout, the rest on stderr. */
export const FAIL_LINES = 30;

/** Line `n` (1-based) of what the `fail` backend prints; zero-padded so "line 01" never matches inside "line 10". */
export function failLine(n: number): string {
  return `lockhouse-test-backend: build output line ${String(n).padStart(2, '0')} of ${FAIL_LINES}`;
}

/** The start of the exception the `fail` backend raises (then `(<name> <version>)`). */
export const FAIL_MESSAGE = 'RuntimeError: lockhouse-test-backend: build_wheel fails on purpose';

/** The name a `wrong-name` backend's wheel carries. */
export function wrongName(name: string): string {
  return `${name}-impostor`;
}

/** The version a `wrong-version` backend's wheel carries: the last release number plus one, suffixes dropped (1.0rc1 → 1.1, 1!2.0.post3 → 1!2.1). */
export function wrongVersion(version: string): string {
  const m = /^([0-9]+!)?([0-9]+(?:\.[0-9]+)*)/.exec(version);
  if (!m) throw new Error(`"${version}" does not start with a release number`);
  const parts = m[2]!.split('.');
  parts[parts.length - 1] = String(Number(parts[parts.length - 1]) + 1);
  return `${m[1] ?? ''}${parts.join('.')}`;
}

/** The backend's source for one behaviour. Pure by default: BACKEND_PY. */
export function backendPy(kind: BackendKind = 'pure'): string {
  if (!BACKEND_KINDS.includes(kind)) throw new Error(`unknown backend kind "${kind}"`);
  return BACKEND_TEMPLATE.replace('KIND = "pure"', `KIND = "${kind}"`);
}

/** What the host tag is, once per interpreter. */
const hostTags = new Map<string, string | Error>();

/**
 * The `python-abi-platform` tag a `platform` backend writes when `python`
 * runs the build, e.g. `cp311-cp311-manylinux_2_36_x86_64`: the backend's own
 * code, run. Throws when the interpreter cannot be run.
 */
export function hostWheelTag(python = PYTHON): string {
  let tag = hostTags.get(python);
  if (tag === undefined) {
    const run = spawnSync(python, ['-c', `${BACKEND_TEMPLATE}\nprint("-".join(_host_tag()))\n`], { encoding: 'utf8', env: pythonEnv() });
    tag = run.error ?? (run.status !== 0 ? new Error(`${python} failed: ${run.stderr.trim()}`) : run.stdout.trim());
    hostTags.set(python, tag);
  }
  if (tag instanceof Error) throw tag;
  return tag;
}

const BACKEND_TEMPLATE = String.raw`"""An in-tree PEP 517 backend written by lockhouse's test helpers (standard library only, Python 3.8+).

KIND says what build_wheel does:
  pure           a py3-none-any wheel of the source tree (the current directory while a hook runs)
  platform       the same, tagged for the interpreter running the build (the first tag
                 packaging's sys_tags() gives, computed here with the standard library)
  fail           prints 30 numbered lines (15 on stdout, then 15 on stderr) and raises
  wrong-name     a valid wheel whose METADATA and file name say "<name>-impostor"
  wrong-version  a valid wheel whose METADATA and file name say the next version (1.0 -> 1.1)
  hang           prints "lockhouse-test-backend: hanging (pid N)" (and writes N to the file
                 $LOCKHOUSE_TEST_HANG_FILE names, if set: frontends may hide a backend's output),
                 then sleeps until killed

Metadata comes from PKG-INFO (an sdist) or, in a source tree without one,
from pyproject.toml's [project] table.
"""
import base64
import glob
import gzip
import hashlib
import io
import json
import os
import platform
import re
import subprocess
import sys
import sysconfig
import tarfile
import zipfile

KIND = "pure"

_DATE = (1980, 1, 1, 0, 0, 0)
_SKIP = {"PKG-INFO", "pyproject.toml", "_backend", "build", "dist", "__pycache__", ".git", ".hg", ".venv"}
_FAIL_LINES = ${FAIL_LINES}
_MANYLINUX_ARCHS = {"x86_64", "aarch64", "ppc64", "ppc64le", "s390x", "loongarch64", "riscv64", "i686", "armv7l", "armv8l"}


def _dist(name):
    return re.sub(r"[-_.]+", "_", name).lower()


def _norm(text):
    return text.replace("-", "_").replace(".", "_").replace(" ", "_")


def _record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


# ---------------------------------------------------------------- metadata


def _project():
    """pyproject.toml's [project] table."""
    try:
        import tomllib
    except ImportError:
        tomllib = None
    if tomllib is not None:
        with open("pyproject.toml", "rb") as f:
            return tomllib.load(f).get("project", {})
    # Python < 3.11: the form writeProject writes, one key a line, values JSON-compatible.
    fields, section = {}, None
    with open("pyproject.toml", encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                section = line
            elif section == "[project]":
                key, _, value = line.partition("=")
                fields[key.strip()] = json.loads(value.strip())
    return fields


def _metadata_text(name, version, requires_python, requires_dist):
    extras = []
    for requirement in requires_dist:
        for m in re.finditer(r"\bextra\s*==\s*[\"']([^\"']+)[\"']", requirement):
            if m.group(1) not in extras:
                extras.append(m.group(1))
    lines = ["Metadata-Version: 2.1", "Name: " + name, "Version: " + version, "Summary: synthesized by lockhouse test helpers"]
    if requires_python:
        lines.append("Requires-Python: " + requires_python)
    lines += ["Requires-Dist: " + requirement for requirement in requires_dist]
    lines += ["Provides-Extra: " + extra for extra in extras]
    return "\n".join(lines) + "\n\n"


def _source_metadata():
    """(METADATA text, name, version) the source says: its PKG-INFO, else made from [project]."""
    if os.path.exists("PKG-INFO"):
        with open("PKG-INFO", encoding="utf-8") as f:
            text = f.read()
        fields = {}
        for line in text.splitlines():
            if not line.strip():
                break
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
        return text, fields["Name"], fields["Version"]
    project = _project()
    text = _metadata_text(project["name"], project["version"], project.get("requires-python"), project.get("dependencies", []))
    return text, project["name"], project["version"]


def _wrong_version(version):
    m = re.match(r"([0-9]+!)?([0-9]+(?:\.[0-9]+)*)", version)
    parts = m.group(2).split(".")
    parts[-1] = str(int(parts[-1]) + 1)
    return (m.group(1) or "") + ".".join(parts)


def _built_metadata():
    """(METADATA text, name, version) the wheel says: the source's, or another identity for wrong-*."""
    text, name, version = _source_metadata()
    if KIND == "wrong-name":
        name = name + "-impostor"
        text = re.sub(r"(?m)^Name: .*$", lambda m: "Name: " + name, text, count=1)
    elif KIND == "wrong-version":
        version = _wrong_version(version)
        text = re.sub(r"(?m)^Version: .*$", lambda m: "Version: " + version, text, count=1)
    return text, name, version


# ---------------------------------------------------------------- the host's tag


def _glibc():
    try:
        text = os.confstr("CS_GNU_LIBC_VERSION")  # "glibc 2.36"
    except (AttributeError, OSError, ValueError):
        return None
    m = re.match(r"glibc (\d+)\.(\d+)", text or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


def _musl():
    for loader in sorted(glob.glob("/lib/ld-musl-*.so.1")):
        try:
            run = subprocess.run([loader], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, universal_newlines=True)
        except OSError:
            continue
        m = re.search(r"^Version (\d+)\.(\d+)", run.stderr, re.M)
        if m:
            return int(m.group(1)), int(m.group(2))
    return None


def _host_platform():
    is_32bit = sys.maxsize <= 2**32
    if sys.platform == "darwin":
        release, _, machine = platform.mac_ver()
        major, minor = ([int(part) for part in release.split(".")[:2]] + [0, 0])[:2]
        arch = machine or platform.machine()
        if is_32bit:
            arch = "ppc" if arch.startswith("ppc") else "i386"
        return "macosx_%d_0_%s" % (major, arch) if major >= 11 else "macosx_%d_%d_%s" % (major, minor, arch)
    plat = _norm(sysconfig.get_platform())
    if not plat.startswith("linux_"):
        return plat
    arch = plat[len("linux_"):]
    if is_32bit:
        arch = {"x86_64": "i686", "aarch64": "armv8l"}.get(arch, arch)
    glibc = _glibc()
    if glibc and arch in _MANYLINUX_ARCHS:
        return "manylinux_%d_%d_%s" % (glibc[0], glibc[1], arch)
    musl = None if glibc else _musl()
    if musl:
        return "musllinux_%d_%d_%s" % (musl[0], musl[1], arch)
    return "linux_" + arch


def _host_tag():
    """(python, abi, platform) of the interpreter running this: what packaging's sys_tags() gives first."""
    xy = "%d%d" % sys.version_info[:2]
    if sys.implementation.name == "cpython":
        abi = "cp" + xy
        if sysconfig.get_config_var("Py_GIL_DISABLED"):
            abi += "t"
        debug = sysconfig.get_config_var("Py_DEBUG")
        if debug or (debug is None and hasattr(sys, "gettotalrefcount")):
            abi += "d"
        return "cp" + xy, abi, _host_platform()
    soabi = (sysconfig.get_config_var("SOABI") or "").split("-")
    abi = _norm("_".join(soabi[:2])) if len(soabi) >= 2 else "none"
    return {"pypy": "pp"}.get(sys.implementation.name, sys.implementation.name) + xy, abi, _host_platform()


def _wheel_tag():
    return "-".join(_host_tag()) if KIND == "platform" else "py3-none-any"


# ---------------------------------------------------------------- files


def _tree():
    """(archive name, path) of every file to ship, in a stable order."""
    out = []
    for root, dirs, files in os.walk("."):
        dirs[:] = sorted(d for d in dirs if d not in _SKIP and not d.endswith((".egg-info", ".dist-info")))
        for name in sorted(files):
            path = os.path.join(root, name)
            arc = os.path.relpath(path, ".").replace(os.sep, "/")
            if arc in _SKIP or name.endswith((".pyc", ".pyo")):
                continue
            out.append((arc, path))
    return out


def _dist_info(text, name, version, tag):
    info = "%s-%s.dist-info" % (_dist(name), version)
    wheel = "Wheel-Version: 1.0\nGenerator: lockhouse-test-backend (1.0)\nRoot-Is-Purelib: %s\nTag: %s\n" % (
        "true" if tag.endswith("-none-any") else "false",
        tag,
    )
    return info, [(info + "/METADATA", text.encode("utf-8")), (info + "/WHEEL", wheel.encode())]


def _fail():
    _, name, version = _source_metadata()
    for n in range(1, _FAIL_LINES + 1):
        stream = sys.stdout if n <= _FAIL_LINES // 2 else sys.stderr
        stream.write("lockhouse-test-backend: build output line %02d of %d\n" % (n, _FAIL_LINES))
        stream.flush()
    raise RuntimeError("lockhouse-test-backend: build_wheel fails on purpose (%s %s)" % (name, version))


# ---------------------------------------------------------------- PEP 517 hooks


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    text, name, version = _built_metadata()
    info, files = _dist_info(text, name, version, _wheel_tag())
    os.makedirs(os.path.join(metadata_directory, info), exist_ok=True)
    for arc, data in files:
        with open(os.path.join(metadata_directory, arc), "wb") as f:
            f.write(data)
    return info


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    if KIND == "fail":
        _fail()
    if KIND == "hang":
        import time
        print("lockhouse-test-backend: hanging (pid %d)" % os.getpid(), flush=True)
        if os.environ.get("LOCKHOUSE_TEST_HANG_FILE"):
            with open(os.environ["LOCKHOUSE_TEST_HANG_FILE"] + ".tmp", "w") as f:
                f.write(str(os.getpid()))
            os.replace(os.environ["LOCKHOUSE_TEST_HANG_FILE"] + ".tmp", os.environ["LOCKHOUSE_TEST_HANG_FILE"])
        while True:
            time.sleep(60)
    text, name, version = _built_metadata()
    tag = _wheel_tag()
    filename = "%s-%s-%s.whl" % (_dist(name), version, tag)
    entries = []
    for arc, path in _tree():
        with open(path, "rb") as f:
            entries.append((arc, f.read()))
    info, files = _dist_info(text, name, version, tag)
    entries += files
    record = "".join("%s,%s,%d\n" % (arc, _record_hash(data), len(data)) for arc, data in entries)
    entries.append((info + "/RECORD", (record + info + "/RECORD,,\n").encode()))
    os.makedirs(wheel_directory, exist_ok=True)
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as z:
        for arc, data in entries:
            zi = zipfile.ZipInfo(arc, date_time=_DATE)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o100644 << 16
            z.writestr(zi, data)
    return filename


def build_sdist(sdist_directory, config_settings=None):
    text, name, version = _source_metadata()
    base = "%s-%s" % (_dist(name), version)
    members = [("PKG-INFO", text.encode("utf-8"))]
    for path in ["pyproject.toml", "_backend/backend.py"] + [path for _, path in _tree()]:
        with open(path, "rb") as f:
            members.append((os.path.normpath(path).replace(os.sep, "/"), f.read()))
    os.makedirs(sdist_directory, exist_ok=True)
    with open(os.path.join(sdist_directory, base + ".tar.gz"), "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
            with tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as t:
                for arc, data in members:
                    info = tarfile.TarInfo(base + "/" + arc)
                    info.size, info.mtime, info.mode = len(data), 315532800, 0o644
                    t.addfile(info, io.BytesIO(data))
    return base + ".tar.gz"
`;

/** The pure backend (`backendPy('pure')`). */
export const BACKEND_PY = backendPy('pure');
