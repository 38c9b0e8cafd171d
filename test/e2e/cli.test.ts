import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DaemonProbe } from '../harness/daemon.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { startAgent, startApi, startOrchestrator, stopAll, waitUntilPolling } from '../harness/graphium.js';
import { type TestInfra, useInfra } from '../harness/infra.js';
import { waitFor } from '../harness/ports.js';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.js';
import { type ManagedProcess, REPO_ROOT } from '../harness/processes.js';

// The `graphium` CLI as a user runs it (`node cli/bin.js …` from another directory, stdout a pipe
// so progress comes as plain lines) against the real stack: `npm run api`, the orchestrator, and
// one agent on a real dockerd.

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  output: string;
}

const BIN = join(REPO_ROOT, 'cli', 'bin.js');

describe('graphium CLI against the real API, orchestrator and agent', () => {
  let infra: TestInfra;
  let database: TestDatabase;
  let api: { process: ManagedProcess; baseUrl: string };
  let workDir: string;
  let probe: DaemonProbe;
  const adminToken = randomBytes(24).toString('hex');
  const processes: ManagedProcess[] = [];
  let failedDeploymentId = '';

  /** Runs the CLI to its end; `env` replaces the API URL and token (undefined removes one). */
  function cli(
    args: string[],
    env: Record<string, string | undefined> = {},
    stdin?: string,
  ): Promise<CliRun> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        // Another directory on purpose: the bin must not depend on the working directory.
        cwd: workDir,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          GRAPHIUM_API_URL: api.baseUrl,
          GRAPHIUM_TOKEN: adminToken,
          ...env,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk;
        output += chunk;
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk;
        output += chunk;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
      child.on('error', reject);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, output });
      });
      child.stdin.end(stdin ?? '');
    });
  }

  const show = (run: CliRun) => `exit ${run.code}; output:\n${run.output}`;

  before(async () => {
    infra = await useInfra();
    database = await createTestDatabase(infra.pgAdminUrl);
    workDir = mkdtempSync(join(tmpdir(), 'graphium-cli-'));
    probe = new DaemonProbe(infra.dockerHosts[0]!.socketPath);
    api = await startApi(infra, database.url, adminToken);
    processes.push(
      api.process,
      startOrchestrator(infra, database.url),
      startAgent(infra, 'vm1', infra.dockerHosts[0]!.dockerHost),
    );
    await waitUntilPolling(processes.slice(1));
  });

  after(async () => {
    await stopAll(processes);
    await database?.drop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('hosts add prints the agent command; hosts shows the host online with its agent', async () => {
    const added = await cli(['hosts', 'add', 'vm1', '--label', 'zone=a']);
    assert.equal(added.code, 0, show(added));
    assert.match(added.stdout, /host vm1 registered \(name vm1, labels zone=a\)/);
    assert.match(added.stdout, /GRAPHIUM_HOST_ID=vm1 .*npm run agent/);
    const listed = await waitFor('vm1 to be listed online', async () => {
      const run = await cli(['hosts']);
      assert.equal(run.code, 0, show(run));
      return /^vm1\s+vm1\s+online\s+\S*vm1\S*\s+\d{4}-/m.test(run.stdout) && run;
    });
    assert.match(listed.stdout, /^ID\s+NAME\s+STATUS\s+AGENT\s+LAST POLL\s+LABELS$/m);
  });

  it('stack create sends a Compose file; deploy follows it to running and exits 0', async () => {
    const composeFile = join(workDir, 'compose.yml');
    writeFileSync(composeFile, `services:\n  app:\n    image: ${TEST_IMAGE}\n    command: sleep 3600\n`);
    const created = await cli(['stack', 'create', '-f', composeFile, '--name', 'clidemo']);
    assert.equal(created.code, 0, show(created));
    assert.match(created.stdout, /created stack clidemo at version 1 \(services: app\)/);

    const deployed = await cli(['deploy', 'clidemo']);
    assert.equal(deployed.code, 0, show(deployed));
    assert.ok(
      !deployed.stdout.includes(String.fromCharCode(27)),
      'no terminal control codes when stdout is a pipe',
    );
    assert.match(deployed.stdout, /^deploy clidemo: deployment [0-9a-f-]{36}, workflow deploy-clidemo-1$/m);
    assert.match(deployed.stdout, /^\[\s*\d+%\] vm1 clidemo_app_1: running$/m);
    assert.match(deployed.stdout, /^\[100%\] deploy clidemo: succeeded$/m);
    assert.match(deployed.stdout, /^deploy clidemo succeeded in .* \(1 container\)$/m);

    const containers = await probe.containers({ 'io.graphium.stack': 'clidemo' });
    assert.deepEqual(
      containers.map((c) => [c.name, c.state]),
      [['clidemo_app_1', 'running']],
    );
    const stacks = await cli(['stacks']);
    assert.match(stacks.stdout, /^clidemo\s+1\s+app\s/m, show(stacks));
  });

  it('a deploy whose image cannot be pulled exits 1 and prints the pull error', async () => {
    // From standard input, as `generate-compose | graphium stack create -f -` would send it.
    const created = await cli(
      ['stack', 'create', '-f', '-', '--name', 'clibroken'],
      {},
      'services:\n  web:\n    image: graphium-test/nope:1\n',
    );
    assert.equal(created.code, 0, show(created));
    const deployed = await cli(['deploy', 'clibroken']);
    assert.equal(deployed.code, 1, show(deployed));
    assert.match(deployed.stdout, /^deploy clibroken (failed|rolled_back) after .*graphium-test\/nope:1/m);
    assert.match(
      deployed.stdout,
      /^failed containers:\n {2}vm1 clibroken_web_1: failed.*could not be pulled/m,
    );
    failedDeploymentId = /deployment ([0-9a-f-]{36})/.exec(deployed.stdout)?.[1] ?? '';
    assert.ok(failedDeploymentId, 'the deploy printed its deployment id');
    assert.deepEqual(await probe.containers({ 'io.graphium.stack': 'clibroken' }), []);
  });

  it('status prints a deployment, exits by its status, and --json gives the API answer', async () => {
    const status = await cli(['status', failedDeploymentId]);
    assert.equal(status.code, 1, show(status));
    assert.match(status.stdout, /^stack\s+clibroken \(/m);
    assert.match(status.stdout, /^status\s+(failed|rolled_back) /m);
    assert.match(status.stdout, /^vm1\s+clibroken_web_1\s+failed\s/m);
    const json = await cli(['status', failedDeploymentId, '--json']);
    assert.equal(json.code, 1, show(json));
    const deployment = JSON.parse(json.stdout) as { id: string; status: string; containers: unknown[] };
    assert.equal(deployment.id, failedDeploymentId);
    assert.match(deployment.status, /^(failed|rolled_back)$/);

    const list = await cli(['deployments', '--stack', 'clidemo']);
    assert.equal(list.code, 0, show(list));
    assert.match(list.stdout, /^[0-9a-f-]{36}\s+clidemo\s+deploy\s+succeeded\s+100%/m);
    assert.doesNotMatch(list.stdout, /clibroken/);
  });

  it('delete removes the stack from the daemon and exits 0', async () => {
    const deleted = await cli(['delete', 'clidemo']);
    assert.equal(deleted.code, 0, show(deleted));
    assert.match(deleted.stdout, /^\[\s*\d+%\] vm1 clidemo_app_1: removed$/m);
    assert.match(deleted.stdout, /^delete clidemo succeeded/m);
    assert.deepEqual(await probe.containers({ 'io.graphium.stack': 'clidemo' }), []);
    const stacks = await cli(['stacks', '--json']);
    const listed = JSON.parse(stacks.stdout) as { items: { name: string }[] };
    assert.ok(Array.isArray(listed.items), '--json prints the API answer as it came: {items: [...]}');
    assert.ok(!listed.items.some((s) => s.name === 'clidemo'));
  });

  it('token create prints only the secret, and a deployer token made with it works', async () => {
    const created = await cli(['token', 'create', 'cli-e2e', '--role', 'deployer']);
    assert.equal(created.code, 0, show(created));
    const secret = created.stdout.trim();
    assert.match(secret, /^gph_\S+$/);
    const stacks = await cli(['stacks'], { GRAPHIUM_TOKEN: secret });
    assert.equal(stacks.code, 0, show(stacks));
    const refused = await cli(['hosts', 'add', 'vm9'], { GRAPHIUM_TOKEN: secret });
    assert.equal(refused.code, 3, show(refused));
    assert.match(refused.stderr, /^graphium: requires role admin \(HTTP 403 forbidden\)$/m);
  });

  it('registry login reads the password from stdin; list never shows it; logout forgets it', async () => {
    const login = await cli(
      ['registry', 'login', 'registry.example:5000', '-u', 'puller', '--password-stdin'],
      {},
      's3cret-pull-token\n',
    );
    assert.equal(login.code, 0, show(login));
    assert.match(login.stdout, /^registry registry.example:5000: agents pull as puller$/m);
    const list = await cli(['registry', 'list']);
    assert.match(list.stdout, /^registry.example:5000\s+puller\s/m);
    assert.doesNotMatch(list.output, /s3cret/);
    const empty = await cli(['registry', 'login', 'x.example', '-u', 'u', '--password-stdin'], {}, '');
    assert.equal(empty.code, 2, show(empty));
    assert.equal((await cli(['registry', 'logout', 'registry.example:5000'])).code, 0);
    assert.doesNotMatch((await cli(['registry', 'list'])).output, /registry.example/);
  });

  it('vars set keeps the other variables, unset removes; a viewer sees names only', async () => {
    const created = await cli(
      ['stack', 'create', '-f', '-', '--name', 'clivars'],
      {},
      `services:\n  app:\n    image: ${TEST_IMAGE}\n`,
    );
    assert.equal(created.code, 0, show(created));
    assert.equal((await cli(['vars', 'set', 'clivars', 'TAG=1.4', 'DSN=postgres://u:p@db/x?a=b'])).code, 0);
    assert.equal((await cli(['vars', 'set', 'clivars', 'TAG=1.5'])).code, 0);
    const listed = await cli(['vars', 'list', 'clivars']);
    assert.match(listed.stdout, /^DSN\s+postgres:\/\/u:p@db\/x\?a=b$/m);
    assert.match(listed.stdout, /^TAG\s+1\.5$/m);
    assert.equal((await cli(['vars', 'unset', 'clivars', 'DSN'])).code, 0);
    const viewerToken = (await cli(['token', 'create', 'cli-viewer', '--role', 'viewer'])).stdout.trim();
    const asViewer = await cli(['vars', 'list', 'clivars'], { GRAPHIUM_TOKEN: viewerToken });
    assert.match(asViewer.stdout, /^TAG\s+\*\*\*$/m);
    assert.doesNotMatch(asViewer.stdout, /DSN/);
  });

  it('exit 3 with the API message for a bad token, exit 2 without a token or with bad flags', async () => {
    const badToken = await cli(['hosts'], { GRAPHIUM_TOKEN: 'gph_not-a-real-token' });
    assert.equal(badToken.code, 3, show(badToken));
    assert.equal(badToken.stderr, 'graphium: invalid or revoked token (HTTP 401 unauthorized)\n');
    assert.equal(badToken.stdout, '');

    const noToken = await cli(['deploy', 'clidemo'], { GRAPHIUM_TOKEN: undefined });
    assert.equal(noToken.code, 2, show(noToken));
    assert.match(noToken.stderr, /no API token: pass --token or set GRAPHIUM_TOKEN/);
    assert.doesNotMatch(noToken.output, /\n\s+at /, 'no stack trace');

    const badFlag = await cli(['deploy', 'clidemo', '--version', 'x']);
    assert.equal(badFlag.code, 2, show(badFlag));
    const help = await cli(['deploy', '--help'], { GRAPHIUM_TOKEN: undefined });
    assert.equal(help.code, 0, show(help));
    assert.match(help.stdout, /Usage: graphium deploy \[options\] <stack>/);
  });
});
