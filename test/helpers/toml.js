// TOML text for the locks and pyproject files tests and benchmarks write.
// Written here rather than imported from src/output/toml-text.ts, so a bug
// there cannot hide in the fixtures the tests compare against. Plain
// JavaScript (types in toml.d.ts): bench/ imports it too.

/**
 * A TOML basic string: JSON's escapes are TOML's (`\u0000` included); DEL,
 * which JSON leaves raw and TOML forbids, and the C1 controls are escaped too.
 */
export function tomlString(text) {
  return JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
