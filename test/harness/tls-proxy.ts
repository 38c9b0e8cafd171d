import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';

// Temporal's dev server speaks plain gRPC. To test mutual TLS for real, nginx (from Debian) sits in
// front of it: it terminates TLS with a server certificate from a throwaway CA, refuses any client
// without a certificate of that CA, and passes the gRPC calls on. openssl makes the certificates.

export interface TlsFiles {
  ca: string;
  serverName: string;
  /** A client certificate and key the proxy accepts. */
  clientCert: string;
  clientKey: string;
  /** A client certificate from another CA: the proxy refuses it. */
  strangerCert: string;
  strangerKey: string;
}

export interface MtlsProxy {
  address: string;
  files: TlsFiles;
  stop(): Promise<void>;
}

const SERVER_NAME = 'temporal.graphium.test';

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** A CA, a server certificate for SERVER_NAME, a client certificate, and a client from another CA. */
export function makeCertificates(dir: string): TlsFiles {
  mkdirSync(dir, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const ca = (name: string) =>
    openssl(dir, [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      `${name}-key.pem`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    ]);
  const issue = (name: string, by: string, extensions: string) => {
    openssl(dir, ['req', ...ec, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
    writeFileSync(join(dir, `${name}.ext`), `${extensions}\n`);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${by}.pem`,
      '-CAkey',
      `${by}-key.pem`,
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    ]);
  };
  ca('test-ca');
  ca('stranger-ca');
  issue('server', 'test-ca', `subjectAltName=DNS:${SERVER_NAME}`);
  issue('client', 'test-ca', 'extendedKeyUsage=clientAuth');
  issue('stranger', 'stranger-ca', 'extendedKeyUsage=clientAuth');
  return {
    ca: join(dir, 'test-ca.pem'),
    serverName: SERVER_NAME,
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client-key.pem'),
    strangerCert: join(dir, 'stranger.pem'),
    strangerKey: join(dir, 'stranger-key.pem'),
  };
}

/** Starts nginx on a free loopback port, requiring client certificates, in front of `target` (host:port). */
export async function startMtlsProxy(dir: string, target: string): Promise<MtlsProxy> {
  const files = makeCertificates(join(dir, 'certs'));
  const port = await freePort();
  const config = join(dir, 'nginx.conf');
  writeFileSync(
    config,
    [
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'nginx-error.log')} info;`,
      'daemon off;',
      'events {}',
      'http {',
      '  access_log off;',
      `  client_body_temp_path ${join(dir, 'body')};`,
      '  server {',
      `    listen 127.0.0.1:${port} ssl http2;`,
      `    ssl_certificate ${join(dir, 'certs', 'server.pem')};`,
      `    ssl_certificate_key ${join(dir, 'certs', 'server-key.pem')};`,
      `    ssl_client_certificate ${files.ca};`,
      '    ssl_verify_client on;',
      // Long polls last about a minute: the proxy must wait longer than that for an answer.
      '    grpc_read_timeout 300s;',
      '    grpc_send_timeout 300s;',
      '    client_max_body_size 0;',
      `    location / { grpc_pass grpc://${target}; }`,
      '  }',
      '}',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('nginx', ['-c', config, '-e', join(dir, 'nginx-error.log')], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(`nginx to listen on ${port}`, () => canConnect(port), { timeoutMs: 10_000 });
  return {
    address: `127.0.0.1:${port}`,
    files,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
