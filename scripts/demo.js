#!/usr/bin/env node
// `npm run demo`: lockhouse on the example workspace in examples/demo/.
// Collecting is not built yet, so for now the demo shows the plan: what a
// collect would fetch and build for three targets at once, then the same
// plan as JSON for the first package. Everything runs offline.
import { main } from '../dist/cli/main.js';

const lock = new URL('../examples/demo/uv.lock', import.meta.url).pathname;
const targets = [
  '--python-platform', 'x86_64-manylinux_2_28',
  '--python-platform', 'aarch64-apple-darwin',
  '--python-platform', 'x86_64-pc-windows-msvc',
  '--python-version', '3.11',
  '--python-version', '3.12',
];

function say(text) {
  process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n\n`);
}

say(`lockhouse plan --lock examples/demo/uv.lock ${targets.join(' ')}`);
let code = await main(['plan', '--lock', lock, ...targets]);

say('the same, with the cli extra and without the dev group, for Linux only');
code ||= await main(['plan', '--lock', lock, '--python-platform', 'linux', '--python-version', '3.12', '--extra', 'cli', '--no-dev']);

say('a target outside the lock\'s requires-python is refused, as uv does');
const refused = await main(['plan', '--lock', lock, '--python-platform', 'linux', '--python-version', '3.9']);
if (refused !== 2) code ||= 1;

process.stdout.write('\nNext: `lockhouse plan --help`, and docs/ for targets, selection and errors.\n');
process.exitCode = code;
