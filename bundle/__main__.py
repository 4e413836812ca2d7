"""The installer inside a lockhouse bundle (NAME.pyz, a Python zipapp).

    python3 NAME.pyz install [--venv DIR] [--wheelhouse DIR] [--dry-run]
    python3 NAME.pyz list [--json]
    python3 NAME.pyz extract DIR
    python3 NAME.pyz verify

A delta bundle (lockhouse bundle --since OLD) carries only the files OLD
lacked; `install --wheelhouse DIR` and `extract DIR` apply it to the
wheelhouse DIR an earlier bundle left, after checking that DIR holds every
other file with the right sha256 (nothing is changed when it does not), and
write only the files the bundle carries.

Standard library only, Python 3.8+, pip 20+ (an older Python, 2.7 included,
gets a clear message: this file parses there). It never touches the network:
pip is run with --no-index, --find-links on the bundle's own wheels and
--require-hashes, with the index settings of the environment removed.

Exit codes: 0 done; 1 the bundle is not for this interpreter (or, a delta,
for this wheelhouse), or pip (or creating the venv) failed; 2 bad usage; 3 the bundle failed its integrity
checks (nothing was installed or extracted). See docs/bundle-installer.md.
"""

from __future__ import print_function

import argparse
import binascii
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import zipfile

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTEGRITY = 3

SUMS = "SHA256SUMS"
BUNDLE_JSON = "bundle.json"
MANIFEST = "lockhouse.json"
REQUIREMENTS = "requirements.txt"
WHEELS = "wheels"
BUNDLE_VERSION = 1
CHUNK = 1 << 20
# The metadata files are read whole; a bigger one is not one lockhouse wrote.
METADATA_LIMIT = 64 << 20
# Where pip --dry-run first appeared.
DRY_RUN_PIP = (22, 2)
# Variables that would point pip at an index or another find-links location.
PIP_SOURCE_VARIABLES = ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS")

# The PEP 508 marker environment, computed exactly as packaging's
# default_environment() does. Kept as source so that the same code can run in
# another interpreter (an existing --venv) with `python -c`.
ENVIRONMENT_CODE = r'''
import os, platform, sys

def _full_version(info):
    version = "%d.%d.%d" % (info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        version += info.releaselevel[0] + str(info.serial)
    return version

ENVIRONMENT = {
    "implementation_name": sys.implementation.name,
    "implementation_version": _full_version(sys.implementation.version),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}
'''

# The variables the message about a wrong interpreter names when no target
# uses any (they are what lockhouse's bundle.json markers hold).
USUAL_MARKERS = ("sys_platform", "platform_machine", "implementation_name", "python_version")


class Fail(Exception):
    """An expected failure: one line for stderr (details may follow), and an exit code."""

    def __init__(self, code, message, details=()):
        Exception.__init__(self, message)
        self.code = code
        self.message = message
        self.details = list(details)


def say(text=""):
    print(text, flush=True)


def human(size):
    """Bytes in binary units, as lockhouse prints them: 512 B, 1.5 KiB, 120 MiB."""
    if size < 1024:
        return "%d B" % size
    value = size / 1024.0
    units = ["KiB", "MiB", "GiB", "TiB"]
    unit = 0
    while value >= 1024 and unit < len(units) - 1:
        value /= 1024.0
        unit += 1
    return ("%.0f %s" if value >= 100 else "%.1f %s") % (value, units[unit])


def command_line(argv):
    if os.name == "nt":
        return subprocess.list2cmdline(argv)
    return " ".join(shlex.quote(arg) for arg in argv)


# ---------------------------------------------------------------- the archive


def archive_path():
    """The zip this installer runs from: `__file__` is NAME.pyz/__main__.py."""
    for candidate in (os.path.dirname(os.path.abspath(__file__)), os.path.abspath(sys.argv[0])):
        if os.path.isfile(candidate) and zipfile.is_zipfile(candidate):
            return candidate
    raise Fail(EXIT_USAGE, "this installer runs from its bundle: python3 NAME.pyz COMMAND")


def open_archive(path):
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise Fail(EXIT_INTEGRITY, "%s is not a readable zip file: %s" % (path, error))


def name_problem(name):
    """Why an entry name may not be extracted, or None."""
    if name == "":
        return "an empty name"
    if "\x00" in name:
        return "a NUL character in its name"
    if re.search(r"[\x01-\x1f\x7f]", name):
        return "a control character in its name"
    if "\\" in name:
        return "a backslash in its name"
    if name.startswith("/"):
        return "an absolute path"
    if re.match(r"[A-Za-z]:", name):
        return "a drive letter"
    parts = name[:-1].split("/") if name.endswith("/") else name.split("/")
    if ".." in parts:
        return "a '..' component"
    if "" in parts or "." in parts:
        return "an empty or '.' path component"
    return None


def entry_kind(info):
    """'file' or 'dir', or why the entry is neither a regular file nor a directory."""
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if info.orig_filename.endswith("/"):
        if kind not in (0, stat.S_IFDIR):
            return "a directory name with file type %o" % kind
        if info.file_size:
            return "a directory entry with data"
        return "dir"
    if kind == stat.S_IFLNK:
        return "a symbolic link"
    if kind == stat.S_IFDIR:
        return "a directory mode on a file name"
    if kind not in (0, stat.S_IFREG):
        return "not a regular file (file type %o)" % kind
    if info.flag_bits & 0x1:
        return "encrypted"
    return "file"


class Contents(object):
    """The archive's entries, checked for safe names and types, and SHA256SUMS."""

    def __init__(self, files, sums_info, sums, problems):
        self.files = files  # [(ZipInfo, [part, ...])], every regular file but SHA256SUMS
        self.sums_info = sums_info  # SHA256SUMS's ZipInfo
        self.sums = sums  # {path: hex}
        self.problems = problems

    @property
    def size(self):
        return sum(info.file_size for info, _ in self.files)


def read_sums(zf, info):
    if info.file_size > METADATA_LIMIT:
        return {}, ["%s is %s: too big to be a list of checksums" % (SUMS, human(info.file_size))]
    try:
        text = zf.read(info).decode("utf-8")
    except Exception as error:  # a damaged entry or not UTF-8: either way unusable
        return {}, ["%s cannot be read: %s" % (SUMS, error)]
    sums = {}
    problems = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip() == "":
            continue
        match = re.match(r"([0-9A-Fa-f]{64}) [ *](.+)$", line)
        if not match:
            problems.append("%s line %d is not '<sha256>  <path>': %r" % (SUMS, number, line))
            continue
        digest, path = match.group(1).lower(), match.group(2)
        if path == SUMS:
            problems.append("%s lists itself (line %d)" % (SUMS, number))
        elif path in sums:
            problems.append("%s lists %r twice" % (SUMS, path))
        else:
            sums[path] = digest
    return sums, problems


def inspect_archive(zf):
    """Every check that reads no file data: names, types, duplicates, SHA256SUMS against the entries."""
    problems = []
    files = []
    seen = set()
    sums_info = None
    for info in zf.infolist():
        name = info.orig_filename
        shown = repr(name)
        why = name_problem(name)
        if why is None and info.filename != name:
            why = "a name this platform's zipfile rewrites (%r)" % info.filename
        if why is None:
            kind = entry_kind(info)
            if kind not in ("file", "dir"):
                why = kind
        if why is not None:
            problems.append("entry %s: %s" % (shown, why))
            continue
        if name in seen:
            problems.append("entry %s appears twice" % shown)
            continue
        seen.add(name)
        if kind == "dir":
            continue
        if name == SUMS:
            sums_info = info
        else:
            files.append((info, name.split("/")))
    if sums_info is None:
        problems.append("the bundle has no %s" % SUMS)
        return Contents(files, None, {}, problems)
    sums, sum_problems = read_sums(zf, sums_info)
    problems.extend(sum_problems)
    present = set(info.orig_filename for info, _ in files)
    for info, _ in files:
        if info.orig_filename not in sums:
            problems.append("entry %r is not listed in %s" % (info.orig_filename, SUMS))
    for path in sorted(sums):
        if path not in present:
            problems.append("%s lists %r, which is not in the bundle" % (SUMS, path))
    return Contents(files, sums_info, sums, problems)


def hash_entry(zf, info, sink=None):
    """sha256 of an entry's data, streamed; each chunk also goes to `sink`. zipfile checks the CRC at the end."""
    digest = hashlib.sha256()
    with zf.open(info) as source:
        while True:
            chunk = source.read(CHUNK)
            if not chunk:
                break
            digest.update(chunk)
            if sink is not None:
                sink.write(chunk)
    return digest.hexdigest()


def integrity_failure(archive, problems, consequence):
    return Fail(
        EXIT_INTEGRITY,
        "%s failed its integrity check (%d problem%s); %s"
        % (os.path.basename(archive), len(problems), "" if len(problems) == 1 else "s", consequence),
        problems,
    )


def verify(zf, archive, consequence):
    """Step 1: SHA256SUMS covers every entry but itself, each listed path exists, and every entry hashes to it."""
    contents = inspect_archive(zf)
    problems = list(contents.problems)
    if not problems:
        for info, _ in contents.files:
            name = info.orig_filename
            try:
                actual = hash_entry(zf, info)
            except Exception as error:  # BadZipFile (CRC), zlib.error, unsupported compression...
                problems.append("entry %r cannot be read: %s" % (name, error))
                continue
            if actual != contents.sums[name]:
                problems.append("entry %r has sha256 %s, %s says %s" % (name, actual, SUMS, contents.sums[name]))
    if problems:
        raise integrity_failure(archive, problems, consequence)
    return contents


def extract(zf, archive, contents, dest):
    """Write every regular file under `dest` (which exists), creating each exclusively, hashing it again on the way.

    SHA256SUMS is written too, so that `sha256sum -c SHA256SUMS` checks the tree.
    """
    created = []
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        for info, parts in contents.files + [(contents.sums_info, [SUMS])]:
            folder = dest
            for part in parts[:-1]:
                folder = os.path.join(folder, part)
                if not os.path.lexists(folder):
                    os.mkdir(folder)
                    created.append(folder)
                elif os.path.islink(folder) or not os.path.isdir(folder):
                    raise Fail(EXIT_INTEGRITY, "cannot extract %r: %s is not a folder" % (info.orig_filename, folder))
            path = os.path.join(folder, parts[-1])
            try:
                fd = os.open(path, flags, 0o644)
            except FileExistsError:
                raise Fail(EXIT_INTEGRITY, "cannot extract %r: %s already exists (two entries for one file?)" % (info.orig_filename, path))
            created.append(path)
            with os.fdopen(fd, "wb") as sink:
                try:
                    actual = hash_entry(zf, info, sink)
                except (OSError, MemoryError):
                    raise
                except Exception as error:
                    raise Fail(EXIT_INTEGRITY, "entry %r cannot be read: %s" % (info.orig_filename, error))
            if info is not contents.sums_info and actual != contents.sums[info.orig_filename]:
                # The archive changed since it was verified.
                raise integrity_failure(archive, ["entry %r changed while it was extracted" % info.orig_filename], "nothing was kept")
    except BaseException as error:
        for path in reversed(created):
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    os.rmdir(path)
                else:
                    os.unlink(path)
            except OSError:
                pass
        if isinstance(error, OSError):
            raise Fail(EXIT_FAILED, "cannot extract into %s: %s" % (dest, error))
        raise


# ---------------------------------------------------------------- updating a wheelhouse


STAGED_PREFIX = ".lockhouse-update-"


def file_problem(path, digest, size):
    """Why `path` is not a regular file of `size` bytes with sha256 `digest`, or None. Never follows a link."""
    try:
        info = os.lstat(path)
    except OSError:
        return "missing"
    if stat.S_ISLNK(info.st_mode):
        return "a symbolic link is in its place"
    if not stat.S_ISREG(info.st_mode):
        return "something other than a regular file is in its place"
    if info.st_size != size:
        return "other bytes: %d bytes, not %d" % (info.st_size, size)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0))
        digestor = hashlib.sha256()
        with os.fdopen(fd, "rb") as source:
            while True:
                chunk = source.read(CHUNK)
                if not chunk:
                    break
                digestor.update(chunk)
    except OSError as error:
        return "cannot be read: %s" % error
    actual = digestor.hexdigest()
    if actual != digest:
        return "other bytes: sha256 %s, not %s" % (actual, digest)
    return None


class Update(object):
    """What applying a bundle to the wheelhouse DIR will do, decided before anything is written.

    DIR is laid out as `extract` lays a bundle out: DIR/wheels/<file>, and the
    manifest, pylock, requirements, bundle.json, __main__.py and SHA256SUMS at
    DIR's root.
    """

    def __init__(self, dest, delta):
        self.dest = dest
        self.wheels = os.path.join(dest, WHEELS)
        self.delta = delta
        self.files = {}  # every file the manifest lists: name -> (sha256, size)
        self.found = []  # files the delta expects, found with the right sha256
        self.kept = []  # files the bundle carries that DIR already holds, same bytes
        self.replaced = []  # files the bundle carries that DIR holds with other bytes: replaced
        self.writes = []  # (ZipInfo, parts, final path, sha256), wheels first
        self.sums = b""  # SHA256SUMS of the updated tree

    @property
    def written_size(self):
        return sum(info.file_size for info, parts, _, _ in self.writes if parts[0] == WHEELS and len(parts) == 2)


def wrong_base(update, problems):
    since = update.delta.get("since") or {}
    expects = len(update.delta["expects"])
    lines = list(problems)
    lines.append(
        "This delta carries only the files its base lacked (a base of %s files, manifest sha256 %s);"
        " the others must already be in %s with the right sha256."
        % (since.get("files", "?"), str(since.get("manifestSha256", "?"))[:16], update.wheels)
    )
    flat = [item["filename"] for item in update.delta["expects"] if os.path.isfile(os.path.join(update.dest, item["filename"]))]
    if flat and not os.path.isdir(update.wheels):
        lines.append(
            "%s holds files at its root, as lockhouse collect lays a wheelhouse out: a delta bundle updates a folder a bundle was"
            " extracted into (its files in %s/); for that one, carry a delta folder instead (lockhouse collect --since)" % (update.dest, WHEELS)
        )
    lines.append(
        "hint: ship a full bundle (lockhouse bundle, without --since), or a delta since an older base that %s still holds whole"
        " (lockhouse bundle --since OLD)" % update.dest
    )
    return Fail(
        EXIT_FAILED,
        "%s is not a wheelhouse this delta applies to: %d of the %d files it expects there %s missing or differ%s; nothing was changed"
        % (update.dest, len(problems), expects, "is" if len(problems) == 1 else "are", "s" if len(problems) == 1 else ""),
        lines,
    )


def plan_update(contents, delta, dest):
    """Check DIR against the bundle and decide every write; raises (nothing written) when DIR lacks what the delta expects."""
    update = Update(dest, delta)
    for folder in (dest, update.wheels):
        if os.path.islink(folder):
            raise Fail(EXIT_USAGE, "%s is a symbolic link: the wheelhouse to update must be a real folder (links are never followed)" % folder)
        if os.path.lexists(folder) and not os.path.isdir(folder):
            raise Fail(EXIT_USAGE, "%s exists and is not a folder" % folder)
    problems = []
    for item in (delta["expects"] if delta else []):
        name = item["filename"]
        update.files[name] = (item["sha256"], item["size"])
        why = file_problem(os.path.join(update.wheels, name), item["sha256"], item["size"])
        if why is None:
            update.found.append(name)
        else:
            problems.append("%s/%s: %s" % (WHEELS, name, why))
    if problems:
        raise wrong_base(update, problems)
    if not os.path.isdir(os.path.dirname(dest)):
        raise Fail(EXIT_USAGE, "%s does not exist: make it, or name another folder for the wheelhouse" % os.path.dirname(dest))
    root = {}
    for info, parts in contents.files:
        name = info.orig_filename
        digest = contents.sums[name]
        path = os.path.join(dest, *parts)
        wheel = len(parts) == 2
        if wheel:
            update.files[parts[1]] = (digest, info.file_size)
        else:
            root[name] = digest
        if os.path.lexists(path):
            if os.path.islink(path) or not os.path.isfile(path):
                raise Fail(
                    EXIT_FAILED,
                    "cannot update %s: %s is in its place, not a file; nothing was changed"
                    % (path, "a symbolic link" if os.path.islink(path) else "a folder or special file"),
                )
            if wheel:
                if file_problem(path, digest, info.file_size) is None:
                    update.kept.append(parts[1])
                    continue
                update.replaced.append(parts[1])
        update.writes.append((info, parts, path, digest))
    # Wheels first, then the files that point at them: a reader never sees requirements naming a file not yet there.
    update.writes.sort(key=lambda write: (0 if len(write[1]) == 2 else 1, write[2]))
    lines = dict(root)
    for name, (digest, _size) in update.files.items():
        lines["%s/%s" % (WHEELS, name)] = digest
    update.sums = "".join("%s  %s\n" % (lines[path], path) for path in sorted(lines)).encode("utf-8")
    return update


def staged_path(folder):
    return os.path.join(folder, "%s%s.tmp" % (STAGED_PREFIX, binascii.hexlify(os.urandom(8)).decode("ascii")))


def apply_update(zf, archive, update):
    """Write every file to a temporary name in its folder (hashed again on the way), then rename each into place.

    A failure while writing removes what was written: DIR is as it was. The
    renames come last, wheels first and SHA256SUMS last; one that fails leaves
    DIR part-updated, and running the same command again finishes it.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)
    made = []
    staged = []
    try:
        for folder in (update.dest, update.wheels):
            if not os.path.lexists(folder):
                os.mkdir(folder)
                made.append(folder)
        for info, _parts, path, digest in update.writes:
            temp = staged_path(os.path.dirname(path))
            fd = os.open(temp, flags, 0o644)
            staged.append((temp, path))
            with os.fdopen(fd, "wb") as sink:
                try:
                    actual = hash_entry(zf, info, sink)
                except (OSError, MemoryError):
                    raise
                except Exception as error:
                    raise Fail(EXIT_INTEGRITY, "entry %r cannot be read: %s" % (info.orig_filename, error))
                sink.flush()
                os.fsync(sink.fileno())
            if actual != digest:
                raise integrity_failure(archive, ["entry %r changed while it was extracted" % info.orig_filename], "nothing was changed")
        temp = staged_path(update.dest)
        fd = os.open(temp, flags, 0o644)
        staged.append((temp, os.path.join(update.dest, SUMS)))
        with os.fdopen(fd, "wb") as sink:
            sink.write(update.sums)
            sink.flush()
            os.fsync(sink.fileno())
    except BaseException as error:
        for temp, _ in staged:
            try:
                os.unlink(temp)
            except OSError:
                pass
        for folder in reversed(made):
            try:
                os.rmdir(folder)
            except OSError:
                pass
        if isinstance(error, OSError):
            raise Fail(EXIT_FAILED, "cannot write into %s: %s; nothing was changed" % (update.dest, error))
        raise
    done = 0
    try:
        for temp, final in staged:
            os.replace(temp, final)
            done += 1
    except BaseException as error:
        for temp, _ in staged[done:]:
            try:
                os.unlink(temp)
            except OSError:
                pass
        if isinstance(error, OSError):
            raise Fail(
                EXIT_FAILED,
                "the update of %s stopped after %d of its %d files: %s; run the same command again to finish it" % (update.dest, done, len(staged), error),
            )
        raise


def check_updated(update):
    """After the update, every file the manifest lists is in DIR/wheels: a regular file of its size (each was hashed as it was found or written)."""
    problems = []
    for name in sorted(update.files):
        _digest, size = update.files[name]
        try:
            info = os.lstat(os.path.join(update.wheels, name))
        except OSError:
            problems.append("%s/%s: missing" % (WHEELS, name))
            continue
        if not stat.S_ISREG(info.st_mode):
            problems.append("%s/%s: not a regular file" % (WHEELS, name))
        elif info.st_size != size:
            problems.append("%s/%s: %d bytes, not %d" % (WHEELS, name, info.st_size, size))
    if problems:
        raise Fail(
            EXIT_INTEGRITY,
            "after the update, %s does not hold every file its manifest lists (%d problem%s); pip was not run"
            % (update.dest, len(problems), "" if len(problems) == 1 else "s"),
            problems,
        )


def normalized(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def project_version(filename):
    """(normalized project name, version) of a wheel or sdist file name, or None."""
    if filename.endswith(".whl"):
        parts = filename[:-4].split("-")
        return (normalized(parts[0]), parts[1]) if len(parts) in (5, 6) else None
    for suffix in (".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz", ".tar"):
        if filename.endswith(suffix):
            name, _, version = filename[: -len(suffix)].rpartition("-")
            return (normalized(name), version) if name else None
    return None


def leftovers(update):
    """Files in DIR/wheels the manifest does not list (left as they were), and those of them pip could take for a locked file."""
    try:
        names = sorted(name for name in os.listdir(update.wheels) if not name.startswith("."))
    except OSError:
        return [], []
    left = [name for name in names if name not in update.files]
    locked = set(filter(None, (project_version(name) for name in update.files)))
    risky = [name for name in left if project_version(name) in locked]
    return left, risky


def report_update(update, archive):
    written = len([w for w in update.writes if len(w[1]) == 2])
    say(
        "Updated %s: %d file%s written under %s/ (%s), %d of them replacing a file of the same name with other bytes; %d already there."
        % (update.dest, written, "" if written == 1 else "s", WHEELS, human(update.written_size), len(update.replaced), len(update.kept))
    )
    if update.delta:
        say("The %d files this delta expects were there, each with the right sha256." % len(update.found))
    left, risky = leftovers(update)
    if left:
        say(
            "%d file%s in %s %s not in this manifest: left as %s (nothing a bundle did not bring is changed)."
            % (len(left), "" if len(left) == 1 else "s", update.wheels, "is" if len(left) == 1 else "are", "it was" if len(left) == 1 else "they were")
        )
        if not update.delta:
            # A delta's manifest names what its base left (verify warns of them); a full bundle knows no base, so verify counts them as extra.
            say(
                "This full bundle's manifest does not name them, so `lockhouse verify -o %s` counts them as extra;"
                " for a wheelhouse it passes, extract the bundle into a new folder and switch to it." % update.dest
            )
    if risky:
        print(
            "warning: pip --find-links %s could take %s for the locked file of the same package and version, and then fail on its hash: %s."
            " `python3 %s install --wheelhouse %s` gives pip only the manifest's files; to install by hand, remove %s first."
            % (update.wheels, "this file" if len(risky) == 1 else "these files", ", ".join(risky), os.path.basename(archive), update.dest,
               "it" if len(risky) == 1 else "them"),
            file=sys.stderr,
        )


def link_farm(update, folder, zf=None, contents=None):
    """`folder` with exactly the manifest's files: links to DIR/wheels (hard, else symbolic, else copies), or with `zf` the files the bundle carries extracted from it.

    pip --find-links takes any file of a package's name and version it finds,
    and a file DIR holds from before that is not the locked one would make it
    fail on the hash: it is given a folder of the manifest's files only.
    """
    os.mkdir(folder)
    carried = {}
    if zf is not None:
        carried = dict((parts[1], info) for info, parts in contents.files if len(parts) == 2)
    for name in sorted(update.files):
        target = os.path.join(folder, name)
        if name in carried:
            with open(target, "wb") as sink:
                hash_entry(zf, carried[name], sink)
            continue
        source = os.path.join(update.wheels, name)
        try:
            os.link(source, target)
            continue
        except (OSError, AttributeError):
            pass
        try:
            os.symlink(source, target)
            continue
        except (OSError, AttributeError, NotImplementedError):
            pass
        shutil.copyfile(source, target)


def read_json(zf, name):
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise Fail(EXIT_INTEGRITY, "the bundle has no %s" % name)
    if info.file_size > METADATA_LIMIT:
        raise Fail(EXIT_INTEGRITY, "%s is %s: too big" % (name, human(info.file_size)))
    try:
        return json.loads(zf.read(info).decode("utf-8"))
    except Exception as error:
        raise Fail(EXIT_INTEGRITY, "%s cannot be read: %s" % (name, error))


def bundle_info(zf):
    """bundle.json, checked for shape: (targets [{id, markers, tags}], delta or None)."""
    data = read_json(zf, BUNDLE_JSON)

    def malformed(why):
        return Fail(EXIT_INTEGRITY, "%s is malformed: %s" % (BUNDLE_JSON, why))

    if not isinstance(data, dict):
        raise malformed("not an object")
    version = data.get("bundleVersion")
    if version != BUNDLE_VERSION:
        raise malformed("bundleVersion is %r; this installer reads version %d" % (version, BUNDLE_VERSION))
    targets = data.get("targets")
    if not isinstance(targets, list) or not targets:
        raise malformed("no targets")
    for target in targets:
        if not isinstance(target, dict) or not isinstance(target.get("id"), str):
            raise malformed("a target without an id")
        markers = target.get("markers")
        if not isinstance(markers, dict) or not all(isinstance(v, str) for v in markers.values()):
            raise malformed("target %s has no markers object of strings" % target["id"])
    delta = data.get("delta")
    if delta is not None:
        why = delta_problem(delta)
        if why is not None:
            raise malformed("its delta " + why)
    return targets, delta


def bundle_targets(zf):
    """bundle.json's targets: [{id, markers, tags}], checked for shape."""
    return bundle_info(zf)[0]


def plain_file_name(name):
    """A name that can only be a file directly under wheels/."""
    return isinstance(name, str) and "/" not in name and name not in (".", "..") and name_problem(name) is None


def delta_problem(delta):
    """Why bundle.json's delta is not {since, expects: [{filename, sha256, size}]}, or None."""
    if not isinstance(delta, dict) or not isinstance(delta.get("since"), dict):
        return "is not an object with a base (since)"
    expects = delta.get("expects")
    if not isinstance(expects, list):
        return "lists no expected files"
    seen = set()
    for item in expects:
        if not isinstance(item, dict):
            return "expects something other than {filename, sha256, size}"
        name, digest, size = item.get("filename"), item.get("sha256"), item.get("size")
        if not plain_file_name(name):
            return "expects %r, which is not a plain file name" % (name,)
        if not isinstance(digest, str) or not re.match(r"[0-9a-f]{64}$", digest):
            return "expects %s with no sha256" % name
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            return "expects %s with no size" % name
        if name in seen:
            return "expects %r twice" % name
        seen.add(name)
    return None


def carried_names(contents):
    """The files a bundle carries: its wheels/ entries."""
    return [parts[1] for _info, parts in contents.files if len(parts) == 2 and parts[0] == WHEELS]


def check_carried(archive, contents, delta):
    """Nothing but wheels/<file> and files at the root is written, and a delta expects from its base no file it also carries."""
    problems = []
    for info, parts in contents.files:
        if len(parts) != 1 and not (len(parts) == 2 and parts[0] == WHEELS):
            problems.append("entry %r: a bundle holds files at its root and under %s/ only" % (info.orig_filename, WHEELS))
    if delta is not None:
        carried = set(carried_names(contents))
        for item in delta["expects"]:
            if item["filename"] in carried:
                problems.append("its delta expects %r from the base, yet the bundle carries it" % item["filename"])
    if problems:
        raise integrity_failure(archive, problems, "nothing was changed")


# ---------------------------------------------------------------- interpreters


def environment_here():
    namespace = {}
    exec(ENVIRONMENT_CODE, namespace)
    return namespace["ENVIRONMENT"]


def environment_of(python):
    code = ENVIRONMENT_CODE + "\nimport json\nprint(json.dumps(ENVIRONMENT))\n"
    try:
        ran = subprocess.run([python, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    except OSError as error:
        raise Fail(EXIT_FAILED, "cannot run %s: %s" % (python, error))
    if ran.returncode != 0:
        last = (ran.stderr.strip().splitlines() or ["exit status %d" % ran.returncode])[-1]
        raise Fail(EXIT_FAILED, "cannot ask %s for its marker environment: %s" % (python, last))
    return json.loads(ran.stdout)


def matching_targets(targets, environment):
    return [t for t in targets if all(environment.get(key) == value for key, value in t["markers"].items())]


def wrong_interpreter(targets, environment, python):
    keys = []
    for target in targets:
        for key in target["markers"]:
            if key not in keys:
                keys.append(key)
    lines = ["This bundle was collected for:"]
    for target in targets:
        described = " and ".join("%s == %r" % item for item in target["markers"].items())
        lines.append("  %s%s" % (target["id"], " (%s)" % described if described else ""))
    lines.append(
        "but %s has %s."
        % (python, " and ".join("%s == %r" % (key, environment.get(key)) for key in (keys or USUAL_MARKERS)))
    )
    return Fail(EXIT_FAILED, "this bundle is not for %s; nothing was installed" % python, lines)


def venv_python(venv):
    for relative in (("Scripts", "python.exe"), ("bin", "python")) if os.name == "nt" else (("bin", "python"), ("Scripts", "python.exe")):
        path = os.path.join(venv, *relative)
        if os.path.isfile(path):
            return path
    return None


def create_venv(venv):
    argv = [sys.executable, "-m", "venv", venv]
    say("Creating a virtual environment: %s" % command_line(argv))
    try:
        code = subprocess.call(argv)
    except OSError as error:
        raise Fail(EXIT_FAILED, "cannot run %s: %s" % (sys.executable, error))
    python = venv_python(venv)
    if code != 0 or python is None:
        raise Fail(EXIT_FAILED, "creating the virtual environment %s failed (exit status %d)" % (venv, code))
    return python


def pip_version(python, env):
    try:
        ran = subprocess.run(
            [python, "-m", "pip", "--version"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, env=env
        )
    except OSError as error:
        raise Fail(EXIT_FAILED, "cannot run %s: %s" % (python, error))
    match = re.match(r"pip (\d+)\.(\d+)", ran.stdout)
    if ran.returncode != 0 or not match:
        last = (ran.stderr.strip().splitlines() or [ran.stdout.strip() or "exit status %d" % ran.returncode])[-1]
        raise Fail(EXIT_FAILED, "%s has no usable pip: %s" % (python, last))
    return (int(match.group(1)), int(match.group(2))), ran.stdout.split(" from ")[0].strip()


def pip_environment():
    env = dict(os.environ)
    for name in PIP_SOURCE_VARIABLES:
        env.pop(name, None)
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


class TemporaryFolder(object):
    """tempfile.mkdtemp, removed on the way out whatever happened."""

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="lockhouse-bundle-")
        return self.path

    def __exit__(self, *exc):
        def writable(function, path, _info):
            os.chmod(path, stat.S_IWRITE | stat.S_IREAD | stat.S_IEXEC)
            function(path)

        try:
            shutil.rmtree(self.path, onerror=writable)
        except OSError as error:
            print("warning: could not remove %s: %s" % (self.path, error), file=sys.stderr)
        return False


# ---------------------------------------------------------------- commands


def needs_wheelhouse(delta, contents, archive, consequence):
    name = os.path.basename(archive)
    carried = len(carried_names(contents))
    total = carried + len(delta["expects"])
    return Fail(
        EXIT_USAGE,
        "%s is a delta: it carries %d of the %d files its manifest lists, and expects the others in the wheelhouse an earlier bundle left here; %s"
        % (name, carried, total, consequence),
        [
            "install it with: python3 %s install --wheelhouse DIR [--venv V]" % name,
            "or update DIR in place: python3 %s extract DIR" % name,
            "(DIR: the folder an earlier bundle was extracted into, or updated by a delta)",
        ],
    )


def peek_delta(zf):
    """bundle.json's delta before the bundle is checked, to choose what a command does (None: a full bundle, or no readable bundle.json)."""
    try:
        data = read_json(zf, BUNDLE_JSON)
    except Fail:
        return None
    delta = data.get("delta") if isinstance(data, dict) else None
    return delta if isinstance(delta, dict) else None


def cmd_verify(args, archive):
    with open_archive(archive) as zf:
        contents = verify(zf, archive, "it must not be used")
        delta = peek_delta(zf)
    say("%s: %d entries (%s) match %s." % (os.path.basename(archive), len(contents.files), human(contents.size), SUMS))
    if delta is not None and isinstance(delta.get("expects"), list):
        carried = len(carried_names(contents))
        say(
            "It is a delta: it carries %d of the %d files its manifest lists; apply it to the wheelhouse that holds the others"
            " (install --wheelhouse DIR, or extract DIR)." % (carried, carried + len(delta["expects"]))
        )
    return EXIT_OK


def cmd_install(args, archive):
    venv = os.path.abspath(args.venv) if args.venv else None
    create = False
    if venv is None:
        python = sys.executable
        environment = environment_here()
    else:
        python = venv_python(venv)
        if python is not None:
            # An existing venv: its interpreter is the one that will import the packages.
            environment = environment_of(python)
        elif not os.path.lexists(venv) or (os.path.isdir(venv) and not os.listdir(venv)):
            create = True
            python = sys.executable
            environment = environment_here()
        else:
            raise Fail(EXIT_USAGE, "--venv %s exists and is not a virtual environment (no bin/python or Scripts/python.exe)" % args.venv)

    with open_archive(archive) as zf:
        contents = verify(zf, archive, "nothing was installed")
        say("Verified %d entries (%s) against %s." % (len(contents.files), human(contents.size), SUMS))
        targets, delta = bundle_info(zf)
        matched = matching_targets(targets, environment)
        described = python + (" (the new virtual environment's interpreter)" if create else "")
        if not matched:
            raise wrong_interpreter(targets, environment, described)
        say("This interpreter (%s) matches: %s" % (described, ", ".join(t["id"] for t in matched)))
        if delta is not None and not args.wheelhouse:
            raise needs_wheelhouse(delta, contents, archive, "nothing was installed")
        if REQUIREMENTS not in contents.sums:
            raise Fail(EXIT_INTEGRITY, "the bundle has no %s" % REQUIREMENTS)
        update = None
        if args.wheelhouse:
            # Every check of the wheelhouse before anything is written to it (or to the venv).
            check_carried(archive, contents, delta)
            update = plan_update(contents, delta, os.path.abspath(args.wheelhouse))
            if delta is not None:
                say("%s holds the %d files this delta expects, each with the right sha256." % (update.wheels, len(update.found)))

        env = pip_environment()
        with TemporaryFolder() as tmp:
            unpacked = os.path.join(tmp, "bundle")
            os.mkdir(unpacked)
            if create and args.dry_run:
                # A dry run changes nothing: it asks pip about a fresh venv made in the temporary folder.
                say("--dry-run: %s is not created; the dry run uses a temporary virtual environment." % args.venv)
                python = create_venv(os.path.join(tmp, "venv"))
                create = False
            if args.dry_run:
                version, shown = pip_version(python, env)
                if version < DRY_RUN_PIP:
                    raise Fail(
                        EXIT_FAILED,
                        "--dry-run is not supported by this pip (%s, for %s; it needs pip >= %d.%d); nothing was installed"
                        % (shown, python, DRY_RUN_PIP[0], DRY_RUN_PIP[1]),
                    )
            if update is None:
                extract(zf, archive, contents, unpacked)
            else:
                if args.dry_run:
                    say("--dry-run: %s is not changed; pip is asked about its files and the bundle's." % update.dest)
                    link_farm(update, os.path.join(unpacked, WHEELS), zf, contents)
                else:
                    apply_update(zf, archive, update)
                    report_update(update, archive)
                    check_updated(update)
                    link_farm(update, os.path.join(unpacked, WHEELS))
                requirements = [info for info, parts in contents.files if info.orig_filename == REQUIREMENTS][0]
                with open(os.path.join(unpacked, REQUIREMENTS), "wb") as sink:
                    hash_entry(zf, requirements, sink)
            if create:
                python = create_venv(venv)
            argv = [
                python, "-m", "pip", "install",
                "--no-index",
                "--find-links", os.path.join(unpacked, WHEELS),
                "--require-hashes",
                "-r", os.path.join(unpacked, REQUIREMENTS),
            ]
            if args.dry_run:
                argv.append("--dry-run")
            say("Running: %s" % command_line(argv))
            try:
                code = subprocess.call(argv, env=env)
            except OSError as error:
                raise Fail(EXIT_FAILED, "cannot run %s: %s" % (python, error))
    if code != 0:
        # pip's own statuses (2 unknown error, 3 no virtualenv, 23 no matches...) would read
        # as this installer's usage and integrity codes: any failure of pip is 1.
        details = []
        if externally_managed(python):
            details.append(
                "hint: %s is marked externally managed (PEP 668): its packages belong to the operating system. "
                "Install into a virtual environment instead: %s install --venv DIR" % (python, os.path.basename(archive))
            )
        raise Fail(EXIT_FAILED, "pip failed (exit status %d)" % code, details)
    return EXIT_OK


EXTERNALLY_MANAGED_CODE = r'''
import os, sys, sysconfig
in_venv = sys.prefix != getattr(sys, "base_prefix", sys.prefix)
marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
print("yes" if not in_venv and os.path.isfile(marker) else "no")
'''


def externally_managed(python):
    """Is `python` an interpreter pip refuses to install into (PEP 668), outside a venv?"""
    try:
        ran = subprocess.run([python, "-I", "-c", EXTERNALLY_MANAGED_CODE], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return ran.stdout.strip() == "yes"


def cmd_extract(args, archive):
    dest = args.dir
    with open_archive(archive) as zf:
        if peek_delta(zf) is not None:
            return extract_delta(zf, archive, dest)
    if os.path.lexists(dest):
        if not os.path.isdir(dest):
            raise Fail(EXIT_USAGE, "%s exists and is not a folder" % dest)
        if os.listdir(dest):
            raise Fail(EXIT_USAGE, "%s is not empty: extract into a new or empty folder" % dest)
    with open_archive(archive) as zf:
        contents = verify(zf, archive, "nothing was extracted")
        made = None
        if not os.path.lexists(dest):
            made = os.path.abspath(dest)
            while not os.path.lexists(os.path.dirname(made)):
                made = os.path.dirname(made)
            try:
                os.makedirs(dest)
            except OSError as error:
                raise Fail(EXIT_FAILED, "cannot create %s: %s" % (dest, error))
        try:
            extract(zf, archive, contents, dest)
        except BaseException:
            if made is not None:
                shutil.rmtree(made, ignore_errors=True)
            raise
    say("Extracted %d files and %s (%s) into %s, each checked against it." % (len(contents.files), SUMS, human(contents.size), dest))
    say("Install them by hand with:")
    say("  " + command_line(["pip", "install", "--no-index", "--find-links", os.path.join(dest, WHEELS),
                              "--require-hashes", "-r", os.path.join(dest, REQUIREMENTS)]))
    say("  " + command_line(["pip", "install", "-r", os.path.join(dest, "pylock.toml")]) + "    # pip >= 26")
    return EXIT_OK


def extract_delta(zf, archive, dest):
    """A delta's `extract DIR`: update the wheelhouse DIR in place, once DIR is found to hold every file the delta expects."""
    contents = verify(zf, archive, "nothing was changed")
    _targets, delta = bundle_info(zf)
    check_carried(archive, contents, delta)
    update = plan_update(contents, delta, os.path.abspath(dest))
    say("%s holds the %d files this delta expects, each with the right sha256." % (update.wheels, len(update.found)))
    apply_update(zf, archive, update)
    report_update(update, archive)
    check_updated(update)
    name = os.path.basename(archive)
    say("Install from it with (pip is given only the manifest's files):")
    say("  " + command_line(["python3", name, "install", "--wheelhouse", dest, "--venv", "DIR"]))
    say("or by hand:")
    say("  " + command_line(["pip", "install", "--no-index", "--find-links", os.path.join(dest, WHEELS),
                              "--require-hashes", "-r", os.path.join(dest, REQUIREMENTS)]))
    return EXIT_OK


def cmd_list(args, archive):
    with open_archive(archive) as zf:
        manifest = read_json(zf, MANIFEST)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("artifacts"), list):
        raise Fail(EXIT_INTEGRITY, "%s is malformed: no artifacts" % MANIFEST)
    targets = manifest.get("targets") or []
    artifacts = manifest["artifacts"]
    delta = manifest.get("delta") if isinstance(manifest.get("delta"), dict) else None
    carried = set(delta.get("carries") or []) if delta is not None else None
    if args.json:
        listed = {"targets": targets, "artifacts": artifacts}
        if delta is not None:
            listed["delta"] = delta
        say(json.dumps(listed, indent=2, sort_keys=False))
        return EXIT_OK
    say("Targets:")
    for target in targets:
        say("  %s" % (target.get("id") if isinstance(target, dict) else target))
    say("")
    if delta is not None:
        since = delta.get("since") if isinstance(delta.get("since"), dict) else {}
        say(
            "A delta since a base of %s files (manifest sha256 %s): it carries the files marked 'yes' below;"
            " the others must already be in the wheelhouse it updates."
            % (since.get("files", "?"), str(since.get("manifestSha256", "?"))[:16])
        )
        say("")
    header = ["Package", "Version", "File", "Size"] + (["Carried"] if carried is not None else [])
    rows = []
    total = 0
    for artifact in artifacts:
        size = artifact.get("size")
        if isinstance(size, int):
            total += size
        rows.append([
            str(artifact.get("package", "")),
            str(artifact.get("version") or "-"),
            str(artifact.get("filename", "")),
            human(size) if isinstance(size, int) else "-",
        ] + (["yes" if artifact.get("filename") in carried else "base"] if carried is not None else []))
    widths = [max([len(header[i])] + [len(row[i]) for row in rows]) for i in range(len(header))]

    def line(cells):
        out = []
        for i, cell in enumerate(cells):
            out.append(cell.rjust(widths[i]) if i == 3 else cell.ljust(widths[i]))
        return "  ".join(out).rstrip()

    say(line(header))
    say(line(["-" * width for width in widths]))
    for row in rows:
        say(line(row))
    say("")
    say("%d file%s, %s in total" % (len(rows), "" if len(rows) == 1 else "s", human(total)))
    if carried is not None:
        held = [a for a in artifacts if a.get("filename") in carried]
        say("this delta carries %d of them, %s" % (len(held), human(sum(a.get("size") or 0 for a in held))))
    return EXIT_OK


# ---------------------------------------------------------------- main


DESCRIPTION = """\
A lockhouse bundle: hash-checked wheels and the installer for them, in one file.
It installs offline: pip runs with --no-index, --find-links on the bundle's
wheels and --require-hashes, and the environment's index settings are removed.

exit codes: 0 done; 1 not for this interpreter (a delta: not for this
            wheelhouse), or pip failed;
            2 bad usage; 3 the bundle failed its integrity check"""


def parser_for(prog):
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    commands.required = True

    install = commands.add_parser(
        "install",
        help="check the bundle and install its packages with pip, offline",
        description="Check the bundle (SHA256SUMS), check that it was collected for this interpreter, "
        "and install its requirements with pip --no-index --require-hashes.",
    )
    install.add_argument("--venv", metavar="DIR", help="install into the virtual environment DIR, created with this interpreter if it does not exist")
    install.add_argument(
        "--wheelhouse",
        metavar="DIR",
        help="first update the wheelhouse DIR with the bundle's files (a folder an earlier bundle was extracted into; new for a full bundle),"
        " then install from it; a delta bundle needs it, and refuses a DIR that lacks a file it expects, changing nothing",
    )
    install.add_argument("--dry-run", action="store_true", help="ask pip what it would install (pip >= 22.2); nothing is changed")
    install.set_defaults(run=cmd_install)

    listing = commands.add_parser("list", help="show the targets and the packages", description="Show the targets and the files of the bundle (from its lockhouse.json).")
    listing.add_argument("--json", action="store_true", help="print {targets, artifacts} as JSON (and delta, for a delta)")
    listing.set_defaults(run=cmd_list)

    unpack = commands.add_parser(
        "extract",
        help="check the bundle and unpack it into DIR (a delta: update the wheelhouse DIR in place)",
        description="Check the bundle (SHA256SUMS) and unpack it into DIR (new, or empty), to install by hand. "
        "A delta bundle updates DIR in place instead: DIR must hold every file the delta expects, with the right sha256, "
        "or nothing is changed; it writes only the files it carries.",
    )
    unpack.add_argument("dir", metavar="DIR", help="a folder that does not exist yet, or is empty (a delta: the wheelhouse to update)")
    unpack.set_defaults(run=cmd_extract)

    check = commands.add_parser("verify", help="check every entry against SHA256SUMS", description="Check every entry of the bundle against SHA256SUMS (exit 0 or 3).")
    check.set_defaults(run=cmd_verify)
    return parser


def terminated(signum, _frame):
    # Unwind, so the temporary folder is removed and pip is stopped.
    raise SystemExit(128 + signum)


def main(argv=None):
    # First, before anything an old Python lacks: Python 2.7 and 3.0-3.7 get one clear line, not a traceback.
    if sys.version_info < (3, 8):
        sys.stderr.write(
            "error: this installer needs Python 3.8 or newer; this is Python %s (%s)\n"
            "  hint: run it with python3 (e.g. python3 %s install); on Windows: py -3 %s install\n"
            % (platform.python_version(), sys.executable, os.path.basename(sys.argv[0]), os.path.basename(sys.argv[0]))
        )
        return EXIT_FAILED
    argv = sys.argv[1:] if argv is None else argv
    prog = os.path.basename(sys.argv[0]) or "bundle.pyz"
    if os.path.basename(prog) == "__main__.py":
        prog = os.path.basename(os.path.dirname(os.path.abspath(__file__))) or prog
    parser = parser_for(prog)
    if not argv:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    args = parser.parse_args(argv)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, terminated)
    try:
        return args.run(args, archive_path())
    except Fail as failure:
        sys.stdout.flush()
        print("error: %s" % failure.message, file=sys.stderr)
        for detail in failure.details:
            print("  %s" % detail, file=sys.stderr)
        return failure.code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
