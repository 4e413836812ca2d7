// The six targets every corpus lock must plan for (issue 2), as
// [uv platform, Python version] pairs. Plain JavaScript (types in
// corpus-target-list.d.ts): bench/plan.js times the same six.
export const CORPUS_TARGETS = [
  ['x86_64-manylinux_2_28', '3.12'],
  ['aarch64-manylinux_2_28', '3.11'],
  ['x86_64-unknown-linux-musl', '3.12'],
  ['aarch64-apple-darwin', '3.13'],
  ['x86_64-apple-darwin', '3.10'],
  ['x86_64-pc-windows-msvc', '3.13'],
];
