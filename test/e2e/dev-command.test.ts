import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { DaemonProbe } from '../harness/daemon.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { type TestInfra, useInfra } from '../harness/infra.js';
import { freePort } from '../harness/ports.js';
import { descendantPids, isAlive } from '../harness/process-tree.js';
import { ManagedProcess, REPO_ROOT } from '../harness/processes.js';

// `npm run dev` as a developer runs it: its own Temporal dev server (with the UI), the embedded
// database, the API, the orchestrator and an agent for "the local Docker", here one of the test
// dockerd hosts. One data directory across two starts proves that everything survives a restart.

const STACK = 'devcmd';

describe('npm run dev', () => {
  let infra: TestInfra;
  let dataDir: string;
  let ports: { api: number; temporal: number; ui: number };
  let dev: ManagedProcess | undefined;
  let token: string;
  /** The banner's `export GRAPHIUM_API_URL=… GRAPHIUM_TOKEN=…`, as a user pastes it. */
  let exported: Record<string, string> = {};
  let deployment: { deploymentId: string; workflowId: string };
  const started: ManagedProcess[] = [];

  before(async () => {
    infra = await useInfra();
    dataDir = mkdtempSync(join(tmpdir(), 'graphium-dev-'));
    ports = { api: await freePort(), temporal: await freePort(), ui: await freePort() };
  });

  after(async () => {
    for (const proc of started) await proc.stop(30_000);
    const probe = new DaemonProbe(infra.dockerHosts[0]!.socketPath);
    for (const c of await probe.containers({ 'io.graphium.stack': STACK })) await probe.removeContainer(c.id);
    rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * `npm run dev` in its own process group, like a shell's foreground job, so Ctrl-C can be sent
   * the way a terminal sends it: to npm and dev at once.
   */
  function spawnDev(name: string, dataDirectory = dataDir, portSet = ports): ManagedProcess {
    const child = spawn('npm', ['run', '--silent', 'dev'], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        GRAPHIUM_DATA_DIR: dataDirectory,
        PORT: String(portSet.api),
        TEMPORAL_PORT: String(portSet.temporal),
        TEMPORAL_UI_PORT: String(portSet.ui),
        DOCKER_HOST: infra.dockerHosts[0]!.dockerHost,
        TEMPORAL_CLI: process.env.TEMPORAL_CLI,
      },
    });
    const proc = new ManagedProcess(name, child);
    started.push(proc);
    return proc;
  }

  /** Starts dev and returns the banner's token and where it came from. */
  async function startDev(name: string): Promise<{ token: string; source: string }> {
    dev = spawnDev(name);
    const line = await dev.waitForLog(/export GRAPHIUM_API_URL=\S+ GRAPHIUM_TOKEN=\S+/, 240_000);
    const [, url, printed] = /GRAPHIUM_API_URL=(\S+) GRAPHIUM_TOKEN=(\S+)/.exec(line)!;
    assert.equal(url, `http://127.0.0.1:${ports.api}`);
    exported = { GRAPHIUM_API_URL: url!, GRAPHIUM_TOKEN: printed! };
    const source = /Admin token\s+\S+\s+\(from (.+)\)/.exec(dev.logs)?.[1] ?? '';
    return { token: printed!, source };
  }

  /** GET under /api/v1 with the admin token; the few fields these tests read. */
  async function getJson<T>(path: string): Promise<T> {
    const response = await fetch(`http://127.0.0.1:${ports.api}/api/v1${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, 200, `GET ${path}`);
    return (await response.json()) as T;
  }

  /** The `graphium` CLI (cli/bin.js) as a user runs it after pasting the banner's export line. */
  function runCli(args: string[]): Promise<{ code: number | null; output: string }> {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'cli', 'bin.js'), ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...exported },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
  }

  async function stopWithCtrlC(proc: ManagedProcess): Promise<void> {
    const children = descendantPids(proc.child.pid!);
    assert.ok(children.length > 0, 'dev runs the Temporal server as a child');
    process.kill(-proc.child.pid!, 'SIGINT');
    const code = await Promise.race([
      proc.exited,
      new Promise((resolve) => setTimeout(() => resolve('still running after 30 s'), 30_000)),
    ]);
    assert.equal(code, 0, proc.tail());
    assert.match(proc.logs, /"graphium dev stopped"/);
    assert.deepEqual(
      children.filter((pid) => isAlive(pid)),
      [],
      'no child process outlives dev',
    );
    assert.equal(existsSync(join(dataDir, 'temporal.pid')), false);
  }

  it('starts Temporal with its UI, the API and an agent for host local, and prints how to use them', async () => {
    const banner = await startDev('dev-first');
    token = banner.token;
    assert.match(banner.source, /admin-token \(new\)$/);
    assert.equal(statSync(join(dataDir, 'admin-token')).mode & 0o777, 0o600);
    assert.match(dev!.logs, new RegExp(`API docs\\s+http://127.0.0.1:${ports.api}/api/v1/docs`));
    assert.match(dev!.logs, new RegExp(`Temporal UI\\s+http://127.0.0.1:${ports.ui}/`));
    assert.match(dev!.logs, new RegExp(`Dashboard\\s+http://127.0.0.1:${ports.api}/\\s`));
    const page = await fetch(`http://127.0.0.1:${ports.api}/`);
    assert.equal(page.status, 200, 'npm run dev built and serves the dashboard');
    assert.match(await page.text(), /<div id="app">/);
    const me = await getJson<{ temporalUi: { url: string } | null }>('/me');
    assert.equal(me.temporalUi?.url, `http://127.0.0.1:${ports.ui}`, 'the dashboard links the dev UI');
    assert.equal((await fetch(`http://127.0.0.1:${ports.api}/api/v1/healthz`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${ports.ui}/`)).status, 200, 'the Temporal Web UI answers');
    const host = await getJson<{ status: string }>('/hosts/local');
    assert.equal(host.status, 'online', JSON.stringify(host));
    // The keys of Temporal payloads are generated once and kept, owner-only, like the token.
    for (const file of ['payload-keys', 'api-signing-key', 'orchestrator-signing-key']) {
      assert.equal(statSync(join(dataDir, file)).mode & 0o777, 0o600, file);
    }
    // The UI decodes payloads through the API's codec endpoint; the settings it serves to anyone hold no token.
    const settings = await (await fetch(`http://127.0.0.1:${ports.ui}/api/v1/settings`)).text();
    assert.equal(JSON.parse(settings).Codec.Endpoint, `http://127.0.0.1:${ports.api}/api/v1/temporal-codec`);
    assert.ok(!settings.includes(token), 'the UI serves no token');
  });

  it('deploys a one-container stack to host local with the CLI, using the printed export line', async () => {
    const composeFile = join(dataDir, 'compose.yml');
    writeFileSync(composeFile, `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: sleep 3600\n`);
    const created = await runCli(['stack', 'create', '-f', composeFile, '--name', STACK]);
    assert.equal(created.code, 0, created.output);
    const deployed = await runCli(['deploy', STACK]);
    assert.equal(deployed.code, 0, `the CLI follows the deploy until it succeeds:\n${deployed.output}`);
    const list = await getJson<{ items: { id: string; workflowId: string; status: string }[] }>(
      `/deployments?stackId=${STACK}`,
    );
    const [latest] = list.items;
    assert.equal(latest?.status, 'succeeded', JSON.stringify(list));
    deployment = { deploymentId: latest!.id, workflowId: latest!.workflowId };
    const containers = await new DaemonProbe(infra.dockerHosts[0]!.socketPath).containers({
      'io.graphium.stack': STACK,
    });
    assert.deepEqual(
      containers.map((c) => [c.name, c.state, c.labels['io.graphium.host']]),
      [[`${STACK}_app_1`, 'running', 'local']],
    );
    assert.match(await decodeThroughUiEndpoint(), /"stack":"devcmd"/);
  });

  /**
   * What the Temporal UI does to show the deploy's input once its user signed in at the codec sign-in
   * form (with the admin token here): a CORS preflight, then the decode with the codec cookie.
   */
  async function decodeThroughUiEndpoint(): Promise<string> {
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    let input: unknown;
    try {
      const client = new Client({ connection, namespace: 'default' });
      const history = await client.workflow.getHandle(deployment.workflowId).fetchHistory();
      const sealed = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads ?? [];
      input = {
        payloads: sealed.map((p) => ({
          metadata: Object.fromEntries(
            Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
          ),
          data: Buffer.from(p.data ?? []).toString('base64'),
        })),
      };
    } finally {
      await connection.close();
    }
    const settings = (await (await fetch(`http://127.0.0.1:${ports.ui}/api/v1/settings`)).json()) as {
      Codec: { Endpoint: string };
    };
    const origin = `http://localhost:${ports.ui}`;
    const signedIn = await fetch(`http://127.0.0.1:${ports.api}/api/v1/temporal-codec/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    assert.equal(signedIn.status, 200);
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0]!;
    const preflight = await fetch(`${settings.Codec.Endpoint}/decode`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), origin);
    const decoded = await fetch(`${settings.Codec.Endpoint}/decode`, {
      method: 'POST',
      headers: { origin, cookie, 'content-type': 'application/json', 'x-namespace': 'default' },
      body: JSON.stringify(input),
    });
    assert.equal(decoded.status, 200, await decoded.clone().text());
    const { payloads } = (await decoded.json()) as { payloads: { data: string }[] };
    return Buffer.from(payloads[0]!.data, 'base64').toString();
  }

  it('stops every part and the Temporal server on Ctrl-C, and exits 0', async () => {
    await stopWithCtrlC(dev!);
  });

  it('after a restart the stack, its history and the admin token are all still there', async () => {
    const banner = await startDev('dev-restart');
    assert.equal(banner.token, token, 'the same token');
    assert.equal(banner.source, join(dataDir, 'admin-token'));
    const stacks = await getJson<{ items: { name: string }[] }>('/stacks');
    assert.ok(
      stacks.items.some((s) => s.name === STACK),
      JSON.stringify(stacks),
    );
    const previous = await getJson<{ status: string }>(`/deployments/${deployment.deploymentId}`);
    assert.equal(previous.status, 'succeeded');
    const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    try {
      const client = new Client({ connection, namespace: 'default' });
      const run = await client.workflow.getHandle(deployment.workflowId).describe();
      assert.equal(run.status.name, 'COMPLETED', 'the workflow history survived in temporal.db');
    } finally {
      await connection.close();
    }
    assert.match(
      await decodeThroughUiEndpoint(),
      /"stack":"devcmd"/,
      'its payloads still open: the keys were kept',
    );
  });

  it('a second npm run dev on the same data directory refuses to start and disturbs nothing', async () => {
    const other = { api: await freePort(), temporal: await freePort(), ui: await freePort() };
    const second = spawnDev('dev-second', dataDir, other);
    assert.equal(await second.exited, 1, second.tail());
    assert.match(second.logs, /is in use by another `npm run dev` \(process \d+\)/);
    assert.equal((await fetch(`http://127.0.0.1:${ports.api}/api/v1/healthz`)).status, 200);
    await stopWithCtrlC(dev!);
  });
});
