import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LABEL_STACK } from '../../contracts/vocabulary.js';
import { json } from '../harness/api-app.js';
import { apiCaller, deployAndWait } from '../harness/api-calls.js';
import { DaemonProbe } from '../harness/daemon.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import {
  agentDataDir,
  startAgent,
  startApi,
  startOrchestrator,
  stopAll,
  waitUntilPolling,
} from '../harness/graphium.js';
import { type TestInfra, useInfra } from '../harness/infra.js';
import { waitFor } from '../harness/ports.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import { type ManagedProcess, REPO_ROOT } from '../harness/processes.js';

// What a stack may reach on a host: no infrastructure project's name, no other stack's resources by a
// trick of naming, no network or volume Graphium did not create for it, no data lost at a delete
// unless asked; and the Compose keys each role may use, as this installation configures them. All
// through the real API, orchestrator and agent, checked on the daemon itself.

const idle = `["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]`;

describe('stack isolation on a real host', () => {
  let infra: TestInfra;
  let database: TestDatabase;
  let baseUrl: string;
  let probe: DaemonProbe;
  let workDir: string;
  let agent: ManagedProcess;
  const processes: ManagedProcess[] = [];
  const adminToken = `e2e-${randomBytes(16).toString('hex')}`;
  let deployerToken: string;

  const call = apiCaller(() => baseUrl);

  const createStack = (name: string, yaml: string, token = deployerToken) =>
    call('POST', `/stacks?name=${name}`, token, { yaml });

  const deploy = (stack: string) => deployAndWait(call, stack, deployerToken);

  function cli(args: string[]): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'cli', 'bin.js'), ...args], {
        cwd: workDir,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          GRAPHIUM_API_URL: baseUrl,
          GRAPHIUM_TOKEN: deployerToken,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += chunk;
      });
      child.stderr.on('data', (chunk) => {
        output += chunk;
      });
      child.on('exit', (code) => resolve({ code, output }));
    });
  }

  before(async () => {
    infra = await useInfra();
    workDir = mkdtempSync(join(tmpdir(), 'graphium-isolation-'));
    const policyFile = join(workDir, 'compose-policy.yaml');
    writeFileSync(
      policyFile,
      [
        '# Publishing ports is for admins here; NET_ADMIN, and only it, is open to deployers.',
        'rules:',
        '  services.*.ports: admin',
        '  services.*.cap_add: { deployer: [NET_ADMIN] }',
        '',
      ].join('\n'),
    );
    database = await createTestDatabase(infra.pgAdminUrl);
    const api = await startApi(infra, database.url, adminToken, 'api', {
      GRAPHIUM_COMPOSE_POLICY: policyFile,
      GRAPHIUM_RESERVED_STACK_NAMES: 'temporal',
    });
    processes.push(api.process);
    baseUrl = api.baseUrl;
    agent = startAgent(infra, 'vm1', infra.dockerHosts[0]!.dockerHost);
    processes.push(startOrchestrator(infra, database.url), agent);
    await waitUntilPolling(processes.slice(1));
    probe = new DaemonProbe(infra.dockerHosts[0]!.socketPath);
    const created = await fetch(`${baseUrl}/api/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'isolation-deployer', role: 'deployer' }),
    });
    deployerToken = (await json(created)).token;
    const host = await fetch(`${baseUrl}/api/v1/hosts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'vm1' }),
    });
    assert.equal(host.status, 201);
  });

  after(async () => {
    await stopAll(processes);
    await database?.drop();
    for (const c of await probe.containers()) {
      if (/^(shop|netown|volown|keepdata|capnet|graphium)[_-]/.test(c.name))
        await probe.removeContainer(c.id);
    }
    for (const name of ['graphium_default', 'netown_default']) {
      const network = await probe.network(name);
      if (network) await probe.removeNetwork(name);
    }
    for (const name of ['shop_db_data', 'volown_data', 'keepdata_data']) await probe.removeVolume(name);
    rmSync(workDir, { recursive: true, force: true });
  });

  it('the name of Graphium’s own compose project, or one the installation reserves, is refused with 400', async () => {
    // What docker-compose made for Graphium's own project: the network beside Temporal and the database.
    await probe.createNetwork('graphium_default', { 'com.docker.compose.project': 'graphium' });
    const yaml = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ${idle}\n`;
    for (const [name, token] of [
      ['graphium', deployerToken],
      ['graphium', adminToken],
      ['temporal', deployerToken],
    ] as const) {
      const response = await createStack(name, yaml, token);
      assert.equal(response.status, 400, `${name}: ${await response.clone().text()}`);
      const { error } = await json(response);
      assert.equal(error.code, 'invalid_request');
      assert.match(error.message, new RegExp(`the stack name "${name}" is reserved: `));
    }
    assert.deepEqual((await probe.network('graphium_default'))?.Containers ?? {}, {}, 'nothing joined it');
  });

  it('stack shop_db cannot be created: its volume data would be stack shop’s volume db_data', async () => {
    const shop = `
services:
  db:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "echo shop > /data/owner; trap 'exit 0' TERM; sleep 3600 & wait"]
    volumes: ["db_data:/data"]
volumes:
  db_data: {}
`;
    assert.equal((await createStack('shop', shop)).status, 201);
    assert.equal((await deploy('shop')).status, 'succeeded');
    const intruder = `
services:
  reader:
    image: ${TEST_IMAGE}
    command: ${idle}
    volumes: ["data:/data"]
volumes:
  data: {}
`;
    const refused = await createStack('shop_db', intruder);
    assert.equal(refused.status, 400, await refused.clone().text());
    const { error } = await json(refused);
    assert.match(
      error.message,
      /"shop_db" cannot name a new stack: .*its volume "data" would be named like stack "shop"'s volume "db_data"; use "-" instead \("shop-db"\)/,
    );
    // With "-" the names cannot meet: shop-db_data is not shop_db_data.
    assert.equal((await createStack('shop-db', intruder)).status, 201);
    assert.equal((await deploy('shop-db')).status, 'succeeded');
    const reader = await probe.inspect('shop-db_reader_1');
    assert.deepEqual(
      reader.Mounts.map((m) => m.Name),
      ['shop-db_data'],
    );
    assert.equal((await probe.volume('shop_db_data'))?.Labels?.[LABEL_STACK], 'shop');
  });

  it('a network or volume that exists without being the stack’s own is never used; the deploy fails at once', async () => {
    await probe.createNetwork('netown_default');
    const netown = await createStack(
      'netown',
      `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ${idle}\n`,
    );
    assert.equal(netown.status, 201);
    const onNetwork = await deploy('netown');
    assert.equal(onNetwork.status, 'rolled_back', onNetwork.error ?? '');
    assert.match(
      onNetwork.error ?? '',
      /network netown_default already exists on host vm1 and Graphium did not create it for stack netown \(it has no io\.graphium\.stack label\)/,
    );
    assert.deepEqual((await probe.network('netown_default'))?.Containers, {}, 'no container joined it');

    await probe.createVolume('volown_data', { [LABEL_STACK]: 'other' });
    const volown = await createStack(
      'volown',
      `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ${idle}\n    volumes: ["data:/data"]\nvolumes:\n  data: {}\n`,
    );
    assert.equal(volown.status, 201);
    const onVolume = await deploy('volown');
    assert.equal(onVolume.status, 'rolled_back', onVolume.error ?? '');
    assert.match(onVolume.error ?? '', /volume volown_data on host vm1 belongs to stack other, not volown/);

    const stacked = (await probe.containers()).filter((c) => /^(netown|volown)_/.test(c.name));
    assert.deepEqual(stacked, [], 'no container of either stack on the daemon');
    // Refused, not retried: the step ran once per deploy.
    for (const workflowId of [onNetwork.workflowId, onVolume.workflowId]) {
      const attempts = agent.logs
        .split('\n')
        .filter((line) => line.includes('"activity":"prepareHost"') && line.includes(workflowId))
        .filter((line) => line.includes('"activity started"'));
      assert.equal(attempts.length, 1, attempts.join('\n'));
    }
  });

  it('graphium delete keeps the volumes and data; graphium delete --volumes removes them', async () => {
    const compose = join(workDir, 'keepdata.yaml');
    writeFileSync(
      compose,
      `
services:
  app:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "test -f /data/first || date > /data/first; echo seen > /state/marker; trap 'exit 0' TERM; sleep 3600 & wait"]
    volumes: ["data:/data", "./state:/state"]
volumes:
  data: {}
`,
    );
    const stateDir = join(agentDataDir(infra, 'vm1', infra.dockerHosts[0]!.dockerHost), 'stacks', 'keepdata');
    const run = async (args: string[]) => {
      const result = await cli(args);
      assert.equal(result.code, 0, `graphium ${args.join(' ')}:\n${result.output}`);
    };
    await run(['stack', 'create', '-f', compose, '--name', 'keepdata']);
    await run(['deploy', 'keepdata']);
    const first = (await probe.exec('keepdata_app_1', ['cat', '/data/first'])).output;
    await waitFor('the container to write its stack data', async () =>
      existsSync(join(stateDir, 'data', 'state', 'marker')),
    );

    await run(['delete', 'keepdata']);
    assert.deepEqual(
      (await probe.containers()).filter((c) => c.name.startsWith('keepdata_')),
      [],
    );
    assert.equal(
      (await probe.volume('keepdata_data'))?.Labels?.[LABEL_STACK],
      'keepdata',
      'the volume stays',
    );
    assert.ok(existsSync(join(stateDir, 'data', 'state', 'marker')), 'the stack data directory stays');
    assert.ok(!existsSync(join(stateDir, 'bundles')), 'the version’s files go');

    // The same stack again finds its data where it left it.
    await run(['stack', 'create', '-f', compose, '--name', 'keepdata']);
    await run(['deploy', 'keepdata']);
    assert.equal((await probe.exec('keepdata_app_1', ['cat', '/data/first'])).output, first);

    await run(['delete', 'keepdata', '--volumes']);
    assert.equal(await probe.volume('keepdata_data'), undefined, 'the volume is removed');
    assert.ok(!existsSync(stateDir), 'and the stack data directory');
  });

  it('the installation’s Compose policy: ports for admins only, NET_ADMIN (only) for deployers', async () => {
    const web = `services:\n  web:\n    image: ${TEST_IMAGE}\n    command: ${idle}\n    ports: ["18080:8080"]\n`;
    const refused = await createStack('capnet', web);
    assert.equal(refused.status, 403, await refused.clone().text());
    const { error } = await json(refused);
    assert.match(
      error.message,
      /services\.web\.ports: admin only: this installation allows it to admins only \(GRAPHIUM_COMPOSE_POLICY\)/,
    );

    const capped = (caps: string) =>
      `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ${idle}\n    cap_add: [${caps}]\n`;
    const sysAdmin = await createStack('capnet', capped('NET_ADMIN, SYS_ADMIN'));
    assert.equal(sysAdmin.status, 403);
    assert.match(
      (await json(sysAdmin)).error.message,
      /services\.app\.cap_add: admin only: .*: SYS_ADMIN: requires role admin/,
    );

    assert.equal((await createStack('capnet', capped('NET_ADMIN'))).status, 201);
    assert.equal((await deploy('capnet')).status, 'succeeded');
    const container = await probe.inspect('capnet_app_1');
    assert.deepEqual(container.HostConfig.CapAdd, ['NET_ADMIN']);
  });
});
