/**
 * The hashing threads: the same digests and the same refusals (error
 * codes) as the in-thread reader, the same with no thread at all
 * (LOCKHOUSE_HASH_THREADS=0), many files at once; and a process that
 * neither exits before a worker answers nor waits on an idle one.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashFile } from '../../../src/io/store/hash-file.js';
import { closeHashPool, hashFileInWorker, hashThreads } from '../../../src/io/store/hash-pool.js';
import { compileStore, exited, firstLine, randomData, runScript, sha, tempdir } from './helpers.js';

afterEach(async () => {
  delete process.env['LOCKHOUSE_HASH_THREADS'];
  await closeHashPool();
});

describe('hash pool', () => {
  it('uses one thread per core (at most 4; none on one core), or LOCKHOUSE_HASH_THREADS', () => {
    expect(hashThreads({ LOCKHOUSE_HASH_THREADS: '0' })).toBe(0);
    expect(hashThreads({ LOCKHOUSE_HASH_THREADS: '3' })).toBe(3);
    expect(hashThreads({ LOCKHOUSE_HASH_THREADS: '99' })).toBe(16);
    const auto = hashThreads({});
    expect(auto).toBeGreaterThanOrEqual(0);
    expect(auto).toBeLessThanOrEqual(4);
    expect(hashThreads({ LOCKHOUSE_HASH_THREADS: 'many' })).toBe(auto);
  });

  for (const threads of ['2', '0']) {
    describe(`with LOCKHOUSE_HASH_THREADS=${threads}`, () => {
      it('many files at once each get their own digests', async () => {
        process.env['LOCKHOUSE_HASH_THREADS'] = threads;
        const dir = tempdir();
        const datas = Array.from({ length: 12 }, (_, i) => randomData(100_000 + i * 250_000));
        datas.forEach((data, i) => writeFileSync(join(dir, `f${i}`), data));
        const results = await Promise.all(datas.map((_, i) => hashFile(join(dir, `f${i}`), 'sha256')));
        expect(results).toEqual(datas.map((data) => ({ sha256: sha('sha256', data), digest: sha('sha256', data), size: data.length })));
      });

      it('hashFile gives the same digests and the same refusals (ELOOP, ENOTREG, ENOENT)', async () => {
        process.env['LOCKHOUSE_HASH_THREADS'] = threads;
        const dir = tempdir();
        const data = randomData(2_500_000);
        writeFileSync(join(dir, 'f'), data);
        symlinkSync(join(dir, 'f'), join(dir, 'link'));
        mkdirSync(join(dir, 'd'));
        execFileSync('mkfifo', [join(dir, 'fifo')]);
        expect(await hashFile(join(dir, 'f'), 'sha384')).toEqual({ sha256: sha('sha256', data), digest: sha('sha384', data), size: data.length });
        expect((await hashFile(join(dir, 'link'), 'sha256')).sha256).toBe(sha('sha256', data));
        await expect(hashFile(join(dir, 'link'), 'sha256', { noFollow: true })).rejects.toMatchObject({ code: 'ELOOP' });
        await expect(hashFile(join(dir, 'd'), 'sha256')).rejects.toMatchObject({ code: expect.stringMatching(/^(ENOTREG|EISDIR)$/) });
        await expect(hashFile(join(dir, 'fifo'), 'sha256')).rejects.toMatchObject({ code: 'ENOTREG' });
        await expect(hashFile(join(dir, 'nope'), 'sha256')).rejects.toMatchObject({ code: 'ENOENT' });
        // …and it was the worker that answered, or none was asked.
        expect((await hashFileInWorker(join(dir, 'f'), 'sha256', true)) !== null).toBe(threads !== '0');
      });
    });
  }

  it('a worker answers in a process run as an ES module (--input-type=module) and as CommonJS (node -e): no fallback needed', () => {
    const dir = tempdir();
    const store = compileStore(join(dir, 'compiled'));
    const data = randomData(300_000);
    writeFileSync(join(dir, 'f'), data);
    const call = `import(${JSON.stringify(`file://${join(store, 'hash-pool.js')}`)}).then(({ hashFileInWorker }) => hashFileInWorker(${JSON.stringify(join(dir, 'f'))}, 'sha256', true)).then((r) => console.log(JSON.stringify(r)))`;
    for (const args of [['--input-type=module', '-e', call], ['-e', call]]) {
      const ran = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, LOCKHOUSE_HASH_THREADS: '2' }, timeout: 30_000 });
      expect(ran.status, `${args.join(' ')}: ${ran.stderr}`).toBe(0);
      expect(JSON.parse(ran.stdout), args[0]).toEqual({ sha256: sha('sha256', data), digest: sha('sha256', data), size: data.length });
    }
  });

  it('a process waits for the hashing thread, then exits without being told to', async () => {
    const dir = tempdir();
    const store = compileStore(join(dir, 'compiled'));
    const data = randomData(3_000_000);
    writeFileSync(join(dir, 'f'), data);
    writeFileSync(join(dir, 'small'), 'abc');
    const child = runScript(
      dir,
      'hash.mjs',
      [
        `import { hashFile } from ${JSON.stringify(join(store, 'hash-file.js'))};`,
        // Four threads: some start, work, and sit idle while the others finish.
        `process.env.LOCKHOUSE_HASH_THREADS = '4';`,
        `const small = hashFile(${JSON.stringify(join(dir, 'small'))}, 'sha256');`,
        `const files = Promise.all(Array.from({ length: 6 }, () => hashFile(${JSON.stringify(join(dir, 'f'))}, 'sha256')));`,
        `small.then((r) => files.then((f) => console.log(r.sha256 + ' ' + [...new Set(f.map((x) => x.sha256))].join(' '))));`,
      ].join('\n'),
    );
    child.stdout!.setEncoding('utf8');
    const line = await firstLine(child);
    expect(line).toBe(`${sha('sha256', Buffer.from('abc'))} ${sha('sha256', data)}`);
    expect(await exited(child)).toBe(0);
  });
});
