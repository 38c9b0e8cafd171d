import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LABEL_SERVICE, LABEL_STACK } from '../../contracts/vocabulary.js';
import { type DaemonContainer, DaemonProbe } from '../harness/daemon.js';
import { startAgent, startApi, startOrchestrator, stopAll, waitUntilPolling } from '../harness/graphium.js';
import { type TestInfra, useInfra } from '../harness/infra.js';
import { freePort } from '../harness/ports.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import { type ManagedProcess, REPO_ROOT } from '../harness/processes.js';

// Compose projects of our corpus (test/fixtures/compose), deployed as a user deploys them: the CLI
// reads the project from its directory with `-f project.yml -f test-images.yml` (the second file swaps
// the images for the local test image, and tests the merge), uploads it, and follows the deploy. The
// assertions read the daemons and the inside of the running containers: files, secrets, environment,
// mounts.

const CORPUS = join(REPO_ROOT, 'test', 'fixtures', 'compose');
const BIN = join(REPO_ROOT, 'cli', 'bin.js');

interface CliRun {
  code: number | null;
  output: string;
}

describe('Compose projects of the corpus, deployed through the CLI onto real hosts', () => {
  let infra: TestInfra;
  let database: TestDatabase;
  let api: { process: ManagedProcess; baseUrl: string };
  const processes: ManagedProcess[] = [];
  const adminToken = randomBytes(24).toString('hex');
  const probes: DaemonProbe[] = [];

  function cli(project: string, args: string[]): Promise<CliRun> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: join(CORPUS, project),
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          GRAPHIUM_API_URL: api.baseUrl,
          GRAPHIUM_TOKEN: adminToken,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });
  }

  /** Creates the stack from the project's files and deploys it; both must succeed. */
  async function deploy(project: string, stack: string, files: string[], extra: string[] = []) {
    const created = await cli(project, [
      'stack',
      'create',
      ...files.flatMap((f) => ['-f', f]),
      '--name',
      stack,
      ...extra,
    ]);
    assert.equal(created.code, 0, created.output);
    const deployed = await cli(project, ['deploy', stack]);
    assert.equal(deployed.code, 0, deployed.output);
    return deployed;
  }

  /** Every container of a service, on whichever host it landed, with the probe of that host. */
  async function containersOf(stack: string, service: string) {
    const found: { probe: DaemonProbe; container: DaemonContainer }[] = [];
    for (const probe of probes) {
      for (const container of await probe.containers({ [LABEL_STACK]: stack, [LABEL_SERVICE]: service })) {
        found.push({ probe, container });
      }
    }
    return found;
  }

  async function only(stack: string, service: string) {
    const found = await containersOf(stack, service);
    assert.equal(found.length, 1, `one ${service} container of ${stack}`);
    assert.equal(found[0]!.container.state, 'running');
    return found[0]!;
  }

  const inside = async (at: { probe: DaemonProbe; container: DaemonContainer }, cmd: string[]) => {
    const result = await at.probe.exec(at.container.id, cmd);
    assert.equal(result.exitCode, 0, `${cmd.join(' ')}: ${result.output}`);
    return result.output;
  };
  /** `ls -ln` (the test image has no stat): permissions as ls prints them, and the numeric owner. */
  const fileInfo = async (at: { probe: DaemonProbe; container: DaemonContainer }, path: string) => {
    const [mode, , uid, gid] = (await inside(at, ['ls', '-ln', path])).trim().split(/\s+/);
    return { mode, owner: `${uid}:${gid}` };
  };
  const fixture = (project: string, path: string) => readFileSync(join(CORPUS, project, path), 'utf8');

  before(async () => {
    infra = await useInfra();
    database = await createTestDatabase(infra.pgAdminUrl);
    api = await startApi(infra, database.url, adminToken, 'api-projects');
    const agents = ['p1', 'p2'].map((id, index) =>
      startAgent(infra, id, infra.dockerHosts[index]!.dockerHost),
    );
    processes.push(api.process, startOrchestrator(infra, database.url, 'orchestrator-projects'), ...agents);
    await waitUntilPolling(processes.slice(1));
    for (const [index, id] of ['p1', 'p2'].entries()) {
      const response = await fetch(`${api.baseUrl}/api/v1/hosts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id }),
      });
      assert.equal(response.status, 201);
      probes.push(new DaemonProbe(infra.dockerHosts[index]!.socketPath));
    }
  });

  after(async () => {
    await stopAll(processes);
    await database?.drop();
  });

  it('static-site: relative binds of the project and $VAR from .env and --var', async () => {
    const port = await freePort();
    await deploy('static-site', 'site', ['compose.yaml', 'test-images.yml'], ['--var', `SITE_PORT=${port}`]);
    const web = await only('site', 'web');
    assert.equal(await inside(web, ['cat', '/etc/nginx/nginx.conf']), fixture('static-site', 'nginx.conf'));
    assert.equal(
      await inside(web, ['cat', '/usr/share/nginx/html/index.html']),
      fixture('static-site', 'public/index.html'),
    );
    const served = await inside(web, ['wget', '-qO-', 'http://127.0.0.1:80/index.html']);
    assert.equal(served, fixture('static-site', 'public/index.html'));
    const inspected = await web.probe.inspect(web.container.id);
    assert.equal(
      inspected.HostConfig.PortBindings?.['80/tcp']?.[0]?.HostPort,
      String(port),
      'SITE_PORT came from --var',
    );
    const readOnly = inspected.Mounts.filter((m: { Destination: string }) =>
      m.Destination.startsWith('/usr/share/nginx'),
    );
    assert.equal(readOnly[0]?.RW, false, ':ro binds are read-only');
    assert.equal((await cli('static-site', ['delete', 'site'])).code, 0);
  });

  it('node-postgres-secrets: a build from the bundle, a file secret, a health-gated dependency', async () => {
    await deploy('node-postgres-secrets', 'shopdb', ['compose.yaml', 'test-images.yml']);
    const secret = fixture('node-postgres-secrets', 'secrets/db_password.txt');
    const db = await only('shopdb', 'db');
    const api = await only('shopdb', 'api');
    for (const at of [db, api]) {
      assert.equal(await inside(at, ['cat', '/run/secrets/db_password']), secret);
      assert.equal(
        (await fileInfo(at, '/run/secrets/db_password')).mode,
        '-r--r--r--',
        "Compose's default mode",
      );
      const write = await at.probe.exec(at.container.id, ['sh', '-c', 'echo x > /run/secrets/db_password']);
      assert.notEqual(write.exitCode, 0, 'the secret is mounted read-only');
    }
    assert.equal(
      (await inside(api, ['env'])).match(/^DATABASE_PASSWORD_FILE=(.*)$/m)?.[1],
      '/run/secrets/db_password',
    );
    // Built by the agent from the bundle's api/ context, without what .dockerignore leaves out.
    assert.equal(
      await inside(api, ['cat', '/srv/server.js']),
      fixture('node-postgres-secrets', 'api/server.js'),
    );
    const listed = await inside(api, ['ls', '-A', '/srv']);
    assert.doesNotMatch(listed, /node_modules|npm-debug\.log/);
    const dbStarted = Date.parse((await db.probe.inspect(db.container.id)).State.StartedAt);
    const apiStarted = Date.parse((await api.probe.inspect(api.container.id)).State.StartedAt);
    assert.ok(apiStarted >= dbStarted, 'api starts after db is healthy');
    assert.equal((await cli('node-postgres-secrets', ['delete', 'shopdb'])).code, 0);
  });

  it('configs: from a file, inline content with $VAR, and an environment variable, with modes and owners', async () => {
    await deploy('configs', 'cfg', ['compose.yaml', 'test-images.yml']);
    const proxy = await only('cfg', 'proxy');
    assert.equal(await inside(proxy, ['cat', '/etc/proxy/proxy.conf']), fixture('configs', 'proxy.conf'));
    assert.equal((await fileInfo(proxy, '/etc/proxy/proxy.conf')).mode, '-r--r-----', 'mode: 0440');
    assert.equal(await inside(proxy, ['cat', '/site_banner']), 'Welcome to Graphium corpus\n');
    assert.equal(await inside(proxy, ['cat', '/etc/app/settings.json']), '{"feature":true}');
    assert.equal((await fileInfo(proxy, '/etc/app/settings.json')).owner, '1000:1000', 'uid and gid');
    assert.equal((await cli('configs', ['delete', 'cfg'])).code, 0);
  });

  it('multi-file-override: three files merged, !override and !reset, replicas spread over both hosts', async () => {
    await deploy('multi-file-override', 'multi', ['compose.yaml', 'compose.prod.yaml', 'test-images.yml']);
    const webs = await containersOf('multi', 'web');
    assert.equal(webs.length, 2, 'deploy.replicas: 2 from compose.prod.yaml');
    assert.equal(new Set(webs.map((w) => w.probe)).size, 2, 'one replica on each host');
    for (const web of webs) {
      const env = await inside(web, ['env']);
      assert.match(env, /^MODE=production$/m, 'the later file wins');
      assert.doesNotMatch(env, /^DEBUG=/m, '!reset removed DEBUG');
      const inspected = await web.probe.inspect(web.container.id);
      assert.deepEqual(inspected.Mounts, [], '!reset [] removed the development bind mount');
      assert.deepEqual(inspected.Config.Cmd, ['sleep', '3600'], 'test-images.yml merged last');
      assert.equal(inspected.HostConfig.RestartPolicy?.Name, 'always');
    }
    assert.equal((await containersOf('multi', 'cache')).length, 1);
    assert.equal((await cli('multi-file-override', ['delete', 'multi'])).code, 0);
  });

  it('extends-other-file: services extended from another file, with its build, env_file and relative binds', async () => {
    await deploy('extends-other-file', 'ext', ['compose.yaml', 'test-images.yml']);
    const web = await only('ext', 'web');
    const env = await inside(web, ['env']);
    assert.match(env, /^APP_ENV=production$/m, 'env_file of the extended service, resolved in its file');
    assert.match(env, /^WORKERS=4$/m);
    assert.equal(
      await inside(web, ['cat', '/srv/main.py']),
      fixture('extends-other-file', 'common/app/main.py'),
    );
    assert.equal(
      await inside(web, ['cat', '/srv/static/logo.svg']),
      fixture('extends-other-file', 'common/static/logo.svg'),
      'the relative bind resolves against the extended file',
    );
    const db = await only('ext', 'db');
    assert.match(await inside(db, ['env']), /^POSTGRES_PASSWORD=example$/m);
    const inspected = await db.probe.inspect(db.container.id);
    assert.ok(
      inspected.Mounts.some(
        (m: { Type: string; Destination: string }) =>
          m.Type === 'volume' && m.Destination === '/var/lib/postgresql/data',
      ),
    );
    assert.equal((await cli('extends-other-file', ['delete', 'ext'])).code, 0);
  });
});
