import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLockhouseError } from '../../../src/errors.js';
import { chooseFrontend } from '../../../src/io/build/frontend.js';
import type { BuildPython } from '../../../src/io/build/types.js';
import { which } from '../../../src/io/build/which.js';
import { testdir } from '../../helpers/testdir.js';
import { fakeProgram, pathWith, realPython, testEnv } from './helpers.js';

const python = realPython();
const withPython = typeof python === 'string' ? it.skip : it;

const stand = (command: string): BuildPython => ({ command, version: [3, 12, 0], platform: 'linux_x86_64', freeThreaded: false });

describe('chooseFrontend', () => {
  it('takes uv when it is on PATH and answers --version', async () => {
    const bin = testdir();
    fakeProgram(bin, 'uv', 'echo "uv 0.9.2 (5f6e7d8c 2025-10-01)"');
    const frontend = await chooseFrontend(stand('/nonexistent/python3'), testEnv({ PATH: pathWith(bin) }));
    expect(frontend).toEqual({ name: 'uv', description: 'uv 0.9.2 on PATH' });
  });

  withPython('takes what the real python3 has: build, else pip', async () => {
    const real = python as Exclude<typeof python, string>;
    const env = testEnv();
    const expected = (await which('uv', env)) ? 'uv' : real.hasBuild ? 'build' : real.hasPip ? 'pip' : null;
    if (expected === null) {
      console.warn('lockhouse tests: python3 has neither build nor pip, and uv is not on PATH; nothing to choose');
      return;
    }
    const frontend = await chooseFrontend(stand(real.executable), env);
    expect(frontend.name).toBe(expected);
    if (expected !== 'uv') expect(frontend.description).toMatch(new RegExp(`^${expected} \\S+ in ${real.executable}$`));
  });

  withPython('takes the build module where the interpreter has one', async () => {
    const real = python as Exclude<typeof python, string>;
    const modules = testdir({ 'build/__init__.py': '', 'build/__main__.py': 'print("build 1.2.2 (a stand-in)")\n' });
    const frontend = await chooseFrontend(stand(real.executable), testEnv({ PATH: pathWith(testdir()), PYTHONPATH: modules }));
    // uv on this machine's PATH would still come first.
    if (frontend.name !== 'uv') expect(frontend).toEqual({ name: 'build', description: `build 1.2.2 in ${real.executable}` });
  });

  it('says how to get a frontend when there is none', async () => {
    const bin = testdir();
    const broken = fakeProgram(bin, 'python3', 'echo "No module named $2" >&2\nexit 1');
    const error = await chooseFrontend(stand(broken), testEnv({ PATH: bin })).catch((e: unknown) => e);
    expect(isLockhouseError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'BUILD_NO_FRONTEND', exitCode: 1 });
    expect((error as Error).message).toBe(
      `No PEP 517 frontend to build with ${join(bin, 'python3')} (Python 3.12.0): uv is not on PATH, and that interpreter has neither the build module nor pip.`,
    );
    expect((error as { hint: string }).hint).toContain('-m ensurepip');
  });
});
