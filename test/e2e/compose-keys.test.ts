import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { builtImageTag } from '../../stack/names.js';
import type { ServiceSpec, StackSpec } from '../../stack/types.js';
import { makeBundle, type ProjectFile, putStackSpec } from '../harness/bundles.js';
import { DaemonProbe } from '../harness/daemon.js';
import { itReplaysEveryWorkflowItRan, useDeployEnvironment } from '../harness/deploy-env.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { agentDataDir } from '../harness/graphium.js';
import { type FakeRegistry, startFakeRegistry } from '../harness/registry.js';
import { containersOnHosts, runOperation } from '../harness/stack-ops.js';

// Stack versions as the Compose loader makes them (normalized specs with their project files),
// deployed onto real dockerd hosts; every assertion reads the daemons and the running containers.

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const MiB = 1024 * 1024;

function service(name: string, extra: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name,
    image: TEST_IMAGE,
    command: ['sleep', '3600'],
    environment: {},
    ports: [],
    mounts: [],
    labels: {},
    restart: { policy: 'no' },
    stopGracePeriodMs: 1000,
    dependsOn: [],
    replicas: 1,
    constraints: [],
    networks: [{ name: 'default', aliases: [name] }],
    ...extra,
  };
}

const onHost = (host: string) => [
  {
    expression: `node.hostname == ${host}`,
    field: 'node.hostname' as const,
    operator: '==' as const,
    value: host,
  },
];

const DOCKERFILE = `FROM ${TEST_IMAGE} AS base
ARG GREETING=hello
RUN echo "$GREETING from the build" > /built.txt
FROM base AS runtime
COPY greeting.txt /app/greeting.txt
FROM base AS unused
RUN exit 7
`;

/** What the loader would compute over the build's context and settings; any digest of them does. */
const APP_BUILD_DIGEST = sha(`${DOCKERFILE}copied by the build\n`);

function project(appConf: string): Record<string, ProjectFile> {
  return {
    'compose.yaml': { content: 'services: {}\n' },
    'app/Dockerfile': { content: DOCKERFILE },
    'app/greeting.txt': { content: 'copied by the build\n' },
    'conf/app.conf': { content: appConf },
    'conf/site/index.html': { content: '<h1>site</h1>\n' },
    'secrets/db_password.txt': { content: 's3cret-pw\n', mode: 0o600, secret: true },
  };
}

/** The project `keys`: each key users write, on services spread over vm1 and vm2. */
function keysSpec(cacheGeneration: string): StackSpec {
  const app = service('app', {
    image: 'acme/app:dev',
    // As the API marks an admin's version: the build is tagged `acme/app:dev` too.
    hostAccess: true,
    build: {
      context: 'app',
      dockerfile: 'Dockerfile',
      args: { GREETING: 'bonjour' },
      target: 'runtime',
      labels: { 'com.example.built-by': 'graphium' },
      contextDigest: APP_BUILD_DIGEST,
    },
    replicas: 2,
    constraints: [
      {
        expression: 'node.labels.zone == a',
        field: 'node.labels',
        label: 'zone',
        operator: '==',
        value: 'a',
      },
    ],
    dependsOn: [
      { service: 'migrate', condition: 'service_completed_successfully' },
      { service: 'cache', condition: 'service_started', restart: true },
    ],
    environment: { MODE: 'test' },
    expose: ['3000'],
    hostname: 'app-host',
    domainname: 'example.internal',
    user: '1000:1000',
    groupAdd: ['123'],
    workingDir: '/app',
    extraHosts: ['legacy.internal:10.1.2.3'],
    dns: ['10.0.0.2'],
    dnsSearch: ['example.internal'],
    dnsOpt: ['ndots:2'],
    capDrop: ['ALL'],
    capAdd: ['CHOWN'],
    sysctls: { 'net.core.somaxconn': '1024' },
    ulimits: { nofile: { soft: 1000, hard: 2000 } },
    shmSizeBytes: 8 * MiB,
    init: true,
    readOnly: true,
    logging: { driver: 'json-file', options: { 'max-size': '1m' } },
    resources: { memoryBytes: 64 * MiB, nanoCpus: 500_000_000, cpuShares: 512, pidsLimit: 64 },
    mounts: [
      { type: 'bundle', source: 'conf/site', target: '/etc/site', readOnly: true },
      { type: 'stack-data', source: 'data', target: '/data', readOnly: true },
      {
        type: 'tmpfs',
        source: '',
        target: '/scratch',
        readOnly: false,
        tmpfsSizeBytes: MiB,
        tmpfsMode: 0o1770,
      },
      { type: 'volume', source: '', target: '/cache', readOnly: false },
    ],
    secrets: [
      { source: 'db_password', target: '/run/secrets/db_password', uid: '1000', gid: '1000', mode: 0o400 },
    ],
    configs: [{ source: 'app_conf', target: '/etc/app/app.conf' }],
    networks: [
      { name: 'default', aliases: ['app'] },
      { name: 'backend', aliases: ['app'] },
    ],
  });
  return {
    services: [
      service('migrate', {
        command: ['sh', '-c', 'echo migrated > /data/migrated.txt'],
        mounts: [{ type: 'stack-data', source: './data', target: '/data', readOnly: false }],
        constraints: onHost('vm1'),
      }),
      service('cache', {
        environment: { GENERATION: cacheGeneration },
        platform: 'linux/amd64',
        constraints: onHost('vm1'),
        networks: [{ name: 'backend', aliases: ['cache'], ipv4Address: '172.28.5.10' }],
      }),
      app,
      service('sidecar', {
        dependsOn: [{ service: 'cache', condition: 'service_started' }],
        constraints: onHost('vm1'),
      }),
      service('watcher', {
        dependsOn: [{ service: 'cache', condition: 'service_started', restart: true }],
        constraints: onHost('vm1'),
      }),
    ],
    networks: [
      { name: 'default', external: false },
      {
        name: 'backend',
        external: false,
        ipam: { config: [{ subnet: '172.28.5.0/24' }] },
        hostAccess: true,
      },
    ],
    volumes: [],
    secrets: [{ name: 'db_password', file: 'secrets/db_password.txt' }],
    configs: [{ name: 'app_conf', file: 'conf/app.conf' }],
  };
}

describe('the keys users write, on real dockerd hosts', () => {
  const env = useDeployEnvironment([{ zone: 'a' }, { zone: 'a' }, { zone: 'b' }]);
  const fast = { options: { settleMs: 500 } };
  const probe = (hostId: string) =>
    new DaemonProbe(env.infra.dockerHosts[env.hostIds.indexOf(hostId)]!.socketPath);
  const dataDir = (hostId: string) =>
    agentDataDir(env.infra, hostId, env.infra.dockerHosts[env.hostIds.indexOf(hostId)]!.dockerHost);
  const run = async (hostId: string, container: string, ...cmd: string[]) => {
    const { exitCode, output } = await probe(hostId).exec(container, cmd);
    return { exitCode, output: output.trim() };
  };
  const cat = async (hostId: string, container: string, path: string) => {
    const result = await run(hostId, container, 'cat', path);
    assert.equal(result.exitCode, 0, `cat ${path} in ${container}: ${result.output}`);
    return result.output;
  };
  const appTag = builtImageTag('keys', 'app', APP_BUILD_DIGEST);

  it('deploys the project: builds, files, secrets, configs and every runtime key reach the containers', async () => {
    await putStackSpec(env.ctx.db, 'keys', keysSpec('1'), makeBundle(project('level = 1\n')));
    const { deployment, failure } = await runOperation(env.ctx, 'keys', 'deploy', fast);
    assert.equal(failure, undefined, deployment.error ?? failure?.message);
    assert.equal(deployment.status, 'succeeded');
    const status = Object.fromEntries(deployment.containers.map((c) => [`${c.name}@${c.hostId}`, c.status]));
    assert.deepEqual(status, {
      'keys_migrate_1@vm1': 'completed',
      'keys_cache_1@vm1': 'running',
      'keys_app_1@vm2': 'running',
      'keys_app_2@vm1': 'running',
      'keys_sidecar_1@vm1': 'running',
      'keys_watcher_1@vm1': 'running',
    });

    // The one-shot ran to completion before its dependents started, and left its data.
    const migrate = await probe('vm1').inspect('keys_migrate_1');
    assert.deepEqual([migrate.State.Status, migrate.State.ExitCode], ['exited', 0]);
    const app = 'keys_app_2';
    assert.equal(await cat('vm1', app, '/data/migrated.txt'), 'migrated');

    // Built on each host that runs it, from the bundle's context, with args, target and labels.
    for (const hostId of ['vm1', 'vm2']) {
      const image = await probe(hostId).inspectImage(appTag);
      assert.equal(image.Config.Labels?.['com.example.built-by'], 'graphium', hostId);
      assert.equal(
        (await probe(hostId).inspectImage('acme/app:dev')).Id,
        image.Id,
        `also tagged as image on ${hostId}`,
      );
    }
    assert.equal(await cat('vm1', app, '/built.txt'), 'bonjour from the build');
    assert.equal(await cat('vm2', 'keys_app_1', '/app/greeting.txt'), 'copied by the build');

    // Secrets and configs: content, owner, mode, read-only.
    assert.equal(await cat('vm1', app, '/run/secrets/db_password'), 's3cret-pw');
    assert.match(
      (await run('vm1', app, 'ls', '-ln', '/run/secrets/db_password')).output,
      /^-r-------- +1 1000 +1000 /,
    );
    assert.equal(await cat('vm1', app, '/etc/app/app.conf'), 'level = 1');
    assert.match((await run('vm1', app, 'ls', '-ln', '/etc/app/app.conf')).output, /^-r--r--r-- /);
    const write = await run('vm1', app, 'sh', '-c', 'echo x > /run/secrets/db_password');
    assert.notEqual(write.exitCode, 0, 'a secret cannot be written');
    assert.equal(await cat('vm1', app, '/etc/site/index.html'), '<h1>site</h1>');

    // Identity, environment and the runtime keys, as the container sees them.
    assert.equal((await run('vm1', app, 'busybox', 'id')).output, 'uid=1000 gid=1000 groups=123,1000');
    assert.match((await run('vm1', app, 'env')).output, /^MODE=test$/m);
    assert.equal((await run('vm1', app, 'busybox', 'hostname')).output, 'app-host');
    assert.equal((await run('vm1', app, 'busybox', 'pwd')).output, '/app');
    assert.equal(await cat('vm1', app, '/proc/sys/net/core/somaxconn'), '1024');
    // The main process's limits (a `docker exec` gets the daemon's own).
    assert.match(await cat('vm1', app, '/proc/1/limits'), /^Max open files\s+1000\s+2000\s/m);
    assert.match(await cat('vm1', app, '/proc/1/status'), /^CapBnd:\s+0000000000000001$/m);
    assert.match(await cat('vm1', app, '/proc/1/cmdline'), /docker-init/);
    assert.match(await cat('vm1', app, '/etc/hosts'), /10\.1\.2\.3\s+legacy\.internal/);
    const resolv = await cat('vm1', app, '/etc/resolv.conf');
    assert.match(resolv, /^search example\.internal$/m);
    assert.match(resolv, /^options ndots:2$/m);
    const mounts = await cat('vm1', app, '/proc/mounts');
    assert.match(mounts, /^tmpfs \/scratch tmpfs \S*size=1024k,mode=1770 /m);
    assert.match(mounts, /^shm \/dev\/shm tmpfs \S*size=8192k/m);
    assert.notEqual((await run('vm1', app, 'sh', '-c', 'echo x > /rootfile')).exitCode, 0, 'read-only root');
    const scratch = await run('vm1', app, 'sh', '-c', 'echo x > /scratch/f');
    assert.notEqual(scratch.exitCode, 0, 'the tmpfs mode keeps uid 1000 out of the root-owned /scratch');
    const limit = await run(
      'vm1',
      app,
      'sh',
      '-c',
      'cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes',
    );
    assert.equal(limit.output, String(64 * MiB));

    const inspected = await probe('vm1').inspect(app);
    assert.equal(inspected.Config.Domainname, 'example.internal');
    assert.deepEqual(Object.keys(inspected.Config.ExposedPorts ?? {}), ['3000/tcp']);
    const host = inspected.HostConfig;
    assert.deepEqual(
      [host.Memory, host.NanoCpus, host.CpuShares, host.PidsLimit, host.Dns, host.LogConfig],
      [64 * MiB, 500_000_000, 512, 64, ['10.0.0.2'], { Type: 'json-file', Config: { 'max-size': '1m' } }],
    );
    const anonymous = inspected.Mounts.find((m) => m.Destination === '/cache');
    assert.equal(anonymous?.Type, 'volume');
    assert.match(anonymous?.Name ?? '', /^[0-9a-f]{64}$/, 'an anonymous volume');
    assert.equal(
      inspected.Mounts.find((m) => m.Destination === '/etc/site')?.Source,
      join(dataDir('vm1'), 'stacks', 'keys', 'bundles', await bundleDigest(), 'conf', 'site'),
    );

    // A fixed address on a network with its own subnet.
    const cache = await probe('vm1').inspect('keys_cache_1');
    assert.equal(cache.NetworkSettings.Networks.keys_backend?.IPAddress, '172.28.5.10');
  });

  async function bundleDigest(): Promise<string> {
    const [digest] = readdirSync(join(dataDir('vm1'), 'stacks', 'keys', 'bundles'));
    return digest!;
  }

  it('redeploying the same version leaves everything as it is (the build is not run again)', async () => {
    const before = Object.values(await containersOnHosts(env.infra, env.hostIds, 'keys')).flat();
    const imageBefore = (await probe('vm1').inspectImage(appTag)).Id;
    const builds = () =>
      readFileSync(env.agents.get('vm1')!.logFile, 'utf8').split('"building image"').length - 1;
    assert.equal(builds(), 1, 'vm1 built app once, for the first deploy');
    const { deployment } = await runOperation(env.ctx, 'keys', 'deploy', fast);
    assert.equal(deployment.status, 'succeeded', deployment.error ?? '');
    for (const c of deployment.containers) {
      assert.equal(c.status, c.service === 'migrate' ? 'completed' : 'unchanged', c.name);
    }
    const after = Object.values(await containersOnHosts(env.infra, env.hostIds, 'keys')).flat();
    assert.deepEqual(
      after.map((c) => [c.name, c.id]),
      before.map((c) => [c.name, c.id]),
    );
    assert.equal((await probe('vm1').inspectImage(appTag)).Id, imageBefore);
    assert.equal(builds(), 1, 'the tag was there: no second build');
  });

  it('a new version recreates what uses changed files or a changed restart: true dependency, and prunes old files', async () => {
    const before = new Map(
      Object.values(await containersOnHosts(env.infra, env.hostIds, 'keys'))
        .flat()
        .map((c) => [c.name, c.id]),
    );
    const oldDigest = await bundleDigest();
    await putStackSpec(env.ctx.db, 'keys', keysSpec('2'), makeBundle(project('level = 2\n')));
    const { deployment } = await runOperation(env.ctx, 'keys', 'deploy', fast);
    assert.equal(deployment.status, 'succeeded', deployment.error ?? '');
    const after = new Map(
      Object.values(await containersOnHosts(env.infra, env.hostIds, 'keys'))
        .flat()
        .map((c) => [c.name, c.id]),
    );
    const replaced = [...after].filter(([name, id]) => before.get(name) !== id).map(([name]) => name);
    // cache: its definition changed; app: its files and its restart: true dependency; watcher: its
    // restart: true dependency alone. sidecar depends on cache without restart and stays.
    assert.deepEqual(replaced.sort(), ['keys_app_1', 'keys_app_2', 'keys_cache_1', 'keys_watcher_1']);
    assert.equal(await cat('vm1', 'keys_app_2', '/etc/app/app.conf'), 'level = 2');
    assert.equal(await cat('vm2', 'keys_app_1', '/etc/app/app.conf'), 'level = 2');
    for (const hostId of ['vm1', 'vm2']) {
      const bundles = readdirSync(join(dataDir(hostId), 'stacks', 'keys', 'bundles'));
      assert.equal(bundles.length, 1, `only the deployed version's files on ${hostId}`);
      assert.notEqual(bundles[0], oldDigest);
    }
  });

  it('deleting the stack with its volumes removes its files and data on every host', async () => {
    // Without `volumes` a delete keeps the data (test/e2e/stack-isolation.test.ts).
    const { deployment } = await runOperation(env.ctx, 'keys', 'delete', { options: { volumes: true } });
    assert.equal(deployment.status, 'succeeded', deployment.error ?? '');
    for (const hostId of env.hostIds) {
      assert.ok(!existsSync(join(dataDir(hostId), 'stacks', 'keys')), `nothing of keys left on ${hostId}`);
    }
  });

  const failedDeploy = async (spec: StackSpec, files?: Record<string, ProjectFile>) => {
    await putStackSpec(env.ctx.db, 'broken', spec, files ? makeBundle(files) : undefined);
    const { deployment } = await runOperation(env.ctx, 'broken', 'deploy', fast);
    assert.equal(deployment.status, 'rolled_back', deployment.error ?? '');
    assert.deepEqual(await probe('vm1').containers({ 'io.graphium.stack': 'broken' }), [], 'nothing left');
    return deployment.error ?? '';
  };
  const alone = (one: ServiceSpec): StackSpec => ({
    services: [one],
    networks: [{ name: 'default', external: false }],
    volumes: [],
  });

  it("refuses a service whose platform is not the host's, before creating anything", async () => {
    const error = await failedDeploy(
      alone(service('arm', { platform: 'linux/arm64', constraints: onHost('vm1') })),
    );
    assert.match(error, /host vm1 runs linux\/amd64, not linux\/arm64/);
    assert.deepEqual(
      await probe('vm1').networks({ 'io.graphium.stack': 'broken' }),
      [],
      'not even a network',
    );
  });

  it('says so when pull_policy never meets an image the host lacks', async () => {
    const error = await failedDeploy(
      alone(
        service('local', {
          image: 'graphium-test/absent:1',
          pullPolicy: 'never',
          constraints: onHost('vm1'),
        }),
      ),
    );
    assert.match(error, /image graphium-test\/absent:1 is not on host vm1 and its pull_policy is never/);
  });

  it("fails the deploy with a failed build's own error", async () => {
    const dockerfile = `FROM ${TEST_IMAGE}\nRUN echo compiling && exit 3\n`;
    const error = await failedDeploy(
      alone(
        service('bad', {
          image: '',
          build: {
            context: '.',
            dockerfile: 'Dockerfile',
            args: {},
            labels: {},
            contextDigest: sha(dockerfile),
          },
          constraints: onHost('vm1'),
        }),
      ),
      { Dockerfile: { content: dockerfile } },
    );
    assert.match(error, /build of service bad on host vm1 failed: .*returned a non-zero code: 3/);
    assert.match(error, /compiling/);
  });

  it('fails the deploy when a one-shot dependency exits non-zero, with its output', async () => {
    const error = await failedDeploy({
      services: [
        service('migrate', {
          command: ['sh', '-c', 'echo migration failed; exit 4'],
          constraints: onHost('vm1'),
        }),
        service('api', {
          dependsOn: [{ service: 'migrate', condition: 'service_completed_successfully' }],
          constraints: onHost('vm1'),
        }),
      ],
      networks: [{ name: 'default', external: false }],
      volumes: [],
    });
    assert.match(error, /broken_migrate_1 on host vm1 exited with code 4; last output: migration failed/);
  });

  describe('pulls', () => {
    let registry: FakeRegistry;
    before(async () => {
      registry = await startFakeRegistry();
    });
    after(() => registry.close());
    const basic = (user: string, password: string) =>
      `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

    it("pulls with the credentials of the image's registry, and no other", async () => {
      const image = `${registry.host}/team/private:1`;
      await putStackSpec(
        env.ctx.db,
        'broken',
        alone(service('private', { image, constraints: onHost('vm1') })),
      );
      const { deployment } = await runOperation(env.ctx, 'broken', 'deploy', {
        ...fast,
        registries: [
          { host: 'ghcr.io', username: 'someone-else', password: 'not-this-one' },
          { host: `http://${registry.host}/`, username: 'deployer', password: 'pa55' },
        ],
      });
      assert.equal(deployment.status, 'rolled_back');
      assert.match(
        deployment.error ?? '',
        /image .*team\/private:1 is not on host vm1 and could not be pulled: .*manifest unknown/,
      );
      const manifests = registry.requests.filter((r) => r.path.startsWith('/v2/team/private/manifests/'));
      assert.ok(manifests.length > 0, 'the daemon asked the registry for the image');
      for (const request of manifests) assert.equal(request.authorization, basic('deployer', 'pa55'));
      assert.ok(!registry.requests.some((r) => r.authorization === basic('someone-else', 'not-this-one')));
    });

    it('keeps a tag the host holds, unless deploy --pull asks for it again', async () => {
      await probe('vm1').tag(TEST_IMAGE, `${registry.host}/team/present`, '1');
      const image = `${registry.host}/team/present:1`;
      await putStackSpec(env.ctx.db, 'present', alone(service('web', { image, constraints: onHost('vm1') })));
      const asked = () => registry.requests.filter((r) => r.path.startsWith('/v2/team/present/')).length;
      const kept = await runOperation(env.ctx, 'present', 'deploy', fast);
      assert.equal(kept.deployment.status, 'succeeded', kept.deployment.error ?? '');
      assert.equal(asked(), 0, 'pull_policy missing (the default): the registry is not asked');
      const pulled = await runOperation(env.ctx, 'present', 'deploy', {
        options: { ...fast.options, pull: true },
        registries: [{ host: registry.host, username: 'deployer', password: 'pa55' }],
      });
      assert.ok(asked() > 0, '--pull asks the registry');
      assert.equal(pulled.deployment.status, 'rolled_back');
      assert.match(
        pulled.deployment.error ?? '',
        /could not be pulled again on host vm1: .*manifest unknown/,
      );
      const running = await probe('vm1').containers({ 'io.graphium.stack': 'present' });
      assert.deepEqual(
        running.map((c) => [c.name, c.state]),
        [['present_web_1', 'running']],
        'the version before keeps running',
      );
    });
  });

  itReplaysEveryWorkflowItRan(env, 'compose-keys');
});
