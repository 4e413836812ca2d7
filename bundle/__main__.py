"""The installer inside a lockhouse bundle (NAME.pyz, a Python zipapp).

    python3 NAME.pyz install [--venv DIR] [--dry-run]
    python3 NAME.pyz list [--json]
    python3 NAME.pyz extract DIR
    python3 NAME.pyz verify

Standard library only, Python 3.8+, pip 20+ (an older Python, 2.7 included,
gets a clear message: this file parses there). It never touches the network:
pip is run with --no-index, --find-links on the bundle's own wheels and
--require-hashes, with the index settings of the environment removed.

Exit codes: 0 done; 1 the bundle is not for this interpreter, or pip (or
creating the venv) failed; 2 bad usage; 3 the bundle failed its integrity
checks (nothing was installed or extracted). See docs/bundle-installer.md.
"""

from __future__ import print_function

import argparse
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


def bundle_targets(zf):
    """bundle.json's targets: [{id, markers, tags}], checked for shape."""
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
    return targets


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


def cmd_verify(args, archive):
    with open_archive(archive) as zf:
        contents = verify(zf, archive, "it must not be used")
    say("%s: %d entries (%s) match %s." % (os.path.basename(archive), len(contents.files), human(contents.size), SUMS))
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
        targets = bundle_targets(zf)
        matched = matching_targets(targets, environment)
        described = python + (" (the new virtual environment's interpreter)" if create else "")
        if not matched:
            raise wrong_interpreter(targets, environment, described)
        say("This interpreter (%s) matches: %s" % (described, ", ".join(t["id"] for t in matched)))
        if REQUIREMENTS not in contents.sums:
            raise Fail(EXIT_INTEGRITY, "the bundle has no %s" % REQUIREMENTS)

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
            extract(zf, archive, contents, unpacked)
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


def cmd_list(args, archive):
    with open_archive(archive) as zf:
        manifest = read_json(zf, MANIFEST)
    if not isinstance(manifest, dict) or not isinstance(manifest.get("artifacts"), list):
        raise Fail(EXIT_INTEGRITY, "%s is malformed: no artifacts" % MANIFEST)
    targets = manifest.get("targets") or []
    artifacts = manifest["artifacts"]
    if args.json:
        say(json.dumps({"targets": targets, "artifacts": artifacts}, indent=2, sort_keys=False))
        return EXIT_OK
    say("Targets:")
    for target in targets:
        say("  %s" % (target.get("id") if isinstance(target, dict) else target))
    say("")
    header = ["Package", "Version", "File", "Size"]
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
        ])
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
    return EXIT_OK


# ---------------------------------------------------------------- main


DESCRIPTION = """\
A lockhouse bundle: hash-checked wheels and the installer for them, in one file.
It installs offline: pip runs with --no-index, --find-links on the bundle's
wheels and --require-hashes, and the environment's index settings are removed.

exit codes: 0 done; 1 not for this interpreter, or pip failed;
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
    install.add_argument("--dry-run", action="store_true", help="ask pip what it would install (pip >= 22.2); nothing is changed")
    install.set_defaults(run=cmd_install)

    listing = commands.add_parser("list", help="show the targets and the packages", description="Show the targets and the files of the bundle (from its lockhouse.json).")
    listing.add_argument("--json", action="store_true", help="print {targets, artifacts} as JSON")
    listing.set_defaults(run=cmd_list)

    unpack = commands.add_parser(
        "extract",
        help="check the bundle and unpack it into DIR",
        description="Check the bundle (SHA256SUMS) and unpack it into DIR (new, or empty), to install by hand.",
    )
    unpack.add_argument("dir", metavar="DIR", help="a folder that does not exist yet, or is empty")
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
