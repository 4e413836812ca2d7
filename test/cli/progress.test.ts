/** The progress bar: drawn on a terminal only, and out of the way of log lines. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.js';

function terminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  Object.assign(stream, { isTTY: true, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  let out = '';
  stream.on('data', (chunk: Buffer) => (out += chunk.toString()));
  return { stream, text: () => out };
}

describe('progress', () => {
  it('draws files and bytes on a terminal, and lets a log line through', async () => {
    const tty = terminal();
    const progress = createProgress({ enabled: true, stream: tty.stream });
    progress.start(2, 2048);
    progress.bytes(1024);
    progress.file();
    progress.interrupt(() => tty.stream.write('lockhouse warning: something\n'));
    progress.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(tty.text()).toContain('1/2 files');
    expect(tty.text()).toContain('lockhouse warning: something\n');
  });

  it('draws nothing when disabled (not a terminal, --json, -q)', async () => {
    const tty = terminal();
    const progress = createProgress({ enabled: false, stream: tty.stream });
    progress.start(2, 2048);
    progress.file();
    progress.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(tty.text()).toBe('');
  });
});
