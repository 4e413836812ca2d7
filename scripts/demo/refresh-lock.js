#!/usr/bin/env node
// Developers: after changing examples/demo/uv.lock (or the synthesizer),
// set its hashes and sizes to those of the synthesized files:
//   node scripts/demo/refresh-lock.js
import { readFileSync, writeFileSync } from 'node:fs';
import { synthesize, withHashes } from './synthesize.js';

const path = new URL('../../examples/demo/uv.lock', import.meta.url);
const text = readFileSync(path, 'utf8');
const updated = withHashes(text, await synthesize(text));
writeFileSync(path, updated);
console.log(updated === text ? 'examples/demo/uv.lock is current' : 'examples/demo/uv.lock: hashes and sizes updated');
