"""The in-tree PEP 517 backend of the demo's sdists (lockhouse's npm run demo).

Standard library only, and `requires = []`: building needs nothing from any
index, so the demo builds offline. It makes a pure-Python wheel of the
sdist's package folder, with PKG-INFO as its METADATA.
"""
import base64
import hashlib
import os
import zipfile

_EPOCH = (1980, 1, 1, 0, 0, 0)


def _metadata():
    with open("PKG-INFO", encoding="utf-8") as f:
        text = f.read()
    fields = {}
    for line in text.splitlines():
        if ": " in line and line.split(": ", 1)[0] in ("Name", "Version"):
            key, value = line.split(": ", 1)
            fields[key] = value
    return fields["Name"], fields["Version"], text


def _dist(name):
    return name.replace("-", "_").replace(".", "_").lower()


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d\n" % (path, digest, len(data))


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name, version, metadata = _metadata()
    dist = _dist(name)
    info = "%s-%s.dist-info" % (dist, version)
    files = []
    for root, _dirs, names in sorted(os.walk(dist)):
        for filename in sorted(names):
            path = os.path.join(root, filename)
            with open(path, "rb") as f:
                files.append((path.replace(os.sep, "/"), f.read()))
    files.append((info + "/METADATA", metadata.encode("utf-8")))
    files.append((info + "/WHEEL", b"Wheel-Version: 1.0\nGenerator: lockhouse-demo-backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n\n"))
    record = "".join(_record_line(path, data) for path, data in files) + info + "/RECORD,,\n"
    files.append((info + "/RECORD", record.encode("utf-8")))
    wheel = "%s-%s-py3-none-any.whl" % (dist, version)
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), "w", zipfile.ZIP_DEFLATED) as zf:
        for path, data in files:
            entry = zipfile.ZipInfo(path, _EPOCH)
            entry.external_attr = 0o644 << 16
            zf.writestr(entry, data)
    return wheel
