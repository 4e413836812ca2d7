/**
 * The download path's rules over node:http (plain-http.ts), which the
 * download threads use for plain http: the same suites as over undici —
 * download.test.ts (streaming, retries, Range resume, redirects with
 * credentials, aborts) and limits.test.ts (size bounds, the rate floor,
 * the headers deadline against endless 102s, server text in messages) —
 * run again here with `nodeHttp` on, so no rule holds for one client only.
 */
import { afterAll, describe } from 'vitest';
import { transport } from './helpers.js';

transport.nodeHttp = true;
afterAll(() => {
  transport.nodeHttp = false;
});

describe('over node:http', async () => {
  await import('./download.test.js');
  await import('./limits.test.js');
  await import('./credentials.test.js');
});
