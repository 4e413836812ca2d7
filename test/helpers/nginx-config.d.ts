/** The `*_temp_path` directives for this nginx, their folders made under `workDir`/tmp. */
export function nginxTempPaths(nginx: string, workDir: string): string[];

export interface ForegroundNginx {
  /** The nginx binary (asked `nginx -V` for the modules it was built with). */
  readonly nginx: string;
  /** Where nginx writes: pid file, error.log, tmp/. */
  readonly workDir: string;
  /** error_log's level; default "error". */
  readonly errorLevel?: string;
  /** worker_connections; default 64. */
  readonly connections?: number;
  /** The lines inside `http { }` after the temporary paths, unindented. */
  readonly http: readonly string[];
}

/** The whole nginx.conf of one foreground nginx. */
export function foregroundNginxConfig(options: ForegroundNginx): string;
