/**
 * Secrets: the one mechanism that keeps them out of everything lockhouse
 * writes (issue 17, findings 6 to 8). Two halves:
 *
 * 1. **Registered once, where read.** Every password or token lockhouse
 *    learns is registered by the code that reads it: URL userinfo in a lock
 *    (lock/parse.ts, before the TOML is even parsed, so a syntax error's
 *    excerpt is covered) and in a pyproject's indexes (lock/pyproject.ts),
 *    `--mirror` and `LOCKHOUSE_MIRROR` (app/collect/io.ts), the proxy
 *    variables (io/http/proxy-env.ts), `UV_INDEX_*` / `LOCKHOUSE_INDEX_*`
 *    and netrc (io/http/credentials.ts). A secret is kept in the forms it
 *    can take in text: as is, percent-encoded (upper- and lower-case
 *    escapes, and as the URL spelled it), JSON-escaped, and
 *    `base64(user:password)` as a Basic Authorization header carries it.
 *
 * 2. **Scrubbed at every sink.** `scrubSecrets` replaces every registered
 *    form with `****`, then removes the userinfo of anything URL-shaped
 *    (`scheme://user:pass@host`), also where the URL does not parse: a
 *    password holding an unencoded `/`, `?`, `#` or `\` ends the URL's
 *    authority early (`https://user:pa/ss@host`), so userinfo is taken up
 *    to the token's last `@` when the URL does not parse, or when it parses
 *    but a `user:` sits before the first `/`, `?` or `#` and an `@` after.
 *    The sinks: the command line's stdout and stderr (wrapped once in
 *    cli/main.ts: logs, summaries, reports, errors, `--json`), the manifest
 *    (io/wheelhouse/manifest-file.ts), the emitted pylock and requirements,
 *    the static index, build logs; and every LockhouseError's message and
 *    hint, so a library caller's error carries none either.
 *
 * Process-wide on purpose: a secret is a fact of the environment the
 * process runs in (a variable, a netrc, a lock it read), and every sink of
 * the process must know it, including those of library calls made side by
 * side. The set only grows, by the handful of secrets a run reads.
 *
 * What this does not do: keep a secret out of a query string
 * (`?token=…`, a pre-signed URL) that was never registered — lockhouse
 * never reads credentials from there; or recognise a user name without a
 * password that holds an unencoded `/` (`https://tok/en@host` is host
 * `tok` to every URL parser, and lockhouse never sends it as a credential).
 */

/** What a secret is replaced with. */
export const REDACTED = '****';

/**
 * Secrets shorter than this are left to the URL rule: replacing every "ab"
 * in a log or a manifest would hide more than it protects.
 */
const MIN_LENGTH = 4;

const forms = new Set<string>();
let pattern: RegExp | null = null;

function addForm(form: string): void {
  if (form.length < MIN_LENGTH || forms.has(form)) return;
  forms.add(form);
  pattern = null;
}

/** Every \\uXXXX JSON would write, and the two-letter escapes, as JSON.stringify spells them. */
function jsonEscaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** How a URL's userinfo spells `text` (WHATWG's userinfo percent-encode set). */
function userinfoEncoded(text: string): string {
  const url = new URL('http://host/');
  url.password = text;
  return url.password;
}

/** Register a secret (a password, a token), decoded, in every form it may take in text. */
export function registerSecret(secret: string): void {
  if (secret.length < MIN_LENGTH) return;
  const encoded = encodeURIComponent(secret);
  const spelled = [secret, encoded, encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()), userinfoEncoded(secret)];
  for (const form of spelled) {
    addForm(form);
    addForm(jsonEscaped(form));
  }
}

/**
 * Register a credential: its password, or its user name when there is no
 * password (a token given as the user name), and the base64 a Basic
 * Authorization header would carry.
 */
export function registerCredential(username: string, password: string): void {
  if (password !== '') registerSecret(password);
  else if (username !== '') registerSecret(username);
  if (username !== '' || password !== '') addForm(Buffer.from(`${username}:${password}`, 'utf8').toString('base64'));
}

/** A percent-encoded user name or password, decoded; as written when its escapes do not decode. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Register the userinfo of every URL in `text` (a lock, a variable's
 * value, a flag), by the rule the scrubber removes it with: as written,
 * and decoded.
 */
export function registerUrlSecrets(text: string): void {
  if (!text.includes('@')) return;
  for (const [start, stop] of urlTokens(text)) {
    const token = text.slice(start, stop);
    const end = userinfoEnd(token);
    if (end < 0) continue;
    const userinfo = token.slice(token.indexOf('//') + 2, end);
    const colon = userinfo.indexOf(':');
    const username = colon < 0 ? userinfo : userinfo.slice(0, colon);
    const password = colon < 0 ? '' : userinfo.slice(colon + 1);
    // As written (it is what a message quoting the URL shows)…
    if (password !== '') addSpelling(password);
    else addSpelling(username);
    // …and decoded, with every form that gives.
    registerCredential(decoded(username), decoded(password));
  }
}

function addSpelling(text: string): void {
  if (text.length < MIN_LENGTH) return;
  addForm(text);
  addForm(jsonEscaped(text));
}

/** Forget every registered secret (tests that run many commands in one process). */
export function forgetSecrets(): void {
  forms.clear();
  pattern = null;
}

const SCHEME_CHAR = /[A-Za-z0-9+.-]/;
const LETTER = /[A-Za-z]/;
/** What ends a URL in text: white space, a quote, an angle bracket, a backtick. */
const STOP = /[\s"'<>`]/;

/**
 * The URL-shaped tokens of `text`, as [start, end) pairs: a scheme, `://`,
 * and everything up to a space, a quote, an angle bracket, or the scheme of
 * the next URL (`pypi=https://mirror/…=http://user:pw@other/…` holds two).
 * One pass: linear in the text, whatever it holds.
 */
function urlTokens(text: string): Array<readonly [number, number]> {
  const starts: number[] = [];
  for (let at = text.indexOf('://'); at >= 0; at = text.indexOf('://', at + 3)) {
    let start = at;
    const floor = starts.length ? starts[starts.length - 1]! : 0;
    while (start > floor && SCHEME_CHAR.test(text[start - 1]!)) start--;
    while (start < at && !LETTER.test(text[start]!)) start++;
    if (start < at) starts.push(start);
  }
  const tokens: Array<readonly [number, number]> = [];
  for (const [i, start] of starts.entries()) {
    const limit = i + 1 < starts.length ? starts[i + 1]! : text.length;
    let end = text.indexOf('://', start) + 3;
    while (end < limit && !STOP.test(text[end]!)) end++;
    tokens.push([start, end]);
  }
  return tokens;
}

/**
 * Where a URL token's userinfo ends (the index of its `@`), or -1 when it
 * has none.
 *
 * - The `@` as a URL parser finds it: the last one before the authority
 *   ends (the first `/`, `?`, `#` or `\`).
 * - Else, when the token has an `@` further on, the last one: if the token
 *   does not parse as a URL (`https://user:pa/ss@host` — "pa" is no port),
 *   or parses but a `:` stands in what it takes for the authority
 *   (`https://user:1234/x@host` parses as host "user", port 1234): the
 *   password held one of the characters that end an authority, unencoded.
 *   (`git+https://host/repo@v1`, a path with an `@` and no `:` before its
 *   first `/`, keeps its `@`.)
 */
function userinfoEnd(token: string): number {
  const start = token.indexOf('//') + 2;
  const rest = token.slice(start);
  const authority = rest.search(/[/?#\\]/);
  const authorityEnd = authority < 0 ? token.length : start + authority;
  const inAuthority = token.lastIndexOf('@', authorityEnd - 1);
  if (inAuthority >= start) return inAuthority;
  const last = token.lastIndexOf('@');
  if (last < authorityEnd) return -1;
  if (token.slice(start, authorityEnd).includes(':')) return last;
  return parses(token) ? -1 : last;
}

function parses(text: string): boolean {
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}

/** A URL token without its userinfo. */
function withoutUserinfoText(token: string): string {
  const end = userinfoEnd(token);
  return end < 0 ? token : `${token.slice(0, token.indexOf('//') + 2)}${token.slice(end + 1)}`;
}

function regexpEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function formsPattern(): RegExp | null {
  if (forms.size === 0) return null;
  // Longest first: a form that contains another is replaced whole.
  pattern ??= new RegExp([...forms].sort((a, b) => b.length - a.length).map(regexpEscape).join('|'), 'g');
  return pattern;
}

/**
 * `text` with every registered secret replaced by `****` and the userinfo of
 * every URL in it removed. Idempotent; text without a secret or an `@` comes
 * back as it was (the same string).
 */
export function scrubSecrets(text: string): string {
  const registered = formsPattern();
  return removeUserinfo(registered ? text.replace(registered, REDACTED) : text);
}

/** `text` with the userinfo of every URL in it removed (the URL rule alone: nothing registered is needed). */
export function removeUserinfo(text: string): string {
  if (!text.includes('@')) return text;
  let out = '';
  let done = 0;
  for (const [start, end] of urlTokens(text)) {
    out += text.slice(done, start) + withoutUserinfoText(text.slice(start, end));
    done = end;
  }
  return out + text.slice(done);
}

/** Strings, arrays and plain objects (a log record's fields) with every string scrubbed; anything else as it is. */
export function scrubDeep<T>(value: T): T {
  if (typeof value === 'string') return scrubSecrets(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => scrubDeep(item)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, scrubDeep(item)])) as T;
  }
  return value;
}
