/**
 * CycloneDX documents in tests: validated against the CycloneDX 1.6 JSON
 * schema that @cyclonedx/cyclonedx-library ships (its res/schema folder,
 * read from disk: no network), with ajv, as the library's own strict
 * validator does; and read back into the shapes the SBOM tests look at.
 */
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';

const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

/** null when `text` is a valid CycloneDX 1.6 JSON document; else ajv's errors. */
export async function cyclonedxErrors(text: string): Promise<unknown> {
  return await validator.validate(text);
}

export interface CdxHash {
  readonly alg: string;
  readonly content: string;
}

export interface CdxProperty {
  readonly name: string;
  readonly value: string;
}

export interface CdxComponent {
  readonly type: string;
  readonly name: string;
  readonly version?: string;
  readonly 'bom-ref'?: string;
  readonly purl?: string;
  readonly hashes?: readonly CdxHash[];
  readonly externalReferences?: ReadonlyArray<{ readonly type: string; readonly url: string }>;
  readonly properties?: readonly CdxProperty[];
  readonly components?: readonly CdxComponent[];
  readonly pedigree?: { readonly ancestors?: readonly CdxComponent[] };
}

export interface CdxDocument {
  readonly bomFormat: string;
  readonly specVersion: string;
  readonly serialNumber: string;
  readonly version: number;
  readonly metadata: {
    readonly timestamp?: string;
    readonly tools: { readonly components: readonly CdxComponent[] };
    readonly component: CdxComponent;
    readonly properties?: readonly CdxProperty[];
  };
  readonly components: readonly CdxComponent[];
  readonly dependencies: ReadonlyArray<{ readonly ref: string; readonly dependsOn?: readonly string[] }>;
}

export const parseCdx = (text: string): CdxDocument => JSON.parse(text) as CdxDocument;

/** The values of the properties of this name. */
export const propertyValues = (component: { readonly properties?: readonly CdxProperty[] }, name: string): string[] =>
  (component.properties ?? []).filter((property) => property.name === name).map((property) => property.value);

/** A component's hash of this algorithm, or undefined. */
export const hashOf = (component: CdxComponent, alg: string): string | undefined => component.hashes?.find((hash) => hash.alg === alg)?.content;

/** bom-ref → what it depends on. */
export const dependsOnOf = (document: CdxDocument): Map<string, readonly string[]> =>
  new Map(document.dependencies.map((dependency) => [dependency.ref, dependency.dependsOn ?? []]));
