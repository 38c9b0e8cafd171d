import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in Docker registry on loopback (dockerd treats 127.0.0.0/8 as insecure, so plain HTTP):
 * it asks for Basic credentials, records every request with the credentials it carried, and holds
 * no image, so every pull ends with `manifest unknown`. Enough to see what an agent's pull sends.
 */
export interface FakeRegistry {
  host: string;
  requests: { method: string; path: string; authorization?: string }[];
  close(): Promise<void>;
}

export async function startFakeRegistry(): Promise<FakeRegistry> {
  const requests: FakeRegistry['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({
      method: req.method ?? '',
      path: req.url ?? '',
      authorization: req.headers.authorization,
    });
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    res.setHeader('Content-Type', 'application/json');
    if (!req.headers.authorization) {
      res.setHeader('WWW-Authenticate', 'Basic realm="graphium-test"');
      res.statusCode = 401;
      res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    if (req.url === '/v2/' || req.url === '/v2') {
      res.end('{}');
      return;
    }
    res.statusCode = 404;
    res.end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
