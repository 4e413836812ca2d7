/** The docs change with the code: every error code has its section in docs/errors.md. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ErrorCodes } from '../src/errors.js';

const errorsDoc = readFileSync(join(import.meta.dirname, '..', 'docs', 'errors.md'), 'utf8');

it.each(Object.keys(ErrorCodes))('docs/errors.md explains %s', (code) => {
  expect(errorsDoc).toMatch(new RegExp(`^### ${code}$`, 'm'));
});
