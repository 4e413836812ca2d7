/**
 * The in-tree PEP 517 build backend every synthesized sdist carries, as
 * `_backend/backend.py`, with `requires = []` in `[build-system]`: building
 * it needs nothing from any index, in an isolated environment or not. It is
 * standard library only and builds a `py3-none-any` wheel of the source
 * tree's modules, whose METADATA is the sdist's PKG-INFO. Written for
 * Python 3.8+.
 */
export const BACKEND_PATH = '_backend/backend.py';

export const PYPROJECT_TOML = `[build-system]
requires = []
build-backend = "backend"
backend-path = ["_backend"]
`;

export const BACKEND_PY = String.raw`"""An in-tree PEP 517 backend written by lockhouse's test helpers (standard library only).

Builds a pure-Python py3-none-any wheel of the source tree (the current
directory while a hook runs), with METADATA copied from PKG-INFO.
"""
import base64
import hashlib
import os
import re
import tarfile
import zipfile

_DATE = (1980, 1, 1, 0, 0, 0)
_SKIP = {"PKG-INFO", "pyproject.toml", "_backend", "build", "dist", "__pycache__"}


def _pkg_info():
    with open("PKG-INFO", encoding="utf-8") as f:
        text = f.read()
    fields = {}
    for line in text.splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    return text, fields["Name"], fields["Version"]


def _dist(name):
    return re.sub(r"[-_.]+", "_", name).lower()


def _record_hash(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


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


def _dist_info(name, version):
    text, _, _ = _pkg_info()
    info = "%s-%s.dist-info" % (_dist(name), version)
    wheel = "Wheel-Version: 1.0\nGenerator: lockhouse-test-backend (1.0)\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    return info, [(info + "/METADATA", text.encode("utf-8")), (info + "/WHEEL", wheel.encode())]


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    _, name, version = _pkg_info()
    info, files = _dist_info(name, version)
    os.makedirs(os.path.join(metadata_directory, info), exist_ok=True)
    for arc, data in files:
        with open(os.path.join(metadata_directory, arc), "wb") as f:
            f.write(data)
    return info


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _, name, version = _pkg_info()
    filename = "%s-%s-py3-none-any.whl" % (_dist(name), version)
    entries = []
    for arc, path in _tree():
        with open(path, "rb") as f:
            entries.append((arc, f.read()))
    info, files = _dist_info(name, version)
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
    _, name, version = _pkg_info()
    base = "%s-%s" % (_dist(name), version)
    os.makedirs(sdist_directory, exist_ok=True)
    members = ["PKG-INFO", "pyproject.toml", "_backend/backend.py"] + [path for _, path in _tree()]
    with tarfile.open(os.path.join(sdist_directory, base + ".tar.gz"), "w:gz", format=tarfile.PAX_FORMAT) as t:
        for path in members:
            info = t.gettarinfo(path, arcname=base + "/" + os.path.normpath(path).replace(os.sep, "/"))
            info.mtime, info.uid, info.gid, info.uname, info.gname, info.mode = 315532800, 0, 0, "", "", 0o644
            with open(path, "rb") as f:
                t.addfile(info, f)
    return base + ".tar.gz"
`;
