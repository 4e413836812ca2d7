/** Types of synthesize.js, for the tests that import it. */
export interface DemoFile {
  readonly filename: string;
  readonly url: string;
  readonly bytes: Buffer;
  readonly sha256: string;
}
export function synthesize(lockText: string): Promise<DemoFile[]>;
export function withHashes(lockText: string, files: readonly DemoFile[]): string;
