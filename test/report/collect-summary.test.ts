/**
 * The failure list of a collect (src/report/collect-summary.ts), as people
 * read it: one line per cause for a host that fails every file, each line
 * naming package, version and file, no URL said twice, no empty names.
 */
import { describe, expect, it } from 'vitest';
import { failureLines } from '../../src/report/collect-summary.js';
import type { ManifestFailure } from '../../src/output/manifest.js';

const dns = (i: number): ManifestFailure => ({
  code: 'FETCH_NETWORK',
  package: `pkg${i}`,
  version: '1.0',
  filename: `pkg${i}-1.0-py3-none-any.whl`,
  target: null,
  url: `https://files.pythonhosted.org/packages/pkg${i}-1.0-py3-none-any.whl`,
  reason: `GET https://files.pythonhosted.org/packages/pkg${i}-1.0-py3-none-any.whl: getaddrinfo ENOTFOUND files.pythonhosted.org (the host name does not resolve)`,
});

describe('the failure list', () => {
  it('a DNS failure for one host is one line with the count and the way out; -v lists the files', () => {
    const failures = Array.from({ length: 57 }, (_, i) => dns(i));
    const lines = failureLines(failures, false);
    expect(lines[0]).toBe('Failed (57):');
    expect(lines[1]).toBe('  files.pythonhosted.org: 57 files: [FETCH_NETWORK] getaddrinfo ENOTFOUND files.pythonhosted.org (the host name does not resolve)');
    expect(lines[2]).toBe('    hint: files.pythonhosted.org cannot be resolved — offline? use --mirror FROM=TO or --find-links DIR (or --offline with the cache)');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(/^    \(pkg0 1\.0 pkg0-1\.0-py3-none-any\.whl, .*; -v lists them all\)$/);
    expect(failureLines(failures, true)).toHaveLength(3 + 57);
  });

  it('names package, version and file; never repeats the URL the reason already has; no empty name', () => {
    const lines = failureLines(
      [
        { ...dns(1), code: 'FETCH_HTTP_STATUS', reason: 'GET https://files.pythonhosted.org/packages/pkg1-1.0-py3-none-any.whl: Not Found - 404' },
        { code: 'INTEGRITY_MISMATCH', package: 'pkg2', version: '2.0', filename: 'pkg2-2.0.tar.gz', target: null, url: 'https://example.org/pkg2-2.0.tar.gz', reason: 'hash mismatch: expected …' },
        { code: 'EMIT_INCOMPLETE', package: null, version: null, filename: null, target: null, url: null, reason: '--emit-pylock x not written' },
      ],
      false,
    );
    expect(lines).toEqual([
      'Failed (3):',
      '  pkg1 1.0 pkg1-1.0-py3-none-any.whl: [FETCH_HTTP_STATUS] GET https://files.pythonhosted.org/packages/pkg1-1.0-py3-none-any.whl: Not Found - 404',
      '  pkg2 2.0 pkg2-2.0.tar.gz: [INTEGRITY_MISMATCH] hash mismatch: expected … (https://example.org/pkg2-2.0.tar.gz)',
      '  [EMIT_INCOMPLETE] --emit-pylock x not written',
    ]);
  });
});
