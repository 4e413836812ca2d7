// Types for scripts/command-reference.js, for the test that imports it.
import type { Cli } from 'clipanion';

/** docs/commands.md, rendered from the clipanion definitions of `commands` registered in `cli`. */
export function renderCommandReference(cli: Cli, commands: ReadonlyArray<abstract new () => unknown>): string;
