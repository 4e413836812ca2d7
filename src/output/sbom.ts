/**
 * The SBOM (docs/sbom.md): CycloneDX 1.6 JSON of the exact files a
 * collection holds, written by the official CycloneDX library
 * (@cyclonedx/cyclonedx-library, the one module that imports it, with
 * packageurl-js for the purls) from the facts of output/sbom-facts.ts.
 * Pure: the library is used as a serializer, nothing is read or written.
 *
 * Deterministic, so one collection gives the same bytes wherever it is
 * rendered: the library's own sorting is off (it sorts with localeCompare,
 * which differs between locales) and everything is added in lockhouse's
 * one text order (compare.ts); there is no timestamp; the serial number is
 * a UUID (version 5) named by the sha256 of the document without it.
 *
 * One thing the library's model cannot say (10.x has no Component
 * pedigree): a built wheel's `pedigree.ancestors`, the sdist, git commit or
 * local project it was built from. `withPedigrees` adds it after the
 * library has serialized, to the JSON object, and nothing else is added
 * there; the ancestor itself is still written by the library's component
 * normalizer.
 */
import { createHash } from 'node:crypto';
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import { PackageURL } from 'packageurl-js';
import type { SbomAncestor, SbomFacts, SbomFile, SbomHash, SbomProject, SbomProperty, SbomPurl, SbomReference } from './sbom-facts.js';

export const SBOM_SPEC_VERSION = '1.6';

/** Who wrote the SBOM: metadata.tools. */
export interface SbomTool {
  readonly name: string;
  readonly version: string;
}

/** The namespace of lockhouse's serial numbers (UUID v5: SHA-1 of this and the name). */
const SERIAL_NAMESPACE = 'b7d3c1c2-6f0e-4c1a-9a5e-2f6d1c8e4a10';

const factory = new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6);
const serializer = new Serialize.JsonSerializer(factory);
/** The library's sorting is off: its localeCompare order is not the same on every machine; the facts come sorted. */
const NORMALIZE = { sortLists: false } as const;

export function renderSbom(facts: SbomFacts, tool: SbomTool): string {
  const draft = serialized(facts, tool, undefined);
  const serial = serialNumber(createHash('sha256').update(JSON.stringify(draft)).digest('hex'));
  return `${JSON.stringify(serialized(facts, tool, serial), null, 2)}\n`;
}

/** The document as the library serializes it, with the pedigrees added. */
function serialized(facts: SbomFacts, tool: SbomTool, serial: string | undefined): Record<string, unknown> {
  const bom = new Models.Bom({ version: 1, ...(serial ? { serialNumber: serial } : {}) });
  bom.metadata.tools.components.add(new Models.Component(Enums.ComponentType.Application, tool.name, { version: tool.version }));
  for (const [name, value] of facts.properties) bom.metadata.properties.add(new Models.Property(name, value));

  const refs = new Map<string, Models.BomRef>();
  const root = projectComponent(facts.root);
  for (const member of facts.members) root.components.add(projectComponent(member));
  bom.metadata.component = root;
  const components = facts.files.map((file) => fileComponent(file));
  for (const component of components) bom.components.add(component);
  for (const component of [root, ...root.components, ...components]) refs.set(component.bomRef.value!, component.bomRef);

  // Dependencies by bom-ref: the library writes the graph from each component's own list.
  const link = (component: Models.Component, dependsOn: readonly string[]): void => {
    for (const ref of dependsOn) {
      const target = refs.get(ref);
      if (target) component.dependencies.add(target);
    }
  };
  link(root, facts.root.dependsOn);
  [...root.components].forEach((component, i) => link(component, facts.members[i]!.dependsOn));
  components.forEach((component, i) => link(component, facts.files[i]!.dependsOn));

  const json = JSON.parse(serializer.serialize(bom, NORMALIZE)) as Record<string, unknown>;
  return withPedigrees(json, facts.files);
}

/**
 * The one addition to what the library writes: `pedigree.ancestors` of
 * each built wheel (CycloneDX 1.6 `component.pedigree`), which the
 * library's Component model lacks. The ancestor component is normalized
 * by the library; only the placement is lockhouse's.
 */
function withPedigrees(json: Record<string, unknown>, files: readonly SbomFile[]): Record<string, unknown> {
  const ancestors = new Map(files.flatMap((file) => (file.ancestor ? [[file.ref, file.ancestor] as const] : [])));
  if (ancestors.size === 0) return json;
  const normalizer = factory.makeForComponent();
  const components = (json['components'] ?? []) as Array<Record<string, unknown>>;
  for (const component of components) {
    const ancestor = ancestors.get(component['bom-ref'] as string);
    if (!ancestor) continue;
    // Through JSON, as the library's own serializer does: its normalizer leaves undefined fields that stringify drops.
    const normalized = JSON.parse(JSON.stringify(normalizer.normalize(ancestorComponent(ancestor), NORMALIZE))) as unknown;
    component['pedigree'] = { ancestors: [normalized] };
  }
  return json;
}

function projectComponent(project: SbomProject): Models.Component {
  const component = new Models.Component(Enums.ComponentType.Application, project.name, {
    bomRef: project.ref,
    ...(project.version ? { version: project.version } : {}),
  });
  addHashes(component, project.hashes);
  addProperties(component, project.properties);
  return component;
}

function fileComponent(file: SbomFile): Models.Component {
  const component = new Models.Component(Enums.ComponentType.Library, file.name, {
    bomRef: file.ref,
    ...(file.version ? { version: file.version } : {}),
    purl: purlOf(file.purl),
  });
  addHashes(component, file.hashes);
  addReferences(component, file.references);
  addProperties(component, file.properties);
  return component;
}

function ancestorComponent(ancestor: SbomAncestor): Models.Component {
  const component = new Models.Component(Enums.ComponentType.Library, ancestor.name, {
    ...(ancestor.version ? { version: ancestor.version } : {}),
    purl: purlOf(ancestor.purl),
  });
  addHashes(component, ancestor.hashes);
  addReferences(component, ancestor.references);
  addProperties(component, ancestor.properties);
  return component;
}

/** `pkg:pypi/<normalized name>@<version>?<qualifiers>`, encoded as purl-spec says (packageurl-js sorts the qualifiers). */
function purlOf(purl: SbomPurl): string {
  const qualifiers = Object.keys(purl.qualifiers).length ? { ...purl.qualifiers } : undefined;
  return new PackageURL('pypi', undefined, purl.name, purl.version ?? undefined, qualifiers, undefined).toString();
}

const HASH: Readonly<Record<SbomHash['alg'], Enums.HashAlgorithm>> = {
  MD5: Enums.HashAlgorithm.MD5,
  'SHA-1': Enums.HashAlgorithm['SHA-1'],
  'SHA-256': Enums.HashAlgorithm['SHA-256'],
  'SHA-384': Enums.HashAlgorithm['SHA-384'],
  'SHA-512': Enums.HashAlgorithm['SHA-512'],
  'SHA3-256': Enums.HashAlgorithm['SHA3-256'],
  'SHA3-384': Enums.HashAlgorithm['SHA3-384'],
  'SHA3-512': Enums.HashAlgorithm['SHA3-512'],
  'BLAKE2b-512': Enums.HashAlgorithm['BLAKE2b-512'],
};

const REFERENCE: Readonly<Record<SbomReference['type'], Enums.ExternalReferenceType>> = {
  distribution: Enums.ExternalReferenceType.Distribution,
  'source-distribution': Enums.ExternalReferenceType.SourceDistribution,
  vcs: Enums.ExternalReferenceType.VCS,
};

function addHashes(component: Models.Component, hashes: readonly SbomHash[]): void {
  for (const hash of hashes) component.hashes.set(HASH[hash.alg], hash.content);
}

function addReferences(component: Models.Component, references: readonly SbomReference[]): void {
  for (const reference of references) component.externalReferences.add(new Models.ExternalReference(reference.url, REFERENCE[reference.type]));
}

function addProperties(component: Models.Component, properties: readonly SbomProperty[]): void {
  for (const [name, value] of properties) component.properties.add(new Models.Property(name, value));
}

/** `urn:uuid:` of a UUID version 5 named by `name` in lockhouse's namespace (RFC 9562 §5.5). */
export function serialNumber(name: string): string {
  const namespace = Buffer.from(SERIAL_NAMESPACE.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(namespace).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `urn:uuid:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
