/** The static simple index as strings: PEP 503 HTML, PEP 691 JSON, PEP 658 metadata under PEP 714's names only; sorted and byte-stable. */
import { describe, expect, it } from 'vitest';
import { escapeHtml, fileUrl, renderSimpleIndex, type IndexFile } from '../../src/output/simple-index.js';

const hex = (c: string): string => c.repeat(64);

const file = (filename: string, extra: Partial<IndexFile> = {}): IndexFile => ({
  filename,
  sha256: hex('a'),
  size: 100,
  requiresPython: null,
  metadataSha256: null,
  ...extra,
});

const FILES = '../../files/';
const doc = (files: readonly IndexFile[], path: string): string => {
  const found = renderSimpleIndex(files, { filesUrl: FILES }).documents.find((d) => d.path === path);
  if (!found) throw new Error(`no document ${path}`);
  return found.content;
};

describe('grouping', () => {
  it('groups wheels and sdists by PEP 503-normalized project name, sorted', () => {
    const index = renderSimpleIndex(
      [
        file('zope.interface-6.0-cp312-cp312-manylinux_2_17_x86_64.whl'),
        file('Zope_Interface-5.0.tar.gz'),
        file('a-1.0-py3-none-any.whl'),
        file('zope_interface-6.0.zip'),
      ],
      { filesUrl: FILES },
    );
    expect(index.projects.map((p) => [p.name, p.files.map((f) => f.filename)])).toEqual([
      ['a', ['a-1.0-py3-none-any.whl']],
      ['zope-interface', ['Zope_Interface-5.0.tar.gz', 'zope.interface-6.0-cp312-cp312-manylinux_2_17_x86_64.whl', 'zope_interface-6.0.zip']],
    ]);
    expect(index.projects[1]!.versions).toEqual(['5.0', '6.0']);
    expect(index.documents.map((d) => d.path)).toEqual([
      'simple/a/index.html',
      'simple/a/index.json',
      'simple/index.html',
      'simple/index.json',
      'simple/zope-interface/index.html',
      'simple/zope-interface/index.json',
    ]);
  });

  it('lists each version once, in PEP 440 order, as the first file spells it', () => {
    const index = renderSimpleIndex(
      [file('p-1.10-py3-none-any.whl'), file('p-1.9.tar.gz'), file('p-1.0.0-py3-none-any.whl'), file('p-1.0.tar.gz'), file('p-1.0rc1.tar.gz')],
      { filesUrl: FILES },
    );
    expect(index.projects[0]!.versions).toEqual(['1.0rc1', '1.0.0', '1.9', '1.10']);
  });

  it('leaves out, with the reason, names that are neither a wheel nor an sdist', () => {
    const index = renderSimpleIndex([file('notes.zip'), file('ok-1.0.tar.gz')], { filesUrl: FILES });
    expect(index.projects.map((p) => p.name)).toEqual(['ok']);
    expect(index.rejected).toEqual([{ filename: 'notes.zip', reason: 'The source distribution filename "notes.zip" is invalid: Missing name-version separator' }]);
  });

  it('refuses a digest that is not lower-case hex, and a file listed twice (caller bugs)', () => {
    expect(() => renderSimpleIndex([file('a-1.0.tar.gz', { sha256: 'A'.repeat(64) })], { filesUrl: FILES })).toThrow(/not a lower-case hex sha256/);
    expect(() => renderSimpleIndex([file('a-1.0.tar.gz'), file('a-1.0.tar.gz')], { filesUrl: FILES })).toThrow(/listed twice/);
    expect(() => renderSimpleIndex([], { filesUrl: '../..' })).toThrow(/must end with "\/"/);
  });
});

describe('PEP 503 HTML', () => {
  it('writes a project page with hashes, requires-python and the PEP 714 metadata attribute', () => {
    const html = doc(
      [
        file('demo-1.0-py3-none-any.whl', { sha256: hex('1'), requiresPython: '>=3.8,<4', metadataSha256: hex('2') }),
        file('demo-1.0.tar.gz', { sha256: hex('3') }),
      ],
      'simple/demo/index.html',
    );
    expect(html).toBe(
      [
        '<!DOCTYPE html>',
        '<html>',
        '  <head>',
        '    <meta charset="utf-8">',
        '    <meta name="pypi:repository-version" content="1.1">',
        '    <title>Links for demo</title>',
        '  </head>',
        '  <body>',
        '    <h1>Links for demo</h1>',
        `    <a href="../../files/demo-1.0-py3-none-any.whl#sha256=${hex('1')}" data-requires-python="&gt;=3.8,&lt;4" data-core-metadata="sha256=${hex('2')}">demo-1.0-py3-none-any.whl</a><br>`,
        `    <a href="../../files/demo-1.0.tar.gz#sha256=${hex('3')}">demo-1.0.tar.gz</a><br>`,
        '  </body>',
        '</html>',
        '',
      ].join('\n'),
    );
  });

  it('percent-encodes file names in hrefs and escapes them in text', () => {
    const html = doc([file('torch-2.1.0+cpu-cp312-cp312-linux_x86_64.whl')], 'simple/torch/index.html');
    expect(html).toContain('href="../../files/torch-2.1.0%2Bcpu-cp312-cp312-linux_x86_64.whl#sha256=');
    expect(html).toContain('>torch-2.1.0+cpu-cp312-cp312-linux_x86_64.whl</a>');
    expect(fileUrl('../../', 'a b&c.whl')).toBe('../../a%20b%26c.whl');
  });

  it('escapes every character HTML gives meaning to', () => {
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
    const html = doc([file('x-1.0.tar.gz', { requiresPython: '>=3.8"><script>' })], 'simple/x/index.html');
    expect(html).toContain('data-requires-python="&gt;=3.8&quot;&gt;&lt;script&gt;"');
    expect(html).not.toContain('<script>');
  });

  it('links every project from the root page', () => {
    const html = doc([file('b-1.0.tar.gz'), file('A.B-1.0.tar.gz')], 'simple/index.html');
    expect(html).toContain('<meta name="pypi:repository-version" content="1.1">');
    expect(html).toContain('    <a href="a-b/">a-b</a><br>\n    <a href="b/">b</a><br>\n');
  });
});

describe('PEP 691 JSON', () => {
  it('writes a project document with hashes, metadata (or false), requires-python, size and versions', () => {
    const json = JSON.parse(
      doc(
        [
          file('demo-1.0-py3-none-any.whl', { sha256: hex('1'), size: 10, requiresPython: '>=3.8', metadataSha256: hex('2') }),
          file('demo-1.0.tar.gz', { sha256: hex('3'), size: 20 }),
        ],
        'simple/demo/index.json',
      ),
    );
    expect(json).toEqual({
      meta: { 'api-version': '1.1' },
      name: 'demo',
      files: [
        {
          filename: 'demo-1.0-py3-none-any.whl',
          url: '../../files/demo-1.0-py3-none-any.whl',
          hashes: { sha256: hex('1') },
          'requires-python': '>=3.8',
          'core-metadata': { sha256: hex('2') },
          size: 10,
        },
        {
          filename: 'demo-1.0.tar.gz',
          url: '../../files/demo-1.0.tar.gz',
          hashes: { sha256: hex('3') },
          'core-metadata': false,
          size: 20,
        },
      ],
      versions: ['1.0'],
    });
  });

  it('writes the root document', () => {
    expect(JSON.parse(doc([file('b-1.0.tar.gz'), file('a-1.0.tar.gz')], 'simple/index.json'))).toEqual({
      meta: { 'api-version': '1.1' },
      projects: [{ name: 'a' }, { name: 'b' }],
    });
  });
});

describe('PEP 714: the legacy metadata names are never written', () => {
  // pip 22.3 to 23.1 (Debian 12's 23.0.1) read only the legacy names, and they break them:
  // the JSON key's object crashes them (pip issue 12042), the HTML attribute makes them check
  // the metadata's Name against the requirement's spelling. test/cli/index-pip-versions.test.ts runs those pips.
  it('writes neither data-dist-info-metadata nor dist-info-metadata, for wheels with metadata or without, or sdists', () => {
    const files = [
      file('Pygments-2.0-py3-none-any.whl', { metadataSha256: hex('2') }),
      file('pygments-1.0-py3-none-any.whl'),
      file('pygments-2.0.tar.gz'),
    ];
    const index = renderSimpleIndex(files, { filesUrl: FILES });
    for (const document of index.documents) expect(document.content, document.path).not.toContain('dist-info-metadata');
    const html = doc(files, 'simple/pygments/index.html');
    expect(html.match(/data-core-metadata="[^"]*"/g)).toEqual([`data-core-metadata="sha256=${hex('2')}"`]);
    const json = JSON.parse(doc(files, 'simple/pygments/index.json')) as { files: Array<Record<string, unknown>> };
    expect(json.files.map((entry) => [entry['filename'], entry['core-metadata']])).toEqual([
      ['Pygments-2.0-py3-none-any.whl', { sha256: hex('2') }],
      ['pygments-1.0-py3-none-any.whl', false],
      ['pygments-2.0.tar.gz', false],
    ]);
  });
});

describe('determinism', () => {
  it('gives the same bytes whatever the order of its input', () => {
    const files = [
      file('b-2.0-py3-none-any.whl', { metadataSha256: hex('4') }),
      file('a-1.0.tar.gz'),
      file('b-1.0.tar.gz', { requiresPython: '>=3' }),
      file('B-1.5.zip'),
    ];
    const one = renderSimpleIndex(files, { filesUrl: '../../' });
    const two = renderSimpleIndex([...files].reverse(), { filesUrl: '../../' });
    expect(two).toEqual(one);
    expect(JSON.stringify(two.documents)).toBe(JSON.stringify(one.documents));
  });

  it('writes no timestamps', () => {
    const index = renderSimpleIndex([file('a-1.0.tar.gz')], { filesUrl: FILES });
    for (const document of index.documents) expect(document.content).not.toMatch(/upload-time|\b20[0-9]{2}-[0-9]{2}-[0-9]{2}/);
  });
});
