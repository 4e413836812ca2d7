/**
 * The contract between the build layer (src/io/build/) and app/collect.
 *
 * lockhouse never builds by itself: a standard PEP 517 frontend does
 * (DESIGN.md "Building"): `uv build --wheel` where uv is on PATH, else
 * `python -m build --wheel` where `build` is importable, else
 * `python -m pip wheel --no-deps`.
 */
import type { HostInfo } from '../../python/host.js';

/** An interpreter that can run builds. */
export interface BuildPython {
  /** The command or path that runs it. */
  readonly command: string;
  /** sys.version_info[:3] */
  readonly version: readonly [number, number, number];
  /** sysconfig platform tag of the interpreter (packaging's first platform tag), e.g. "linux_x86_64", "macosx_14_0_arm64". */
  readonly platform: string;
  readonly freeThreaded: boolean;
  /** What the interpreter reported about itself (python/host.ts): `hostTarget(host)` gives the tags a wheel built by it must fit. */
  readonly host?: HostInfo;
}

export type FrontendName = 'uv' | 'build' | 'pip';

export interface Frontend {
  readonly name: FrontendName;
  /** How it was found, for the log: "uv 0.9.2 on PATH", "build 1.2.2 in python3.12", "pip 25.1 in python3". */
  readonly description: string;
}

export type BuildSource =
  /** A verified sdist file. */
  | { readonly kind: 'sdist'; readonly path: string }
  /** A source tree: a git checkout (at its subdirectory) or a local project. */
  | { readonly kind: 'tree'; readonly path: string };

export interface BuildRequest {
  readonly source: BuildSource;
  readonly python: BuildPython;
  readonly frontend: Frontend;
  /** Isolated build environments (the default); false: the interpreter's installed backends (--no-build-isolation). */
  readonly isolation: boolean;
  /**
   * Where build requirements come from in an isolated build: the package's
   * index (or its mirror); null: no index at all. Userinfo in it is the
   * index's credential: the frontend gets it in a netrc file, never on its
   * command line or in its environment (index-netrc.ts).
   */
  readonly indexUrl: string | null;
  /** Extra --find-links sources for build requirements (DIR itself, the user's --find-links). */
  readonly findLinks: readonly string[];
  /** An empty directory the frontend writes the wheel into. */
  readonly outDir: string;
  /** The build log (created or appended): the frontend's command line, stdout and stderr. */
  readonly logPath: string;
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  /** Kill the build after this long; none by default (a build may take many minutes). */
  readonly timeoutMs?: number;
  /** How messages name the source ("foo 1.0 (foo-1.0.tar.gz)"); default: the source's path. */
  readonly label?: string;
}

export interface BuildResult {
  /** The wheel the frontend wrote (exactly one). */
  readonly wheel: string;
  readonly durationMs: number;
}

/** What a built wheel says it is. */
export interface WheelIdentity {
  /** Name and version from METADATA (normalized name as written there). */
  readonly name: string;
  readonly version: string;
  /** Tags from the file name (and WHEEL's Tag lines, which must agree). */
  readonly python: readonly string[];
  readonly abi: readonly string[];
  readonly platform: readonly string[];
}
