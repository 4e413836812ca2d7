/**
 * lockhouse's own version, from package.json: what a library caller passes as
 * `version` to collect and bundle (the manifest's `generator`). The command
 * line reads its own copy (cli/version.ts), so that `lockhouse --version`
 * loads nothing outside src/cli/ (test/cli/startup.test.ts).
 */
import { createRequire } from 'node:module';

export const version = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
