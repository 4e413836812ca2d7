/**
 * The option groups every command that reads a lock shares (plan, collect,
 * bundle, verify): the lock, the targets, the selection and the build
 * choices. One definition each, inherited, never copied; planRequest() turns
 * them into the one request every such command plans with.
 */
import { Option } from 'clipanion';
import type { PlanRequest } from '../../app/plan.js';
import type { GivenFlags, SelectionFamily } from '../../app/verify/selection.js';
import { BaseCommand } from '../base-command.js';

const list = (value: string[] | undefined): string[] => value ?? [];

export abstract class LockCommand extends BaseCommand {
  // The lock
  lock = Option.String('--lock', {
    description: 'The lock to read: a uv.lock or a PEP 751 pylock.toml, or a folder holding one (its uv.lock, else pylock.toml) (default: ./uv.lock, else ./pylock.toml)',
  });
  project = Option.String('--project', {
    description: 'The project directory whose pyproject.toml gives default groups and index names (default: beside the lock)',
  });

  // Targets
  pythonPlatform = Option.Array('--python-platform', {
    description: "Target platform, in uv's names: linux, macos, windows, x86_64-manylinux_2_28, aarch64-apple-darwin, x86_64-pc-windows-msvc … (repeatable)",
  });
  pythonVersion = Option.Array('--python-version', { description: 'Target Python: 3.12, 3.12.4, 3.13t for free-threaded (repeatable)' });
  platform = Option.Array('--platform', { description: "Target platform tag, in pip's spelling: manylinux2014_x86_64, macosx_11_0_arm64, win_amd64 … (repeatable)" });
  implementation = Option.String('--implementation', { description: "Python implementation, in pip's spelling (cp)" });
  abi = Option.Array('--abi', { description: "ABI tag, in pip's spelling: cp312, abi3, none (repeatable)" });
  python = Option.String('-p,--python', {
    description: "The interpreter that describes the host target: a path, or a version request as uv takes one (3.12, 3.13t: pythonX.Y on PATH, else this machine's platform with that Python) (default: python3)",
  });
  allPlatforms = Option.Boolean('--all-platforms', false, { description: 'Every artifact in the lock, for mirroring: no target filtering' });

  // Selection
  onlyDeps = Option.Boolean('--only-deps', false, {
    description: 'Leave out the workspace members and other local projects; collect only what they depend on',
  });
  package = Option.Array('--package', { description: 'Start from this workspace member only (repeatable; default: every member)' });
  allPackages = Option.Boolean('--all-packages', false, { description: 'Start from every workspace member (the default)' });
  extra = Option.Array('--extra', { description: 'Include this optional dependency group of the projects (repeatable)' });
  allExtras = Option.Boolean('--all-extras', false, { description: 'Include every extra' });
  noExtra = Option.Array('--no-extra', { description: 'Leave out this extra, with --all-extras (repeatable)' });
  group = Option.Array('--group', { description: 'Include this dependency group (repeatable)' });
  noGroup = Option.Array('--no-group', { description: 'Leave out this dependency group, whatever else says (repeatable)' });
  onlyGroup = Option.Array('--only-group', { description: "Only this dependency group: not the projects' own dependencies (repeatable)" });
  allGroups = Option.Boolean('--all-groups', false, { description: 'Include every dependency group' });
  // clipanion gives every boolean its --no- form: --dev and --no-dev are one option.
  dev = Option.Boolean('--dev', { description: '--dev includes the dev group (--group dev); --no-dev leaves it out (--no-group dev)' });
  onlyDev = Option.Boolean('--only-dev', false, { description: 'Only the dev group (--only-group dev)' });
  noDefaultGroups = Option.Boolean('--no-default-groups', false, {
    description: 'Ignore the default groups ([tool.uv] default-groups, else dev; a pylock\'s default-groups)',
  });
  index = Option.Array('--index', {
    description:
      "Collect only packages locked from this index, by [[tool.uv.index]] name, pypi, or URL: a filter, not uv's \"use this index\" (--mirror fetches through another index); one the lock does not name is an error (repeatable)",
  });
  excludeIndex = Option.Array('--exclude-index', {
    description: 'Leave out packages locked from this index, by name or URL; pypi means pypi.org (and files.pythonhosted.org); one the lock does not name is an error (repeatable)',
  });
  excludePackage = Option.Array('--exclude-package,--prune', { description: 'Leave out this package and what only it needs (repeatable)' });
  noEmitPackage = Option.Array('--no-emit-package', { description: "Do not collect this package's own files, but do collect what it needs (repeatable)" });
  noEmitProject = Option.Boolean('--no-emit-project', false, {
    description: "uv's flag: do not collect the project at the workspace root, but do collect what it needs (--no-emit-package for that project)",
  });
  noEmitWorkspace = Option.Boolean('--no-emit-workspace', false, {
    description: "uv's flag: do not collect any workspace member, but do collect what they need (--only-deps also leaves out local projects that are not members)",
  });
  frozen = Option.Boolean('--frozen', false, {
    description: "uv's flag, accepted for scripts that pass it: lockhouse never updates or checks the lock against pyproject.toml, it reads the lock as it is",
  });
  requiresBuildOnly = Option.Boolean('--requires-build-only', false, {
    description: 'Collect only packages that have no compatible wheel for some target',
  });
  allowEmpty = Option.Boolean('--allow-empty', false, {
    description: 'A selection with no package at all is wanted (else it is the error SELECT_EMPTY)',
  });

  // Builds
  noBuild = Option.Boolean('--no-build', false, { description: 'Never build: a package with no compatible wheel is an error (with --sdist, its sdist is kept unbuilt)' });
  sdist = Option.Boolean('--sdist', false, { description: 'Also collect the sdist of every selected package' });
  noBinary = Option.Array('--no-binary', { description: 'Build this package from its sdist even where a wheel fits; :all: for every package (repeatable)' });

  /** The plan these options ask for: what plan prints, collect and bundle fetch, and verify checks. */
  protected planRequest(): PlanRequest {
    return { lock: this.lockRequest(), targets: this.targetRequest(), select: this.selectOptions(), plan: this.planOptions() };
  }

  private lockRequest(): PlanRequest['lock'] {
    return { lock: this.lock, project: this.project, cwd: process.cwd() };
  }

  private targetRequest(): PlanRequest['targets'] {
    return {
      pythonPlatforms: list(this.pythonPlatform),
      pythonVersions: list(this.pythonVersion),
      platforms: list(this.platform),
      implementation: this.implementation,
      abis: list(this.abi),
      python: this.python,
      allPlatforms: this.allPlatforms,
    };
  }

  private selectOptions(): PlanRequest['select'] {
    return {
      packages: list(this.package),
      allPackages: this.allPackages,
      onlyDeps: this.onlyDeps,
      extras: list(this.extra),
      allExtras: this.allExtras,
      noExtras: list(this.noExtra),
      groups: list(this.group),
      noGroups: list(this.noGroup),
      onlyGroups: list(this.onlyGroup),
      allGroups: this.allGroups,
      dev: this.dev === true,
      noDev: this.dev === false,
      onlyDev: this.onlyDev,
      noDefaultGroups: this.noDefaultGroups,
      indexes: list(this.index),
      excludeIndexes: list(this.excludeIndex),
      excludePackages: list(this.excludePackage),
      noEmitPackages: list(this.noEmitPackage),
      noEmitProject: this.noEmitProject,
      noEmitWorkspace: this.noEmitWorkspace,
      allPlatforms: this.allPlatforms,
      allowEmpty: this.allowEmpty,
    };
  }

  /**
   * The selection flag families given on the command line, with the flags
   * as typed: verify takes these from the flags and the rest from the
   * selection DIR's manifest records.
   */
  protected givenFlags(): GivenFlags {
    const given: Partial<Record<SelectionFamily, string[]>> = {};
    const note = (family: SelectionFamily, flag: string, values: readonly string[] | undefined | boolean): void => {
      if (values === undefined || values === false) return;
      const typed = values === true ? [flag] : values.map((value) => `${flag} ${value}`);
      (given[family] ??= []).push(...typed);
    };
    note('targets', '--python-platform', this.pythonPlatform);
    note('targets', '--python-version', this.pythonVersion);
    note('targets', '--platform', this.platform);
    note('targets', '--implementation', this.implementation === undefined ? undefined : [this.implementation]);
    note('targets', '--abi', this.abi);
    note('targets', '--python', this.python === undefined ? undefined : [this.python]);
    note('targets', '--all-platforms', this.allPlatforms);
    note('packages', '--package', this.package);
    note('packages', '--all-packages', this.allPackages);
    note('onlyDeps', '--only-deps', this.onlyDeps);
    note('extras', '--extra', this.extra);
    note('extras', '--all-extras', this.allExtras);
    note('extras', '--no-extra', this.noExtra);
    note('groups', '--group', this.group);
    note('groups', '--no-group', this.noGroup);
    note('groups', '--only-group', this.onlyGroup);
    note('groups', '--all-groups', this.allGroups);
    note('groups', '--dev', this.dev === true);
    note('groups', '--no-dev', this.dev === false);
    note('groups', '--only-dev', this.onlyDev);
    note('groups', '--no-default-groups', this.noDefaultGroups);
    note('indexes', '--index', this.index);
    note('excludeIndexes', '--exclude-index', this.excludeIndex);
    note('excludePackages', '--exclude-package', this.excludePackage);
    note('noEmitPackages', '--no-emit-package', this.noEmitPackage);
    note('noEmitPackages', '--no-emit-project', this.noEmitProject);
    note('noEmitPackages', '--no-emit-workspace', this.noEmitWorkspace);
    note('allowEmpty', '--allow-empty', this.allowEmpty);
    note('noBinary', '--no-binary', this.noBinary);
    note('noBuild', '--no-build', this.noBuild);
    note('sdist', '--sdist', this.sdist);
    note('requiresBuildOnly', '--requires-build-only', this.requiresBuildOnly);
    return given;
  }

  private planOptions(): PlanRequest['plan'] {
    return {
      noBinary: list(this.noBinary),
      noBuild: this.noBuild,
      sdist: this.sdist,
      requiresBuildOnly: this.requiresBuildOnly,
    };
  }
}
