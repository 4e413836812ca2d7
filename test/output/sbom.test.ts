/**
 * The CycloneDX document the library writes from the SBOM's facts
 * (output/sbom.ts): valid CycloneDX 1.6, in the facts' order (never the
 * library's locale-dependent sort), the pedigree added where the library's
 * model has none, and a serial number that is a function of the content.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SbomFacts, SbomFile } from '../../src/output/sbom-facts.js';
import { renderSbom, serialNumber } from '../../src/output/sbom.js';
import { cyclonedxErrors, parseCdx } from '../helpers/cyclonedx.js';

const TOOL = { name: 'lockhouse', version: '9.9.9' };

const file = (ref: string, extra: Partial<SbomFile> = {}): SbomFile => ({
  ref,
  name: ref.split('-')[0]!,
  version: '1.0',
  purl: { name: ref.split('-')[0]!, version: '1.0', qualifiers: { file_name: ref } },
  hashes: [{ alg: 'SHA-256', content: createHash('sha256').update(ref).digest('hex') }],
  references: [{ type: 'distribution', url: `https://files.example.org/${ref}` }],
  properties: [['lockhouse:kind', 'wheel'], ['lockhouse:target', 'x86_64-manylinux_2_28-cp312']],
  ancestor: null,
  dependsOn: [],
  ...extra,
});

// Upper case sorts before lower case in lockhouse's order (compare.ts); a locale would put it after.
const facts: SbomFacts = {
  root: { ref: 'member:app', name: 'app', version: '0.1.0', hashes: [], properties: [['lockhouse:source', 'virtual .']], dependsOn: ['Zeta-1.0-py3-none-any.whl', 'alpha-1.0-py3-none-any.whl'] },
  members: [{ ref: 'member:lib', name: 'lib', version: null, hashes: [], properties: [], dependsOn: ['alpha-1.0-py3-none-any.whl'] }],
  files: [
    file('Zeta-1.0-py3-none-any.whl', {
      properties: [['lockhouse:kind', 'built-wheel']],
      references: [],
      ancestor: {
        name: 'Zeta',
        version: '1.0',
        purl: { name: 'Zeta', version: '1.0', qualifiers: { file_name: 'zeta-1.0.tar.gz', repository_url: 'https://nexus.example/simple' } },
        hashes: [{ alg: 'SHA-256', content: 'a'.repeat(64) }],
        references: [{ type: 'source-distribution', url: 'https://nexus.example/files/zeta-1.0.tar.gz' }],
        properties: [['lockhouse:kind', 'sdist']],
      },
      dependsOn: ['alpha-1.0-py3-none-any.whl'],
    }),
    file('alpha-1.0-py3-none-any.whl'),
  ],
  properties: [['lockhouse:lock', 'uv.lock']],
};

describe('renderSbom', () => {
  const text = renderSbom(facts, TOOL);
  const document = parseCdx(text);

  it('is valid CycloneDX 1.6, pedigree included', async () => {
    expect(await cyclonedxErrors(text)).toBeNull();
    expect(document.specVersion).toBe('1.6');
  });

  it("keeps the facts' order everywhere: components, dependencies, dependsOn", () => {
    expect(document.components.map((c) => c['bom-ref'])).toEqual(['Zeta-1.0-py3-none-any.whl', 'alpha-1.0-py3-none-any.whl']);
    expect(document.dependencies.map((d) => d.ref)).toEqual(['member:app', 'member:lib', 'Zeta-1.0-py3-none-any.whl', 'alpha-1.0-py3-none-any.whl']);
    expect(document.dependencies[0]!.dependsOn).toEqual(['Zeta-1.0-py3-none-any.whl', 'alpha-1.0-py3-none-any.whl']);
  });

  it('puts the pedigree on the built wheel only; its ancestor is written by the library (purl encoded, no bom-ref)', () => {
    const [zeta, alpha] = document.components;
    expect(zeta!.pedigree).toEqual({
      ancestors: [
        {
          type: 'library',
          name: 'Zeta',
          version: '1.0',
          hashes: [{ alg: 'SHA-256', content: 'a'.repeat(64) }],
          purl: 'pkg:pypi/zeta@1.0?file_name=zeta-1.0.tar.gz&repository_url=https%3A%2F%2Fnexus.example%2Fsimple',
          externalReferences: [{ url: 'https://nexus.example/files/zeta-1.0.tar.gz', type: 'source-distribution' }],
          properties: [{ name: 'lockhouse:kind', value: 'sdist' }],
        },
      ],
    });
    expect(alpha!.pedigree).toBeUndefined();
  });

  it('names lockhouse as the tool, with no timestamp', () => {
    expect(document.metadata.tools.components).toEqual([{ type: 'application', name: 'lockhouse', version: '9.9.9' }]);
    expect(text).not.toContain('timestamp');
  });

  it('its serial number is a version-5 UUID named by the sha256 of the document without it', () => {
    const { serialNumber: serial, ...rest } = JSON.parse(text) as Record<string, unknown>;
    expect(serial).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(serial).toBe(serialNumber(createHash('sha256').update(JSON.stringify(rest)).digest('hex')));
  });

  it('the same facts give the same bytes; any change, another serial number', () => {
    expect(renderSbom(facts, TOOL)).toBe(text);
    const changed = parseCdx(renderSbom({ ...facts, files: [facts.files[0]!, file('alpha-1.0-py3-none-any.whl', { version: '1.1' })] }, TOOL));
    expect(changed.serialNumber).not.toBe(document.serialNumber);
  });
});
