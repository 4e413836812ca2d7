/**
 * The CI matrix examples (examples/github-actions/matrix-merge.yml,
 * examples/gitlab-ci/matrix-merge.yml) are workflows GitHub and GitLab
 * accept — checked against the shapes their docs give (job names, needs,
 * matrix keys and the variables a job uses, steps, artifacts) — and their
 * lockhouse commands work as written: each matrix entry's commands run in a
 * checkout of its own with a cache of its own, their parts travel as the
 * artifact steps say, and the fan-in job's merge, verify and bundle run on
 * them, against a local index, each exiting 0.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Manifest } from '../src/output/manifest.js';
import { makeSdist, makeWheel } from './helpers/artifacts.js';
import { repoRoot } from './helpers/corpus.js';
import { fixtureUvLock } from './helpers/fixture-lock.js';
import { startIndexServer, type IndexServer } from './helpers/index-server.js';
import { pipMissing } from './helpers/pip.js';
import { startLockhouse } from './helpers/process.js';
import { withGroupsAndExtras } from './helpers/project-lock.js';
import { testdir } from './helpers/testdir.js';

const GITHUB = 'examples/github-actions/matrix-merge.yml';
const GITLAB = 'examples/gitlab-ci/matrix-merge.yml';
const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');

// ---------------------------------------------------------------------------
// The shapes GitHub documents ("Workflow syntax for GitHub Actions")

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const GithubStep = z
  .object({
    name: z.string().optional(),
    id: z.string().optional(),
    if: z.string().optional(),
    uses: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+(\/[A-Za-z0-9_./-]+)?@[A-Za-z0-9_.-]+$/, 'owner/repo[/path]@ref').optional(),
    run: z.string().optional(),
    shell: z.string().optional(),
    with: z.record(z.string(), scalar).optional(),
    env: z.record(z.string(), scalar).optional(),
  })
  .strict()
  .refine((step) => (step.uses === undefined) !== (step.run === undefined), 'a step has either uses or run');
const GithubJob = z
  .object({
    name: z.string().optional(),
    'runs-on': z.union([z.string(), z.array(z.string())]),
    needs: z.union([z.string(), z.array(z.string())]).optional(),
    if: z.string().optional(),
    permissions: z.record(z.string(), z.string()).optional(),
    strategy: z
      .object({
        matrix: z.union([
          z.object({ include: z.array(z.record(z.string(), scalar)).min(1), exclude: z.array(z.record(z.string(), scalar)).optional() }).strict(),
          z.record(z.string().regex(/^(?!include$|exclude$)/), z.array(scalar).min(1)),
        ]),
        'fail-fast': z.boolean().optional(),
        'max-parallel': z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
    defaults: z.object({ run: z.object({ shell: z.string().optional(), 'working-directory': z.string().optional() }).strict() }).strict().optional(),
    env: z.record(z.string(), scalar).optional(),
    'timeout-minutes': z.number().optional(),
    steps: z.array(GithubStep).min(1),
  })
  .strict();
const GithubWorkflow = z
  .object({
    name: z.string().optional(),
    'run-name': z.string().optional(),
    on: z.union([z.string(), z.array(z.string()), z.record(z.string(), z.unknown())]),
    permissions: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
    env: z.record(z.string(), scalar).optional(),
    defaults: z.unknown().optional(),
    concurrency: z.unknown().optional(),
    // Job ids: a letter or _, then letters, digits, - and _.
    jobs: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]*$/), GithubJob),
  })
  .strict();
type GithubJob = z.infer<typeof GithubJob>;

// ---------------------------------------------------------------------------
// The shapes GitLab documents ("CI/CD YAML syntax reference")

const GITLAB_GLOBAL_KEYS = new Set(['default', 'include', 'stages', 'variables', 'workflow']);
// Names a job cannot have (GitLab's reserved keywords).
const GITLAB_RESERVED = new Set(['image', 'services', 'stages', 'types', 'before_script', 'after_script', 'variables', 'cache', 'include', 'pages:deploy', 'true', 'false', 'nil']);
const GitlabNeed = z.union([z.string(), z.object({ job: z.string(), artifacts: z.boolean().optional(), optional: z.boolean().optional() }).strict()]);
const GitlabJob = z
  .object({
    stage: z.string(),
    image: z.string().optional(),
    tags: z.array(z.string()).min(1).optional(),
    variables: z.record(z.string(), z.string()).optional(),
    before_script: z.array(z.string()).optional(),
    script: z.array(z.string()).min(1),
    after_script: z.array(z.string()).optional(),
    parallel: z
      .union([
        z.number().int().min(1).max(200),
        z.object({ matrix: z.array(z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.union([z.string(), z.array(z.string()).min(1)]))).min(1) }).strict(),
      ])
      .optional(),
    needs: z.array(GitlabNeed).optional(),
    cache: z.object({ key: z.string(), paths: z.array(z.string()).min(1) }).strict().optional(),
    artifacts: z
      .object({ paths: z.array(z.string()).min(1), exclude: z.array(z.string()).optional(), expire_in: z.string().optional(), name: z.string().optional(), when: z.enum(['on_success', 'on_failure', 'always']).optional() })
      .strict()
      .optional(),
  })
  .strict();
type GitlabJob = z.infer<typeof GitlabJob>;

/** The variables of a matrix's entries: GitLab runs one job per combination of their values (at most 200). */
function matrixEntries(job: GitlabJob): Array<Record<string, string>> {
  if (!job.parallel || typeof job.parallel === 'number') return [{}];
  return job.parallel.matrix.flatMap((entry) =>
    Object.entries(entry).reduce<Array<Record<string, string>>>(
      (combos, [key, value]) => combos.flatMap((combo) => (Array.isArray(value) ? value : [value]).map((one) => ({ ...combo, [key]: one }))),
      [{}],
    ),
  );
}

// ---------------------------------------------------------------------------
// Commands: the shell lines of a step or script item that run lockhouse

/** Lines of a script, `\`-continued lines joined, that start with `lockhouse `. */
function lockhouseCommands(script: string): string[] {
  return script
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^lockhouse\s/.test(line));
}

/** Shell words, quotes removed, and `dir/pat*` expanded in `cwd` as a shell would. */
function shellWords(line: string, cwd: string): string[] {
  const words = [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3]!);
  return words.flatMap((word) => {
    if (!word.includes('*')) return [word];
    const pattern = new RegExp(`^${basename(word).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    const folder = join(cwd, dirname(word));
    const found = existsSync(folder) ? readdirSync(folder).filter((name) => pattern.test(name)).sort() : [];
    return found.length ? found.map((name) => join(dirname(word), name)) : [word];
  });
}

/** `${{ matrix.x }}`, `${{ github.x }}` → the values a run gives them. */
function githubExpand(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([A-Za-z_.]+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/** `$VAR` and `${VAR}` → the values a run gives them. */
function gitlabExpand(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => values[name] ?? whole);
}

const github = GithubWorkflow.parse(parse(read(GITHUB)));
const gitlabDocument = parse(read(GITLAB)) as Record<string, unknown>;
const gitlabStages = z.array(z.string()).parse(gitlabDocument['stages']);
const gitlabVariables = z.record(z.string(), z.string()).parse(gitlabDocument['variables'] ?? {});
const gitlabJobs = new Map(
  Object.entries(gitlabDocument)
    .filter(([key]) => !GITLAB_GLOBAL_KEYS.has(key) && !key.startsWith('.'))
    .map(([name, job]) => [name, GitlabJob.parse(job)] as const),
);

describe(`${GITHUB}: a workflow GitHub accepts`, () => {
  const jobs = github.jobs;
  const collect = jobs['collect']!;
  const merge = jobs['merge']!;
  const include = (collect.strategy!.matrix as { include: Array<Record<string, string>> }).include;

  it('a matrix over the four runner kinds, each collecting its own target', () => {
    expect(include.map((entry) => entry['runner'])).toEqual(['ubuntu-24.04', 'ubuntu-24.04-arm', 'macos-14', 'windows-2022']);
    expect(include.map((entry) => entry['target'])).toEqual(['x86_64-manylinux_2_28', 'aarch64-manylinux_2_28', 'aarch64-apple-darwin', 'x86_64-pc-windows-msvc']);
    expect(collect['runs-on']).toBe('${{ matrix.runner }}');
  });

  it("every ${{ matrix.* }} a job uses is a key of each of its matrix's entries", () => {
    for (const [name, job] of Object.entries(jobs)) {
      const used = [...JSON.stringify(job).matchAll(/\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}/g)].map((match) => match[1]!);
      const entries: Array<Record<string, unknown>> = job.strategy ? ((job.strategy.matrix as { include?: Array<Record<string, unknown>> }).include ?? [job.strategy.matrix]) : [];
      for (const key of used) for (const entry of entries.length ? entries : [{}]) expect(entry, `${name}: matrix.${key}`).toHaveProperty(key);
    }
  });

  it('needs names jobs of the workflow; the fan-in needs the matrix', () => {
    for (const job of Object.values(jobs)) for (const need of [job.needs ?? []].flat()) expect(Object.keys(jobs)).toContain(need);
    expect(merge.needs).toBe('collect');
  });

  it('each matrix entry uploads its part under a name of its own, and the fan-in downloads every one of them', () => {
    const upload = collect.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'))!;
    const names = include.map((entry) => githubExpand(String(upload.with!['name']), { 'matrix.target': entry['target']!, 'matrix.runner': entry['runner']! }));
    expect(new Set(names).size).toBe(include.length);
    const download = merge.steps.find((step) => step.uses?.startsWith('actions/download-artifact@'))!;
    const pattern = new RegExp(`^${String(download.with!['pattern']).replace(/\*/g, '.*')}$`);
    for (const name of names) expect(name).toMatch(pattern);
    // Without merge-multiple, each artifact lands in a folder of its own name: the part's name.
    expect(download.with!['merge-multiple']).toBeUndefined();
  });
});

describe(`${GITLAB}: a pipeline GitLab accepts`, () => {
  it('job names are not reserved keywords; each job is in a stage the pipeline lists', () => {
    expect([...gitlabJobs.keys()]).toEqual(['collect', 'collect-windows', 'merge']);
    for (const [name, job] of gitlabJobs) {
      expect(GITLAB_RESERVED.has(name), name).toBe(false);
      expect(name.length).toBeLessThanOrEqual(255);
      expect(gitlabStages, name).toContain(job.stage);
    }
  });

  it('parallel:matrix covers the Linux x86_64 and aarch64 and macOS runners; the Windows runner has its own job', () => {
    expect(matrixEntries(gitlabJobs.get('collect')!).map((entry) => entry['TARGET'])).toEqual(['x86_64-manylinux_2_28', 'aarch64-manylinux_2_28', 'aarch64-apple-darwin']);
    expect(gitlabJobs.get('collect-windows')!.tags).toEqual(['saas-windows-medium-amd64']);
    expect(matrixEntries(gitlabJobs.get('collect')!).length).toBeLessThanOrEqual(200);
  });

  it('every $VARIABLE a job uses in its tags, image, cache and script is given (by its matrix, the pipeline, or GitLab)', () => {
    const predefined = new Set(['CI_COMMIT_REF_NAME']);
    for (const [name, job] of gitlabJobs) {
      const text = JSON.stringify({ tags: job.tags, image: job.image, cache: job.cache, script: job.script });
      const used = [...text.matchAll(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g)].map((match) => match[1]!);
      for (const entry of matrixEntries(job)) {
        for (const variable of used) expect(variable in entry || variable in gitlabVariables || predefined.has(variable), `${name}: $${variable}`).toBe(true);
      }
    }
  });

  it('needs names jobs of an earlier stage; the fan-in needs every collecting job and their artifacts', () => {
    for (const [name, job] of gitlabJobs) {
      for (const need of job.needs ?? []) {
        const other = typeof need === 'string' ? need : need.job;
        expect(gitlabJobs.has(other), `${name} needs ${other}`).toBe(true);
        expect(gitlabStages.indexOf(gitlabJobs.get(other)!.stage)).toBeLessThan(gitlabStages.indexOf(job.stage));
      }
    }
    expect(gitlabJobs.get('merge')!.needs).toEqual([
      { job: 'collect', artifacts: true },
      { job: 'collect-windows', artifacts: true },
    ]);
  });
});

// ---------------------------------------------------------------------------
// Run as written

/** A runner: a checkout of its own, a cache of its own, its commands in order. */
interface Runner {
  readonly name: string;
  readonly commands: readonly string[];
  /** After its commands: copy what it uploads into the fan-in's checkout. */
  hand(from: string, to: string): void;
}

const why = pipMissing();

describe.skipIf(why !== null)(`the matrix examples, run as written against a local index (${why ?? 'pip in python3'})`, () => {
  // A project whose compiled package has a wheel for each of the four targets, a pure sdist every
  // runner builds, and a dev group the examples leave out.
  const native = ['manylinux_2_17_x86_64.manylinux2014_x86_64', 'manylinux_2_17_aarch64.manylinux2014_aarch64', 'macosx_11_0_arm64', 'win_amd64'].map((platform) =>
    makeWheel({ name: 'native', version: '2.0', tags: `cp312-cp312-${platform}` }),
  );
  const pure = makeWheel({ name: 'pure', version: '1.0' });
  const pureSdist = makeSdist({ name: 'puresrc', version: '1.0' });
  const devtool = makeWheel({ name: 'devtool', version: '1.0' });
  const artifacts = [...native, pure, pureSdist, devtool];
  let server: IndexServer;
  beforeAll(async () => {
    server = await startIndexServer({ artifacts });
  });
  afterAll(async () => {
    await server?.close();
  });

  /** Run each runner's commands in its own checkout, hand its upload to the fan-in, then run the fan-in's. */
  async function runPipeline(runners: readonly Runner[], fanIn: readonly string[], cacheDir: string): Promise<{ fanIn: string; outputs: Array<{ line: string; stderr: string; stdout: string }> }> {
    const project = { 'uv.lock': withGroupsAndExtras(fixtureUvLock(artifacts, { base: server.url }), { groups: { dev: ['devtool'] } }), 'pyproject.toml': '[project]\nname = "app"\nversion = "0.1.0"\n' };
    const fanInCheckout = testdir(project);
    const outputs: Array<{ line: string; stderr: string; stdout: string }> = [];
    const runIn = async (checkout: string, line: string): Promise<void> => {
      const run = await startLockhouse(shellWords(line, checkout).slice(1), { ...process.env, LOCKHOUSE_CACHE_DIR: cacheDir }, checkout).done;
      expect(run.code, `${line}\n${run.stderr}`).toBe(0);
      outputs.push({ line, stderr: run.stderr, stdout: run.stdout });
    };
    // The runners run at once, as a matrix does.
    await Promise.all(
      runners.map(async (runner) => {
        const checkout = testdir(project);
        for (const line of runner.commands) await runIn(checkout, line);
        runner.hand(checkout, fanInCheckout);
      }),
    );
    for (const line of fanIn) await runIn(fanInCheckout, line);
    return { fanIn: fanInCheckout, outputs };
  }

  function checkResult(fanIn: string, parts: readonly string[], outputs: ReadonlyArray<{ line: string; stderr: string; stdout: string }>): void {
    const merged = outputs.find((output) => output.line.startsWith('lockhouse merge'))!;
    console.info(`the fan-in job:\n${outputs.slice(-4).map((output) => `$ ${output.line}\n${output.stderr}${output.stdout}`).join('')}`);
    expect(merged.stderr).toContain(`Merged 4 parts into wheelhouse: 6 files of 3 packages`);
    expect(merged.stderr).toContain('Complete for uv.lock');
    const verified = outputs.find((output) => output.line.startsWith('lockhouse verify -o'))!;
    expect(verified.stdout).toContain('wheelhouse is complete and intact for uv.lock: 6 files verified');
    const bundleChecked = outputs.find((output) => output.line.startsWith('lockhouse verify --bundle'))!;
    expect(bundleChecked.stdout).toMatch(/app-v1\.2\.3\.pyz is complete and intact for uv\.lock: 6 files verified/);
    const manifest = Manifest.parse(JSON.parse(readFileSync(join(fanIn, 'wheelhouse', 'lockhouse.json'), 'utf8')));
    expect(manifest.merged?.parts.map((part) => part.name).sort()).toEqual([...parts].sort());
    expect(manifest.selection?.groups.selected).toEqual([]);
    const wheels = readdirSync(join(fanIn, 'wheelhouse')).filter((name) => name.endsWith('.whl')).sort();
    expect(wheels).toEqual([...native.map((wheel) => wheel.filename), pure.filename, 'puresrc-1.0-py3-none-any.whl'].sort());
    expect(existsSync(join(fanIn, 'wheelhouse', 'requirements.txt'))).toBe(true);
    expect(existsSync(join(fanIn, 'app-v1.2.3.pyz'))).toBe(true);
  }

  /** Copy a folder as an artifact upload does: without hidden files and folders (.lockhouse/). */
  const upload = (from: string, to: string): void => {
    mkdirSync(dirname(to), { recursive: true });
    cpSync(from, to, { recursive: true, filter: (source) => !basename(source).startsWith('.') || source === from });
  };

  it(`${GITHUB}: four runners, then merge, verify, bundle --from and verify --bundle, each exit 0`, async () => {
    const collect = github.jobs['collect']!;
    const merge = github.jobs['merge']!;
    const include = (collect.strategy!.matrix as { include: Array<Record<string, string>> }).include;
    const values = (entry: Record<string, string>): Record<string, string> => ({
      ...Object.fromEntries(Object.entries(entry).map(([key, value]) => [`matrix.${key}`, value])),
      'github.ref_name': 'v1.2.3',
    });
    const commands = (job: GithubJob, entry: Record<string, string>): string[] => job.steps.flatMap((step) => (step.run ? lockhouseCommands(githubExpand(step.run, values(entry))) : []));
    const uploadStep = collect.steps.find((step) => step.uses?.startsWith('actions/upload-artifact@'))!;
    const downloadStep = merge.steps.find((step) => step.uses?.startsWith('actions/download-artifact@'))!;
    const runners: Runner[] = include.map((entry) => ({
      name: entry['target']!,
      commands: commands(collect, entry),
      hand: (from, to) => upload(join(from, githubExpand(String(uploadStep.with!['path']), values(entry))), join(to, String(downloadStep.with!['path']), githubExpand(String(uploadStep.with!['name']), values(entry)))),
    }));
    const fanIn = commands(merge, {});
    expect(runners.map((runner) => runner.commands.length)).toEqual([1, 1, 1, 1]);
    expect(fanIn.map((line) => line.split(/\s+/)[1])).toEqual(['merge', 'verify', 'bundle', 'verify']);
    // The jobs' LOCKHOUSE_CACHE_DIR: relative, so each runner's checkout has its own.
    const cacheDir = String(collect.env!['LOCKHOUSE_CACHE_DIR']);
    const { fanIn: checkout, outputs } = await runPipeline(runners, fanIn, cacheDir);
    checkResult(checkout, include.map((entry) => `part-${entry['target']}`), outputs);
  });

  it(`${GITLAB}: the matrix and the Windows job, then merge, verify, bundle --from and verify --bundle, each exit 0`, async () => {
    const collecting = [...gitlabJobs].filter(([, job]) => job.stage === 'collect');
    const values = (entry: Record<string, string>): Record<string, string> => ({ ...gitlabVariables, ...entry, CI_COMMIT_REF_NAME: 'v1.2.3' });
    const runners: Runner[] = collecting.flatMap(([name, job]) =>
      matrixEntries(job).map((entry) => ({
        name: `${name} ${JSON.stringify(entry)}`,
        commands: job.script.flatMap((item) => lockhouseCommands(gitlabExpand(item, values(entry)))),
        hand: (from, to) => {
          for (const path of job.artifacts!.paths) upload(join(from, gitlabExpand(path, values(entry))), join(to, gitlabExpand(path, values(entry))));
        },
      })),
    );
    const merge = gitlabJobs.get('merge')!;
    const fanIn = merge.script.flatMap((item) => lockhouseCommands(gitlabExpand(item, values({}))));
    expect(runners.map((runner) => runner.commands.length)).toEqual([1, 1, 1, 1]);
    expect(fanIn.map((line) => line.split(/\s+/)[1])).toEqual(['merge', 'verify', 'bundle', 'verify']);
    const { fanIn: checkout, outputs } = await runPipeline(runners, fanIn, gitlabVariables['LOCKHOUSE_CACHE_DIR']!);
    checkResult(checkout, ['x86_64-manylinux_2_28', 'aarch64-manylinux_2_28', 'aarch64-apple-darwin', 'x86_64-pc-windows-msvc'].map((target) => `part-${target}`), outputs);
  });
});
