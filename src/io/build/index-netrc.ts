/**
 * How a build frontend gets the credentials of the index it takes build
 * requirements from, with the least exposure each frontend allows:
 *
 * - never on its command line: `ps` shows any user a process's arguments,
 *   and pip hands its index URL on to the pip it starts for the build
 *   requirements (`pip install -i URL …`), userinfo and all;
 * - never in its environment: the build backend (the package's own code)
 *   inherits the frontend's environment;
 * - in a netrc file of the build's own, mode 0600, named by `NETRC`, which
 *   uv, pip (through requests) and `python -m build` (through pip) read for
 *   the index's host, and removed when the build ends (a killed run's is in
 *   its build folder, which the sweeper removes).
 *
 * The backend can still read the file while the build runs, as it can read
 * anything of the user's; it holds one host's credential and nothing else.
 */
import { constants } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { newTempName, releaseTempName } from '../store/temp-name.js';

export interface IndexCredential {
  /** The host the netrc entry is for (netrc has no ports: requests and uv look hosts up without them). */
  readonly host: string;
  readonly username: string;
  readonly password: string;
}

/** An index URL as a frontend may see it (no userinfo), and the credential taken out of it. Pure. */
export function splitIndexCredential(indexUrl: string | null): { readonly url: string | null; readonly credential: IndexCredential | null } {
  if (indexUrl === null) return { url: null, credential: null };
  let parsed: URL;
  try {
    parsed = new URL(indexUrl);
  } catch {
    return splitUnparsable(indexUrl);
  }
  if (!parsed.username && !parsed.password) return { url: indexUrl, credential: null };
  const credential = { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), username: decode(parsed.username), password: decode(parsed.password) };
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href, credential };
}

/**
 * A URL that does not parse, most likely for a password with an unencoded
 * `/`, `#` or `?` in it: the userinfo runs from `//` to the last `@`. What
 * is left goes to the frontend; the credential too, if it is then a URL.
 */
function splitUnparsable(indexUrl: string): { readonly url: string | null; readonly credential: IndexCredential | null } {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)(.*)@([^@]*)$/s.exec(indexUrl);
  if (!match) return { url: indexUrl, credential: null };
  const url = `${match[1]}${match[3]}`;
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return { url, credential: null };
  }
  const userinfo = match[2]!;
  const colon = userinfo.indexOf(':');
  const username = colon < 0 ? userinfo : userinfo.slice(0, colon);
  const password = colon < 0 ? '' : userinfo.slice(colon + 1);
  return { url, credential: { host, username: decode(username), password: decode(password) } };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * One netrc token: bare where every reader takes it so, else double-quoted
 * with `\` escapes (Python 3.10+'s netrc, curl and uv read those; Python
 * 3.9's cannot carry whitespace or quotes at all).
 */
function token(text: string): string {
  return /^[^\s"\\#]+$/.test(text) ? text : `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** The netrc file's text: one `machine` entry. Pure. */
export function netrcText(credential: IndexCredential): string {
  return `machine ${token(credential.host)}\n  login ${token(credential.username)}\n  password ${token(credential.password)}\n`;
}

export interface NetrcFile {
  readonly path: string;
  remove(): Promise<void>;
}

/** Write the netrc into `dir` (a folder of lockhouse's own), readable by this user only, never through a link. */
export async function writeNetrc(dir: string, credential: IndexCredential): Promise<NetrcFile> {
  const path = join(dir, newTempName('netrc'));
  const handle = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
  try {
    await handle.writeFile(netrcText(credential));
  } catch (error) {
    await handle.close();
    await rm(path, { force: true });
    releaseTempName(path);
    throw error;
  }
  await handle.close();
  return {
    path,
    remove: async () => {
      await rm(path, { force: true });
      releaseTempName(path);
    },
  };
}
