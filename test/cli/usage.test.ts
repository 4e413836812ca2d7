/**
 * Mistakes on the command line, answered as uv answers them: what was
 * wrong, the nearest thing that exists, a one-line usage, where to read
 * more — on stderr, exit 2; -V/--version/version and help [COMMAND]; colour
 * on a terminal only (NO_COLOR off, FORCE_COLOR on).
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { PYTHON } from '../helpers/python.js';
import { runInTerminal } from '../helpers/terminal.js';
import { spawnSync } from 'node:child_process';

const noPty = spawnSync(PYTHON, ['-c', 'import pty'], { encoding: 'utf8' }).status === 0 ? null : `${PYTHON} has no pty module`;
const ESC = '\u001b[';

describe('a mistake on the command line', () => {
  it.each([
    [['collect', '--no-devv'], "error: unexpected argument '--no-devv' found", "tip: a similar argument exists: '--no-dev'", 'Usage: lockhouse collect [OPTIONS]'],
    [['plan', '--python-versoin', '3.12'], "error: unexpected argument '--python-versoin' found", "tip: a similar argument exists: '--python-version'", 'Usage: lockhouse plan [OPTIONS]'],
    [['colect'], "error: unrecognized subcommand 'colect'", "tip: a similar subcommand exists: 'collect'", 'Usage: lockhouse <COMMAND>'],
    [['collect', '--lock'], "error: a value is required for '--lock <LOCK>' but none was supplied", null, 'Usage: lockhouse collect [OPTIONS]'],
    [['bundle'], 'error: the following required arguments were not provided:\n  --output <OUTPUT>', null, 'Usage: lockhouse bundle [OPTIONS]'],
    [['index'], 'error: the following required arguments were not provided:\n  <DIR>', null, 'Usage: lockhouse index [OPTIONS] <DIR>'],
    [['merge', '-o', 'out'], 'error: the following required arguments were not provided:\n  <PART>', null, 'Usage: lockhouse merge [OPTIONS] <PART>...'],
    [['plan', 'extra-arg'], "error: unexpected argument 'extra-arg' found", null, 'Usage: lockhouse plan [OPTIONS]'],
    [['-v'], "error: unexpected argument '-v' found", 'tip: options go after the command: lockhouse <COMMAND> -v', 'Usage: lockhouse <COMMAND>'],
  ])('%j', async (args, message, tip, usage) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.startsWith(`${message}\n`)).toBe(true);
    if (tip) expect(run.stderr).toContain(`  ${tip}\n`);
    expect(run.stderr).toContain(`\n${usage}\n`);
    expect(run.stderr.trimEnd().endsWith("For more information, try '--help'.")).toBe(true);
    // Short: never the synopsis of every option, never clipanion's placeholders.
    expect(run.stderr.split('\n').length).toBeLessThan(10);
    expect(run.stderr).not.toContain('#0');
  });

  it('-V, --version and `version` print the version; -v stays verbose on every command', async () => {
    for (const args of [['-V'], ['--version'], ['version']]) {
      const run = await runCli(args);
      expect([run.code, run.stdout]).toEqual([0, expect.stringMatching(/^lockhouse \d+\.\d+\.\d+\n$/)]);
    }
    expect((await runCli(['plan', '-V'])).stderr).toContain("unexpected argument '-V'");
  });

  it('`help COMMAND` is the command’s --help; `lockhouse --help` lists the commands, one line each', async () => {
    const help = await runCli(['help', 'plan']);
    expect(help.code).toBe(0);
    // uv's placeholders, aligned: `--lock <LOCK>`, never clipanion's `--lock #0`.
    expect(help.stdout).not.toContain('#0');
    expect(help.stdout).toMatch(/^ {2}--lock <LOCK> +The lock to read/m);
    const column = (name: string): number => help.stdout.split('\n').find((line) => line.startsWith(`  ${name}`))!.slice(2).search(/ {2}\S/) + 2;
    expect(column('--lock <LOCK>')).toBeGreaterThan('  --lock <LOCK>'.length);
    expect(column('--lock <LOCK>')).toBe(column('-v,--verbose'));
    expect(help.stdout).toBe((await runCli(['plan', '--help'])).stdout);
    const overview = await runCli(['--help']);
    expect(overview.code).toBe(0);
    for (const command of ['collect', 'bundle', 'plan', 'verify', 'index', 'help']) expect(overview.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    expect(overview.stdout.split('\n').every((line) => line.length < 200)).toBe(true);
    const bare = await runCli([]);
    expect([bare.code, bare.stdout]).toEqual([2, overview.stdout]);
  });
});

describe.skipIf(noPty !== null)(`colour, in a real terminal${noPty ? ` (skipped: ${noPty})` : ''}`, () => {
  it('a terminal gets error:, tip: and hint: in colour; NO_COLOR and a pipe get none; FORCE_COLOR forces it', async () => {
    const coloured = await runInTerminal(['colect'], { ...process.env, NO_COLOR: '', FORCE_COLOR: '' });
    expect(coloured.code).toBe(2);
    expect(coloured.screen).toContain(`${ESC}1;31merror:${ESC}0m unrecognized subcommand 'colect'`);
    expect(coloured.screen).toContain(`${ESC}1;36mtip:${ESC}0m`);

    const plain = await runInTerminal(['colect'], { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' });
    expect(plain.screen).toContain("error: unrecognized subcommand 'colect'");
    expect(plain.screen).not.toContain(ESC);

    const locked = await runInTerminal(['plan', '--lock', '/nonexistent/uv.lock'], { ...process.env, NO_COLOR: '', FORCE_COLOR: '' });
    expect(locked.screen).toContain(`${ESC}1;31merror[LOCK_NOT_FOUND]:${ESC}0m`);
    expect(locked.screen).toContain(`${ESC}1;36mhint:${ESC}0m`);
  });

  it('FORCE_COLOR colours a pipe', async () => {
    const { main } = await import('../../src/cli/main.js');
    const { PassThrough } = await import('node:stream');
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const saved = process.env['FORCE_COLOR'];
    process.env['FORCE_COLOR'] = '1';
    try {
      expect(await main(['colect'], { stdout: new PassThrough(), stderr })).toBe(2);
    } finally {
      if (saved === undefined) delete process.env['FORCE_COLOR'];
      else process.env['FORCE_COLOR'] = saved;
    }
    expect(text).toContain(`${ESC}1;31merror:`);
  });
});
