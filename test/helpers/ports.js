// A TCP port on 127.0.0.1 that was free a moment ago (bound, then closed):
// for servers a test or a benchmark starts, or a port nothing listens on.
// Plain JavaScript (types in ports.d.ts): bench/ imports it too.
import { createServer } from 'node:net';

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      server.close(() => resolve(address.port));
    });
  });
}
