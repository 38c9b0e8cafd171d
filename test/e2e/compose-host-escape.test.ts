import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LABEL_STACK } from '../../contracts/vocabulary.js';
import { json } from '../harness/api-app.js';
import { apiCaller, deployAndWait } from '../harness/api-calls.js';
import { DaemonProbe } from '../harness/daemon.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { startAgent, startApi, startOrchestrator, stopAll, waitUntilPolling } from '../harness/graphium.js';
import { type TestInfra, useInfra } from '../harness/infra.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import type { ManagedProcess } from '../harness/processes.js';

// A deployer's Compose routes out of its stack (issue 20): the host's root through a volume's
// driver_opts, another stack's image through `build:` + `image:`, another stack's container name,
// docker0 through `network_mode: bridge`. Each goes through the real API, orchestrator and agent, and
// is checked on every daemon. When a route is accepted (the code before the fix), the test carries
// the attack on and fails saying what it reached, so a failure shows the hole, not only a status.

const idle = `["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]`;
const VICTIM_IMAGE = 'victim/app';

describe('a deployer cannot reach the host or other stacks through Compose keys', () => {
  let infra: TestInfra;
  let database: TestDatabase;
  let baseUrl: string;
  let probes: DaemonProbe[];
  let hostDir: string;
  const processes: ManagedProcess[] = [];
  const adminToken = `e2e-${randomBytes(16).toString('hex')}`;
  let deployerToken: string;

  const call = apiCaller(() => baseUrl);
  const createStack = (name: string, yaml: string, token = deployerToken) =>
    call('POST', `/stacks?name=${name}`, token, { yaml });

  const deploy = (stack: string) => deployAndWait(call, stack, deployerToken);

  /**
   * The refusal: 403 with the documented error shape, naming the key. Accepted instead, the attack is
   * carried out (`exploit`) and the test fails with what it reached.
   */
  async function expectForbidden(response: Response, key: RegExp, exploit: () => Promise<string>) {
    const body = await json(response);
    if (response.status === 201) assert.fail(`accepted (201), and then: ${await exploit()}`);
    assert.equal(response.status, 403, JSON.stringify(body));
    assert.equal(body.error.code, 'forbidden');
    assert.match(body.error.message, key);
    assert.match(body.error.message, /requires role admin$/);
  }

  /** What every daemon holds of a stack: containers (by label or name prefix), networks, volumes. */
  async function onDaemons(stack: string): Promise<string[]> {
    const found: string[] = [];
    for (const [index, probe] of probes.entries()) {
      for (const c of await probe.containers())
        if (c.labels[LABEL_STACK] === stack || c.name.startsWith(`${stack}_`))
          found.push(`vm${index + 1} container ${c.name}`);
      for (const n of await probe.networks())
        if (n.Name.startsWith(`${stack}_`)) found.push(`vm${index + 1} network ${n.Name}`);
      for (const name of [`${stack}_hostroot`, `${stack}_data`])
        if (await probe.volume(name)) found.push(`vm${index + 1} volume ${name}`);
    }
    return found;
  }

  before(async () => {
    infra = await useInfra();
    hostDir = mkdtempSync(join(tmpdir(), 'graphium-escape-'));
    database = await createTestDatabase(infra.pgAdminUrl);
    const api = await startApi(infra, database.url, adminToken, 'api');
    processes.push(api.process);
    baseUrl = api.baseUrl;
    processes.push(
      startOrchestrator(infra, database.url),
      // Its own log: other files count the builds in agent-vm1.log.
      startAgent(infra, 'vm1', infra.dockerHosts[0]!.dockerHost, {}, { name: 'agent-vm1-escape' }),
    );
    await waitUntilPolling(processes.slice(1));
    probes = infra.dockerHosts.map((host) => new DaemonProbe(host.socketPath));
    // The victim's image: its own name on every daemon, so no other test's image is at stake.
    for (const probe of probes) await probe.tag(TEST_IMAGE, VICTIM_IMAGE, '1');
    const created = await call('POST', '/tokens', adminToken, {
      json: { name: 'escape-deployer', role: 'deployer' },
    });
    deployerToken = (await json(created)).token;
    const host = await call('POST', '/hosts', adminToken, { json: { id: 'vm1' } });
    assert.equal(host.status, 201);
  });

  after(async () => {
    await stopAll(processes);
    await database?.drop();
    for (const probe of probes ?? []) {
      for (const c of await probe.containers())
        if (/^(shop|escape|bridged|squat|retag)[_-]/.test(c.name)) await probe.removeContainer(c.id);
      for (const n of await probe.networks())
        if (/^(shop|escape|bridged|squat|retag)_/.test(n.Name)) await probe.removeNetwork(n.Id);
      await probe.removeVolume('escape_hostroot');
    }
    rmSync(hostDir, { recursive: true, force: true });
  });

  it('a volume’s driver_opts binding a host directory is refused; no volume or container on any daemon', async () => {
    const secret = `host-only-${randomBytes(8).toString('hex')}`;
    writeFileSync(join(hostDir, 'marker'), `${secret}\n`);
    const yaml = `
services:
  reader:
    image: ${TEST_IMAGE}
    command: ${idle}
    volumes: ["hostroot:/host:ro"]
volumes:
  hostroot:
    driver_opts: { type: none, o: bind, device: ${hostDir} }
`;
    await expectForbidden(
      await createStack('escape', yaml),
      /^volumes\.hostroot\.driver_opts: admin only: driver options mount what the host can reach/,
      async () => {
        const deployed = await deploy('escape');
        const read = await probes[0]!.exec('escape_reader_1', ['cat', '/host/marker']);
        return `deploy ${deployed.status}; the container read the host's file: ${JSON.stringify(read.output.trim())} (written on the host: ${secret})`;
      },
    );
    // Another driver is refused too, and `/` itself.
    const plugin = yaml.replace(/driver_opts: .*/, 'driver: local-persist');
    await expectForbidden(
      await createStack('escape', plugin),
      /^volumes\.hostroot\.driver: admin only: the "local-persist" driver is a plugin of the host/,
      async () => 'a plugin volume driver was accepted',
    );
    assert.deepEqual(await onDaemons('escape'), []);
    assert.equal((await call('GET', '/stacks/escape', deployerToken)).status, 404, 'nothing stored');
  });

  it('network_mode: bridge is refused: the container would sit on docker0 beside other stacks', async () => {
    const yaml = `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: ${idle}\n    network_mode: bridge\n`;
    await expectForbidden(
      await createStack('bridged', yaml),
      /^services\.app\.network_mode: admin only: network_mode: bridge puts the container on the host's default bridge/,
      async () => {
        const deployed = await deploy('bridged');
        const networks = Object.keys((await probes[0]!.inspect('bridged_app_1')).NetworkSettings.Networks);
        return `deploy ${deployed.status}; the container is on ${networks.join(', ')}`;
      },
    );
    assert.deepEqual(await onDaemons('bridged'), []);
  });

  it('container_name of another stack’s container is refused; the victim’s next deploy succeeds, its container untouched', async () => {
    const web = `  web:\n    image: ${TEST_IMAGE}\n    command: ${idle}\n`;
    assert.equal((await createStack('shop', `services:\n${web}`)).status, 201);
    assert.equal((await deploy('shop')).status, 'succeeded');
    const before = await probes[0]!.inspect('shop_web_1');

    // The attacker takes the name the victim's next version will need.
    const squat = `services:\n  web:\n    image: ${TEST_IMAGE}\n    command: ${idle}\n    container_name: shop_worker_1\n`;
    const nextVersion = `services:\n${web}${web.replace('web:', 'worker:')}`;
    await expectForbidden(
      await createStack('squat', squat),
      /^services\.web\.container_name: admin only: "shop_worker_1" is not one of stack squat's names, .*use "squat_web" or another name starting with "squat_"/,
      async () => {
        const deployed = await deploy('squat');
        const holder = await probes[0]!.inspect('shop_worker_1');
        await call('PUT', '/stacks/shop', deployerToken, { yaml: nextVersion });
        const victim = await deploy('shop');
        return `squat deploy ${deployed.status}, shop_worker_1 belongs to stack ${holder.Config.Labels[LABEL_STACK]}; shop's next deploy ${victim.status}: ${victim.error}`;
      },
    );
    // Graphium's own containers' names are no better.
    const control = squat.replace('shop_worker_1', 'graphium-api-1');
    await expectForbidden(
      await createStack('squat', control),
      /^services\.web\.container_name: admin only: "graphium-api-1" is not one of stack squat's names/,
      async () => 'a control-plane container name was accepted',
    );
    assert.deepEqual(await onDaemons('squat'), []);
    // Its own prefix is fine.
    const own = squat.replace('shop_worker_1', 'squat_frontend');
    assert.equal((await createStack('squat', own)).status, 201);
    assert.equal((await deploy('squat')).status, 'succeeded');
    assert.equal((await probes[0]!.inspect('squat_frontend')).Config.Labels[LABEL_STACK], 'squat');

    assert.equal((await call('PUT', '/stacks/shop', deployerToken, { yaml: nextVersion })).status, 200);
    const next = await deploy('shop');
    assert.equal(next.status, 'succeeded', next.error ?? '');
    const afterwards = await probes[0]!.inspect('shop_web_1');
    assert.equal(afterwards.Id, before.Id, 'the victim’s container is the one it had');
    assert.equal((await probes[0]!.inspect('shop_worker_1')).Config.Labels[LABEL_STACK], 'shop');
  });

  it('build: with another stack’s image: is built under the stack’s own name; the other image is untouched', async () => {
    const victimIds = await Promise.all(
      probes.map(async (p) => (await p.inspectImage(`${VICTIM_IMAGE}:1`)).Id),
    );
    const compose = `services:\n  web:\n    build: .\n    image: ${VICTIM_IMAGE}:1\n    command: ${idle}\n`;
    const dockerfile = `FROM ${TEST_IMAGE}\nRUN echo built-by-retag > /owner\n`;
    const file = (path: string, content: string) => ({
      path,
      content: Buffer.from(content).toString('base64'),
    });
    const created = await call('POST', '/stacks', deployerToken, {
      json: {
        name: 'retag',
        project: {
          composeFiles: ['compose.yaml'],
          files: [file('compose.yaml', compose), file('Dockerfile', dockerfile)],
        },
      },
    });
    assert.equal(created.status, 201, await created.clone().text());
    const { warnings, spec } = await json(created);
    const built = `retag-web:${spec.services[0].build.contextDigest.slice(0, 12)}`;
    const deployed = await deploy('retag');
    assert.equal(deployed.status, 'succeeded', deployed.error ?? '');
    const afterIds = await Promise.all(
      probes.map(async (p) => (await p.inspectImage(`${VICTIM_IMAGE}:1`)).Id),
    );
    assert.deepEqual(afterIds, victimIds, `${VICTIM_IMAGE}:1 names the image it named, on every daemon`);
    const builtId = (await probes[0]!.inspectImage(built)).Id;
    assert.equal((await probes[0]!.inspect('retag_web_1')).Image, builtId, 'the container runs its build');
    const read = await probes[0]!.exec('retag_web_1', ['cat', '/owner']);
    assert.equal(read.output.trim(), 'built-by-retag');

    assert.deepEqual(
      (await probes[0]!.inspectImage(builtId)).RepoTags,
      [built],
      'the build has no other name',
    );
    // Said to the deployer, with the name the build has instead.
    assert.deepEqual(
      warnings.map((w: { path: string; message: string }) => `${w.path}: ${w.message}`),
      [
        `services.web.image: not tagged: with build:, a deployer's image is tagged only as "graphium.local/retag/…" (a name such as "${VICTIM_IMAGE}:1" would replace that image for every stack on the host); the service runs its build as retag-web:<hash>`,
      ],
    );
  });
});
