import { createServer } from 'node:net';

/**
 * Fails early, naming the variable to change, when a port is taken: otherwise the clash shows up
 * later as a bare EADDRINUSE from whichever part happened to bind second.
 */
export function assertPortFree(port: number, variable: string, hint: string, host?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`port ${port} (${variable}) is not free (${error.code}): ${hint}`)),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}
