#!/usr/bin/env python3
"""Golden vectors for pylock selection: what packaging's reference
implementation, ``packaging.pylock.Pylock.select`` (packaging >= 26.1),
selects from each pylock fixture in test/fixtures/pylock/ for a set of
targets and extras / dependency-group choices.

Targets are built by tags.py (the tag golden vectors): their marker
environment and ordered tags, and the flags lockhouse builds them from.
Writes test/golden/pylock-select.json. Run from the repository root:

    python3 scripts/golden/pylock_select.py
"""

import importlib.util
import json
import pathlib
import tomllib
import urllib.parse

import packaging
from packaging.pylock import (
    PackageArchive,
    PackageDirectory,
    PackageSdist,
    PackageVcs,
    PackageWheel,
    Pylock,
    PylockSelectError,
)
from packaging.tags import Tag

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Targets (marker environment and ordered tags) are built exactly as the tag
# golden vectors build them.
_spec = importlib.util.spec_from_file_location("tags_golden", ROOT / "scripts" / "golden" / "tags.py")
tags_golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tags_golden)
FIXTURES = ROOT / "test" / "fixtures" / "pylock"
OUT = ROOT / "test" / "golden" / "pylock-select.json"

# A spread of platforms and Pythons: (uv --python-platform, --python-version).
TARGETS = [
    ("x86_64-manylinux_2_28", "3.12"),
    ("aarch64-manylinux_2_28", "3.11"),
    ("x86_64-unknown-linux-musl", "3.12"),
    ("aarch64-apple-darwin", "3.13"),
    ("x86_64-apple-darwin", "3.10"),
    ("x86_64-pc-windows-msvc", "3.13"),
    ("x86_64-pc-windows-msvc", "3.12"),
    ("x86_64-manylinux_2_17", "3.9"),
    ("x86_64-manylinux_2_28", "3.13t"),
]

# (label, extras, dependency_groups): None means "the lock's default groups".
CHOICES = [
    ("defaults", [], None),
    ("extra cli", ["cli"], None),
    ("extras cli+web, no groups", ["cli", "web"], []),
    ("group docs only", [], ["docs"]),
    ("groups dev+test", [], ["dev", "test"]),
]


def as_packaging_reads_it(data):
    """packaging 26.2 takes a wheel's file name from the URL without
    percent-decoding it, so it rejects `torch-2.11.0%2Bcpu-….whl`, which uv
    writes (corpus-uvexport/README.md). lockhouse decodes the last segment
    once; give packaging the decoded `name` so both read the same lock."""
    for package in data.get("packages", []):
        for wheel in package.get("wheels", []):
            if "name" not in wheel and "%" in wheel.get("url", ""):
                wheel["name"] = urllib.parse.unquote(wheel["url"].rsplit("/", 1)[-1])
    return data


def dist_summary(dist):
    if isinstance(dist, PackageVcs):
        return {"kind": "vcs", "ref": dist.url or dist.path}
    if isinstance(dist, PackageDirectory):
        return {"kind": "directory", "ref": dist.path}
    if isinstance(dist, PackageArchive):
        return {"kind": "archive", "ref": dist.url or dist.path}
    if isinstance(dist, (PackageWheel, PackageSdist)):
        return {"kind": "wheel" if isinstance(dist, PackageWheel) else "sdist", "ref": dist.filename}
    raise TypeError(type(dist))


def main():
    targets = {}
    for platform, version in TARGETS:
        case = tags_golden.uv_case([platform], [version])
        (target,) = case["targets"]
        targets[target["id"]] = {"flags": case["flags"], **target}
    TARGET_IDS = list(targets)

    fixtures = []
    for path in sorted(FIXTURES.glob("*.toml")):
        data = tomllib.loads(path.read_text())
        lock = Pylock.from_dict(as_packaging_reads_it(data))
        results = []
        for tid in TARGET_IDS:
            target = targets[tid]
            tags = [Tag(*t.split("-")) for t in target["tags"]]
            for label, extras, groups in CHOICES:
                if extras and not set(extras) <= set(lock.extras or []):
                    continue
                if groups and not set(groups) <= set(lock.dependency_groups or []):
                    continue
                try:
                    picked = [
                        {"name": str(pkg.name), "version": str(pkg.version) if pkg.version else None, **dist_summary(dist)}
                        for pkg, dist in lock.select(
                            environment=target["markers"], tags=tags, extras=extras, dependency_groups=groups
                        )
                    ]
                    outcome = {"selected": sorted(picked, key=lambda p: (p["name"], p["version"] or ""))}
                except PylockSelectError as error:
                    outcome = {"error": str(error)}
                results.append({"target": tid, "choice": label, "extras": extras, "groups": groups, **outcome})
        fixtures.append({"fixture": path.name, "results": results})

    out = {
        "generator": "scripts/golden/pylock_select.py",
        "packaging": packaging.__version__,
        "targets": {tid: {"flags": targets[tid]["flags"], "pythonVersion": targets[tid]["pythonVersion"]} for tid in TARGET_IDS},
        "fixtures": fixtures,
    }
    OUT.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)}: {sum(len(f['results']) for f in fixtures)} selections")


if __name__ == "__main__":
    main()
