/**
 * Colour for what a person reads on a terminal — `error:` red, `warning:`
 * yellow, `hint:`/`tip:` cyan, placeholders bold — and none when the
 * stream is not a terminal or NO_COLOR is set; FORCE_COLOR forces it
 * (https://no-color.org, https://force-color.org), as uv and pip do.
 */
export interface Style {
  error(text: string): string;
  warning(text: string): string;
  hint(text: string): string;
  bold(text: string): string;
}

const PLAIN: Style = { error: (t) => t, warning: (t) => t, hint: (t) => t, bold: (t) => t };

const sgr = (open: string, text: string): string => `\u001b[${open}m${text}\u001b[0m`;
const COLOURED: Style = {
  error: (t) => sgr('1;31', t),
  warning: (t) => sgr('1;33', t),
  hint: (t) => sgr('1;36', t),
  bold: (t) => sgr('1', t),
};

/** Whether to colour what goes to `stream`. */
export function wantsColour(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined && force !== '' && force !== '0' && force !== 'false') return true;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  return Boolean((stream as NodeJS.WriteStream).isTTY);
}

export function styleFor(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): Style {
  return wantsColour(stream, env) ? COLOURED : PLAIN;
}
