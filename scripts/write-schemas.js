#!/usr/bin/env node
// Writes schemas/*.schema.json from the zod schemas they are generated from
// (run `npm run build` first; `npm run schemas` does both). A test fails when
// a committed schema is stale.
import { writeFileSync } from 'node:fs';
import { schemaFiles } from '../dist/report/schemas.js';

for (const [path, schema] of Object.entries(schemaFiles())) {
  writeFileSync(new URL(`../${path}`, import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${path}`);
}
