import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
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

// A deployer's container plants symbolic links in what it may write on the host (its stack-data
// bind, and, before bundle binds were read-only, the stack version's files), hoping a later container
// of the stack gets the host's files through them: the agent follows no link there. All through the
// CLI, API, orchestrator and agent, checked on the daemons and on the host's filesystem.

const idle = `["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]`;

describe('links planted by containers in their stack directories', () => {
  let infra: TestInfra;
  let database: TestDatabase;
  let baseUrl: string;
  let probes: DaemonProbe[];
  let workDir: string;
  let stacksDir: string;
  let marker: string;
  const markerContent = `host-only-${randomBytes(8).toString('hex')}\n`;
  const processes: ManagedProcess[] = [];
  const adminToken = `e2e-${randomBytes(16).toString('hex')}`;
  let deployerToken: string;

  const call = apiCaller(() => baseUrl);

  const deploy = (stack: string) => deployAndWait(call, stack, deployerToken);

  /** `graphium <args>` in a project directory, as a deployer runs it (or another token's holder). */
  function cli(project: string, args: string[], token = deployerToken): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'cli', 'bin.js'), ...args], {
        cwd: project,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          GRAPHIUM_API_URL: baseUrl,
          GRAPHIUM_TOKEN: token,
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
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`graphium ${args.join(' ')}:\n${output}`)),
      );
    });
  }

  function project(name: string, files: Record<string, [string, number?]>): string {
    const dir = join(workDir, name);
    for (const [path, [content, mode]] of Object.entries(files)) {
      mkdirSync(join(dir, path, '..'), { recursive: true });
      writeFileSync(join(dir, path), content, { mode: mode ?? 0o644 });
    }
    return dir;
  }

  /** Every bind on every daemon whose source, links followed on the host, is the host's `/` or the marker. */
  async function bindsOfHostFiles(): Promise<string[]> {
    const found: string[] = [];
    for (const probe of probes) {
      for (const container of await probe.containers()) {
        for (const mount of (await probe.inspect(container.id)).Mounts) {
          if (mount.Type !== 'bind') continue;
          let real: string;
          try {
            real = realpathSync(mount.Source);
          } catch {
            continue;
          }
          if (real === '/' || real === realpathSync(marker))
            found.push(`${container.name}: ${mount.Source} → ${real} at ${mount.Destination}`);
        }
      }
    }
    return found;
  }

  before(async () => {
    infra = await useInfra();
    workDir = mkdtempSync(join(tmpdir(), 'graphium-links-'));
    // A host file outside every stack directory, which no container may read.
    marker = join(workDir, 'marker');
    writeFileSync(marker, markerContent, { mode: 0o600 });
    database = await createTestDatabase(infra.pgAdminUrl);
    const api = await startApi(infra, database.url, adminToken);
    processes.push(api.process);
    baseUrl = api.baseUrl;
    const dockerHost = infra.dockerHosts[0]!.dockerHost;
    processes.push(startOrchestrator(infra, database.url), startAgent(infra, 'vm1', dockerHost));
    await waitUntilPolling(processes.slice(1));
    stacksDir = join(agentDataDir(infra, 'vm1', dockerHost), 'stacks');
    probes = infra.dockerHosts.map((host) => new DaemonProbe(host.socketPath));
    const created = await fetch(`${baseUrl}/api/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'links-deployer', role: 'deployer' }),
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
    for (const probe of probes ?? []) {
      for (const c of await probe.containers()) {
        if (/^(links|linksecret)_/.test(c.name)) await probe.removeContainer(c.id);
      }
      for (const name of ['links_default', 'linksecret_default']) {
        if (await probe.network(name)) await probe.removeNetwork(name);
      }
    }
    rmSync(workDir, { recursive: true, force: true });
  });

  it('v2 binding ./d/root, which v1’s container made a link to /, fails and rolls back: no container binds /', async () => {
    const v1 = `
services:
  writer:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "ln -s / /d/root; trap 'exit 0' TERM; sleep 3600 & wait"]
    volumes: ["./d:/d"]
`;
    const dir = project('links', { 'compose.yaml': [v1] });
    await cli(dir, ['stack', 'create', '-f', 'compose.yaml', '--name', 'links']);
    const first = await deploy('links');
    assert.equal(first.status, 'succeeded', first.error ?? '');
    const link = join(stacksDir, 'links', 'data', 'd', 'root');
    await waitFor('the container to plant its link on the host', async () => {
      try {
        return lstatSync(link).isSymbolicLink();
      } catch {
        return false;
      }
    });

    const v2 = `${v1}  intruder:
    image: ${TEST_IMAGE}
    command: ${idle}
    volumes: ["./d/root:/host"]
`;
    writeFileSync(join(dir, 'compose.yaml'), v2);
    // A deployer cannot store it: ./d/root lies inside ./d, which writer can write (a link planted
    // there would be followed by the daemon at the intruder's next restart).
    await assert.rejects(
      cli(dir, ['stack', 'update', 'links', '-f', 'compose.yaml']),
      /"\.\/d\/root" lies inside "\.\/d", which service writer can write/,
    );
    // An admin can; the agent still refuses the link when it creates the container.
    await cli(dir, ['stack', 'update', 'links', '-f', 'compose.yaml'], adminToken);
    const second = await deploy('links');
    assert.deepEqual(await bindsOfHostFiles(), [], 'no container on any daemon binds the host’s /');
    assert.equal(second.status, 'rolled_back', second.error ?? '');
    assert.match(
      second.error ?? '',
      new RegExp(
        `service intruder: ${link.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is a symbolic link \\(to /\\); Graphium follows no link in a stack's directories`,
      ),
    );
    const left = (await probes[0]!.containers())
      .filter((c) => c.name.startsWith('links_'))
      .map((c) => c.name);
    assert.deepEqual(left, ['links_writer_1'], 'v1 stays as it was');
  });

  it('a secret swapped for a link to a host file never reaches the next container', async () => {
    const compose = `
services:
  writer:
    image: ${TEST_IMAGE}
    # Swaps the secret's file in the bundle for a link to a host file, when the bind lets it write.
    command: ["sh", "-c", "rm -f /s/token.txt && ln -s ${marker} /s/token.txt; exit 0"]
    volumes: ["./secrets:/s"]
  reader:
    image: ${TEST_IMAGE}
    command: ${idle}
    # The bundle file's own mode and owner: bound as it is, by path, when the reader starts.
    secrets: [{ source: token, mode: 0600 }]
    depends_on:
      writer: { condition: service_completed_successfully }
secrets:
  token:
    file: ./secrets/token.txt
`;
    const dir = project('linksecret', {
      'compose.yaml': [compose],
      'secrets/token.txt': ['the-real-token\n', 0o600],
    });
    await cli(dir, ['stack', 'create', '-f', 'compose.yaml', '--name', 'linksecret']);
    const deployed = await deploy('linksecret');
    assert.equal(deployed.status, 'succeeded', deployed.error ?? '');
    const [digest] = readdirSync(join(stacksDir, 'linksecret', 'bundles'));
    const secretFile = join(stacksDir, 'linksecret', 'bundles', digest!, 'secrets', 'token.txt');
    const read = await probes[0]!.exec('linksecret_reader_1', ['cat', '/run/secrets/token']);
    assert.equal(read.output, 'the-real-token\n', 'the reader gets the secret, not the host file');
    const writer = await probes[0]!.inspect('linksecret_writer_1');
    assert.deepEqual(
      writer.Mounts.map((m) => [m.Destination, m.RW]),
      [['/s', false]],
      'a bundle bind is read-only',
    );
    assert.deepEqual(await bindsOfHostFiles(), []);
    assert.ok(lstatSync(secretFile).isFile(), 'the version’s file is still the secret');

    // A link already in the version's files on the host (planted before binds were read-only): the
    // next deploy refuses it rather than bind or copy the host file.
    rmSync(secretFile);
    symlinkSync(marker, secretFile);
    await probes[0]!.removeContainer('linksecret_reader_1');
    const again = await deploy('linksecret');
    assert.equal(again.status, 'rolled_back', again.error ?? '');
    assert.match(
      again.error ?? '',
      /service reader: .*\/secrets\/token\.txt is a symbolic link \(to .*\/marker\); Graphium follows no link/,
    );
    assert.deepEqual(await bindsOfHostFiles(), []);
    for (const probe of probes) {
      for (const c of (await probe.containers()).filter((c) => c.name.startsWith('linksecret_reader'))) {
        const content = await probe.exec(c.id, ['cat', '/run/secrets/token']).catch(() => ({ output: '' }));
        assert.notEqual(content.output, markerContent, `${c.name} reads the host file`);
      }
    }
  });
});
