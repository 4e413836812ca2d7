/** A TOML basic string (JSON's escapes; DEL and C1 controls escaped too). */
export function tomlString(text: string): string;
