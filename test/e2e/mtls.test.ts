import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LABEL_STACK } from '../../contracts/vocabulary.js';
import { DaemonProbe } from '../harness/daemon.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { startAgent, startApi, startOrchestrator, stopAll, waitUntilPolling } from '../harness/graphium.js';
import { type TestInfra, useInfra } from '../harness/infra.js';
import { waitFor } from '../harness/ports.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import type { ManagedProcess } from '../harness/processes.js';
import { type MtlsProxy, startMtlsProxy } from '../harness/tls-proxy.js';

// Every process reaches Temporal through an endpoint that requires a client certificate (nginx
// terminating mutual TLS in front of the dev server): the API, the orchestrator and an agent with
// the TEMPORAL_TLS_* settings deploy a stack; a process without an accepted certificate cannot connect.
describe('mutual TLS to Temporal', () => {
  let infra: TestInfra;
  let proxy: MtlsProxy;
  let database: TestDatabase;
  let workDir: string;
  let api: { process: ManagedProcess; baseUrl: string };
  const processes: ManagedProcess[] = [];
  const adminToken = randomBytes(24).toString('hex');
  let tlsEnv: Record<string, string>;

  before(async () => {
    infra = await useInfra();
    workDir = mkdtempSync(join(tmpdir(), 'graphium-mtls-'));
    proxy = await startMtlsProxy(workDir, infra.temporalAddress);
    database = await createTestDatabase(infra.pgAdminUrl);
    tlsEnv = {
      TEMPORAL_ADDRESS: proxy.address,
      TEMPORAL_TLS_CA: proxy.files.ca,
      TEMPORAL_TLS_CERT: proxy.files.clientCert,
      TEMPORAL_TLS_KEY: proxy.files.clientKey,
      TEMPORAL_TLS_SERVER_NAME: proxy.files.serverName,
    };
  });

  after(async () => {
    await stopAll(processes);
    await proxy?.stop();
    await database?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('the API, the orchestrator and an agent come up through the mTLS endpoint', async () => {
    api = await startApi(infra, database.url, adminToken, 'api-mtls', tlsEnv);
    processes.push(
      api.process,
      startOrchestrator(infra, database.url, 'orchestrator-mtls', tlsEnv),
      startAgent(infra, 'mtls1', infra.dockerHosts[0]!.dockerHost, tlsEnv),
    );
    await waitUntilPolling(processes.slice(1));
  });

  it('deploys a stack onto the host through it', async () => {
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${api.baseUrl}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    assert.equal((await call('POST', '/hosts', { id: 'mtls1' })).status, 201);
    const hosts = await waitFor('the host to show online through TLS', async () => {
      const { body } = await call('GET', '/hosts/mtls1');
      return body.status === 'online' && body;
    });
    assert.equal(hosts.status, 'online');
    const compose = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: sleep 3600\n`;
    assert.equal((await call('POST', '/stacks', { name: 'mtls', compose })).status, 201);
    const started = await call('POST', '/stacks/mtls/deploy', {});
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const finished = await waitFor(
      'the deploy to finish',
      async () => {
        const { body } = await call('GET', `/deployments/${started.body.deploymentId}`);
        return ['succeeded', 'failed', 'rolled_back'].includes(String(body.status)) && body;
      },
      { timeoutMs: 120_000 },
    );
    assert.equal(finished.status, 'succeeded', JSON.stringify(finished));
    const probe = new DaemonProbe(infra.dockerHosts[0]!.socketPath);
    assert.deepEqual(
      (await probe.containers({ [LABEL_STACK]: 'mtls' })).map((c) => [c.name, c.state]),
      [['mtls_app_1', 'running']],
    );
  });

  it('an agent without a certificate of the CA cannot connect, and says so', async () => {
    for (const [label, env] of [
      [
        'another CA',
        { ...tlsEnv, TEMPORAL_TLS_CERT: proxy.files.strangerCert, TEMPORAL_TLS_KEY: proxy.files.strangerKey },
      ],
      [
        'no certificate',
        {
          TEMPORAL_ADDRESS: proxy.address,
          TEMPORAL_TLS_CA: proxy.files.ca,
          TEMPORAL_TLS_SERVER_NAME: proxy.files.serverName,
        },
      ],
    ] as const) {
      const agent = startAgent(
        infra,
        `mtls-${label.replace(/\W/g, '').toLowerCase()}`,
        infra.dockerHosts[0]!.dockerHost,
        env,
      );
      const code = await Promise.race([
        agent.exited,
        new Promise<'running'>((r) => setTimeout(() => r('running'), 60_000)),
      ]);
      if (code === 'running') await agent.kill();
      assert.notEqual(code, 0, `${label}: the agent must not come up`);
      assert.notEqual(code, 'running', `${label}: the agent must fail, not hang\n${agent.tail()}`);
      assert.doesNotMatch(agent.logs, /"agent polling"/, label);
      assert.match(
        agent.logs,
        /graphium agent: cannot connect to Temporal at 127\.0\.0\.1:\d+ \(TLS /,
        `${label}:\n${agent.tail()}`,
      );
    }
  });
});
