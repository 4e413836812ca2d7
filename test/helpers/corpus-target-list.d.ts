/** The six targets every corpus lock must plan for, as [uv platform, Python version] pairs. */
export const CORPUS_TARGETS: ReadonlyArray<readonly [platform: string, version: string]>;
