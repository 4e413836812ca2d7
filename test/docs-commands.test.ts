/**
 * The command reference changes with the commands: docs/commands.md is what
 * scripts/command-reference.js renders from the clipanion definitions, and
 * every command's `--help` has a description, details and two or three
 * examples whose lockhouse command lines parse.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCommandReference } from '../scripts/command-reference.js';
import { commands, createCli } from '../src/cli/main.js';

const docPath = join(import.meta.dirname, '..', 'docs', 'commands.md');

it('docs/commands.md is the reference the commands render (else run npm run docs:commands)', () => {
  const rendered = renderCommandReference(createCli(), commands);
  // Compared as text with a message, not with toEqual: the diff of a stale line is what helps.
  expect(readFileSync(docPath, 'utf8'), 'docs/commands.md is stale: run npm run docs:commands').toBe(rendered);
});

describe.each(commands.map((command) => [command.paths[0]!.join(' '), command] as const))('lockhouse %s --help', (name, command) => {
  const usage = command.usage!;

  it('has a description and details', () => {
    expect(usage.description?.trim()).toBeTruthy();
    expect(usage.details?.trim().length).toBeGreaterThan(100);
  });

  it('has two or three examples, and each lockhouse example parses', () => {
    const examples = usage.examples ?? [];
    expect(examples.length).toBeGreaterThanOrEqual(2);
    expect(examples.length).toBeLessThanOrEqual(3);
    for (const [label, line] of examples) {
      expect(label.trim()).toBeTruthy();
      // An example may chain commands with &&; each lockhouse one must be one the parser takes.
      for (const part of line.split('&&').map((text) => text.trim())) {
        if (!part.startsWith('lockhouse ')) continue;
        const argv = part.replace(/\s*>.*$/, '').split(/\s+/).slice(1);
        expect(() => createCli().process(argv), part).not.toThrow();
      }
    }
  });

  it('is in docs/commands.md', () => {
    expect(readFileSync(docPath, 'utf8')).toContain(`## \`lockhouse ${name}\``);
  });
});
