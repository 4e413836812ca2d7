/**
 * Unpacking an sdist into a source tree, for `python -m build`: uv and pip
 * build a wheel from an sdist archive directly, but `build` takes a source
 * directory only (archives arrive with pypa/build PR 1057, 2026, in releases
 * few machines have). The build interpreter unpacks it with its own tarfile
 * (or zipfile, for legacy .zip sdists): it reads every compression the
 * sdist's own ecosystem writes, and lockhouse needs no archive library.
 *
 * The members are checked before anything is written: no absolute paths, no
 * `..`, links only to places inside the tree, no devices or fifos (tarfile's
 * "data" filter, where the interpreter has it, checks the same again).
 */
import { join } from 'node:path';
import { LockhouseError } from '../../errors.js';
import { capture } from './exec.js';

const UNPACK = String.raw`
import json, os, posixpath, sys, tarfile, zipfile
src, dest = sys.argv[1], sys.argv[2]
def check(name, what="member"):
    norm = posixpath.normpath(name.replace("\\", "/"))
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or norm == ".." or norm.startswith("../"):
        sys.exit("unsafe %s path in the sdist: %r" % (what, name))
    return norm
if src.endswith(".zip"):
    with zipfile.ZipFile(src) as z:
        for name in z.namelist():
            check(name)
        z.extractall(dest)
else:
    with tarfile.open(src) as t:
        for m in t.getmembers():
            norm = check(m.name)
            if m.issym():
                check(posixpath.join(posixpath.dirname(norm), m.linkname), "link")
            elif m.islnk():
                check(m.linkname, "link")
            elif not (m.isfile() or m.isdir()):
                sys.exit("the sdist has a device or fifo: %r" % m.name)
        if hasattr(tarfile, "data_filter"):
            t.extractall(dest, filter="data")
        else:
            t.extractall(dest)
print(json.dumps(sorted(os.listdir(dest))))
`;

/**
 * Unpack `sdist` into the empty directory `into`; returns the source tree
 * (the archive's one top-level directory). `log` receives what Python said.
 */
export async function unpackSdist(
  python: string,
  sdist: string,
  into: string,
  env: NodeJS.ProcessEnv,
  log: (text: string) => Promise<void>,
): Promise<string> {
  const run = await capture(python, ['-I', '-c', UNPACK, sdist, into], { env });
  if (run.stderr) await log(run.stderr);
  const fail = (why: string): LockhouseError =>
    new LockhouseError('BUILD_FAILED', `Cannot unpack ${sdist} for python -m build: ${why}.`, { hint: 'pip and uv build from the archive itself: put uv on PATH to use it' });
  if (run.failure !== null) throw fail(`${python} did not run (${run.failure})`);
  if (run.code !== 0) throw fail(run.stderr.trim().split('\n').pop() ?? `exit code ${run.code}`);
  let roots: unknown;
  try {
    roots = JSON.parse(run.stdout);
  } catch {
    throw fail('the unpacker answered something that is not JSON');
  }
  if (!Array.isArray(roots) || roots.length !== 1 || typeof roots[0] !== 'string') {
    throw fail(`an sdist holds exactly one top-level directory, this one holds ${Array.isArray(roots) ? roots.length : 'no list of'} entries`);
  }
  return join(into, roots[0]);
}
