export interface ServedDirectory {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}
/** Serve `root` on 127.0.0.1 (`port` 0: any free port); resolves once it listens. */
export function serveDirectory(root: string, options?: { readonly port?: number }): Promise<ServedDirectory>;
