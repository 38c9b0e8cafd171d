import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceSpec } from '../../stack/types.js';
import { buildCreateOptions } from './container-spec.js';
import type { HostFiles } from './file-mounts.js';
import type { ContainerRequest } from './types.js';

// The service every test starts from: what the Compose subset before issue 10 could express.
const web: ServiceSpec = {
  name: 'web',
  image: 'app:1',
  environment: { MODE: 'prod' },
  ports: [
    { target: 80, protocol: 'tcp', published: 8080, hostIp: '127.0.0.1' },
    { target: 53, protocol: 'udp' },
  ],
  mounts: [
    { type: 'volume', source: 'data', target: '/data', readOnly: true },
    { type: 'bind', source: '/srv/www', target: '/www', readOnly: false },
  ],
  labels: { team: 'core' },
  restart: { policy: 'on-failure', maxRetries: 3 },
  dependsOn: [],
  replicas: 1,
  constraints: [],
  networks: [
    { name: 'front', aliases: ['web'] },
    { name: 'back', aliases: ['web'] },
  ],
  command: ['httpd', '-f', '-p', '80'],
  healthcheck: { test: ['CMD', 'true'], intervalMs: 2000, timeoutMs: 1000, retries: 4, startPeriodMs: 500 },
  stopGracePeriodMs: 3000,
};

const request = (
  service: ServiceSpec = web,
  extra: Partial<ContainerRequest> = {},
  deploymentId = 'dep-1',
): ContainerRequest => ({
  stack: 'shop',
  deploymentId,
  service,
  replica: 2,
  name: 'shop_web_2',
  networks: [
    { dockerName: 'shop_front', aliases: ['web'] },
    { dockerName: 'shop_back', aliases: ['web'] },
  ],
  volumes: { data: 'shop_data' },
  ...extra,
});

const build = (service: ServiceSpec = web, extra: Partial<ContainerRequest> = {}, files?: HostFiles) =>
  buildCreateOptions(request(service, extra), 'vm1', 'sha256:img', files);
const hashOf = (options: ReturnType<typeof build>) => options.Labels?.['io.graphium.config-hash'];

describe('buildCreateOptions', () => {
  it('maps the Compose subset onto the Engine API body', () => {
    const options = build();
    assert.equal(options.name, 'shop_web_2');
    assert.deepEqual(options.Cmd, ['httpd', '-f', '-p', '80']);
    assert.deepEqual(options.Env, ['MODE=prod']);
    assert.deepEqual(options.ExposedPorts, { '80/tcp': {}, '53/udp': {} });
    assert.deepEqual(options.HostConfig?.PortBindings, {
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }],
    });
    assert.deepEqual(options.HostConfig?.Mounts, [
      { Type: 'volume', Source: 'shop_data', Target: '/data', ReadOnly: true },
      { Type: 'bind', Source: '/srv/www', Target: '/www', ReadOnly: false },
    ]);
    assert.deepEqual(options.HostConfig?.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
    assert.equal(options.HostConfig?.NetworkMode, 'shop_front');
    assert.deepEqual(options.NetworkingConfig, { EndpointsConfig: { shop_front: { Aliases: ['web'] } } });
    assert.deepEqual(options.Healthcheck, {
      Test: ['CMD', 'true'],
      Interval: 2_000_000_000,
      Timeout: 1_000_000_000,
      Retries: 4,
      StartPeriod: 500_000_000,
    });
    assert.equal(options.StopTimeout, 3);
    assert.equal(options.Labels?.team, 'core');
    assert.equal(options.Labels?.['io.graphium.stack'], 'shop');
    assert.equal(options.Labels?.['io.graphium.service'], 'web');
    assert.equal(options.Labels?.['io.graphium.replica'], '2');
    assert.equal(options.Labels?.['io.graphium.deployment'], 'dep-1');
    assert.equal(options.Labels?.['io.graphium.host'], 'vm1');
  });

  it('hashes a definition from before the new keys exactly as it was hashed then', () => {
    // Computed by the code before issue 10 for this very request: containers running today carry
    // it, and a redeploy of an unchanged stack must find them unchanged.
    assert.equal(hashOf(build()), 'd6e904ec1de8725b096a4dd6a9cdcc10');
    // Keys the loader may emit empty mean "not set", and hash as such.
    const empty: ServiceSpec = { ...web, capAdd: [], dns: [], sysctls: {}, expose: [], secrets: [] };
    assert.equal(hashOf(build(empty)), 'd6e904ec1de8725b096a4dd6a9cdcc10');
  });

  it('gives the same config hash to the same definition, whichever deployment asks', () => {
    const hash = (deploymentId: string, imageId = 'sha256:img', service = web) =>
      hashOf(buildCreateOptions(request(service, {}, deploymentId), 'vm1', imageId));
    assert.equal(hash('dep-1'), hash('dep-2'));
    assert.notEqual(hash('dep-1'), hash('dep-1', 'sha256:other'), 'a re-tagged image is a change');
    assert.notEqual(hash('dep-1'), hash('dep-1', 'sha256:img', { ...web, command: ['true'] }));
  });

  it('maps the keys users write onto the create body and HostConfig', () => {
    const service: ServiceSpec = {
      ...web,
      expose: ['3000', '9000-9001/udp'],
      hostname: 'api',
      domainname: 'example.internal',
      user: '1000:1000',
      workingDir: '/app',
      stdinOpen: true,
      tty: true,
      extraHosts: ['db.local:10.0.0.5'],
      dns: ['10.0.0.2'],
      dnsSearch: ['example.internal'],
      dnsOpt: ['ndots:2'],
      capAdd: ['NET_ADMIN'],
      capDrop: ['ALL'],
      sysctls: { 'net.core.somaxconn': '1024' },
      ulimits: { nofile: { soft: 1000, hard: 2000 } },
      shmSizeBytes: 64 * 1024 * 1024,
      init: true,
      readOnly: true,
      privileged: false,
      devices: [{ pathOnHost: '/dev/fuse', pathInContainer: '/dev/fuse', permissions: 'rwm' }],
      pid: 'host',
      ipc: 'shareable',
      securityOpt: ['no-new-privileges:true'],
      usernsMode: 'host',
      groupAdd: ['audio'],
      logging: { driver: 'json-file', options: { 'max-size': '1m' } },
      resources: {
        memoryBytes: 256 * 1024 * 1024,
        memoryReservationBytes: 128 * 1024 * 1024,
        memorySwapBytes: 512 * 1024 * 1024,
        nanoCpus: 1_500_000_000,
        cpuShares: 512,
        cpusetCpus: '0',
        pidsLimit: 100,
      },
      restart: { policy: 'unless-stopped' },
      platform: 'linux/amd64',
    };
    const options = build(service);
    assert.deepEqual(options.ExposedPorts, {
      '80/tcp': {},
      '53/udp': {},
      '3000/tcp': {},
      '9000/udp': {},
      '9001/udp': {},
    });
    assert.equal(options.Hostname, 'api');
    assert.equal(options.Domainname, 'example.internal');
    assert.equal(options.User, '1000:1000');
    assert.equal(options.WorkingDir, '/app');
    assert.equal(options.OpenStdin, true);
    assert.equal(options.Tty, true);
    assert.equal(options.platform, 'linux/amd64');
    assert.deepEqual(
      { ...options.HostConfig, PortBindings: undefined, Mounts: undefined },
      {
        PortBindings: undefined,
        Mounts: undefined,
        Binds: undefined,
        RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
        NetworkMode: 'shop_front',
        ExtraHosts: ['db.local:10.0.0.5'],
        Dns: ['10.0.0.2'],
        DnsSearch: ['example.internal'],
        DnsOptions: ['ndots:2'],
        CapAdd: ['NET_ADMIN'],
        CapDrop: ['ALL'],
        Sysctls: { 'net.core.somaxconn': '1024' },
        Ulimits: [{ Name: 'nofile', Soft: 1000, Hard: 2000 }],
        ShmSize: 64 * 1024 * 1024,
        Init: true,
        ReadonlyRootfs: true,
        Privileged: false,
        Devices: [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' }],
        PidMode: 'host',
        IpcMode: 'shareable',
        SecurityOpt: ['no-new-privileges:true'],
        UsernsMode: 'host',
        GroupAdd: ['audio'],
        LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } },
        Memory: 256 * 1024 * 1024,
        MemoryReservation: 128 * 1024 * 1024,
        MemorySwap: 512 * 1024 * 1024,
        NanoCpus: 1_500_000_000,
        CpuShares: 512,
        CpusetCpus: '0',
        PidsLimit: 100,
      },
    );
  });

  it('changes the config hash when any of those keys changes', () => {
    const base = hashOf(build());
    const variants: Partial<ServiceSpec>[] = [
      { expose: ['3000'] },
      { hostname: 'x' },
      { user: 'nobody' },
      { capAdd: ['NET_ADMIN'] },
      { sysctls: { 'net.core.somaxconn': '1024' } },
      { ulimits: { nofile: { soft: 1, hard: 2 } } },
      { shmSizeBytes: 1 },
      { init: true },
      { readOnly: true },
      { resources: { memoryBytes: 1 << 20 } },
      { logging: { driver: 'none' } },
      { platform: 'linux/amd64' },
      { mounts: [...web.mounts, { type: 'tmpfs', source: '', target: '/tmp', readOnly: false }] },
    ];
    const hashes = variants.map((variant) => hashOf(build({ ...web, ...variant })));
    for (const [index, hash] of hashes.entries())
      assert.notEqual(hash, base, JSON.stringify(variants[index]));
    assert.equal(new Set(hashes).size, hashes.length, 'each change is its own definition');
  });

  it('uses network_mode instead of the stack networks, and fixed addresses when set', () => {
    const alone = build(web, { networkMode: 'host', networks: [] });
    assert.equal(alone.HostConfig?.NetworkMode, 'host');
    assert.equal(alone.NetworkingConfig, undefined);
    const fixed = build(web, {
      networks: [
        { dockerName: 'shop_front', aliases: ['web'], ipv4Address: '172.30.0.10', ipv6Address: 'fd00::10' },
      ],
    });
    assert.deepEqual(fixed.NetworkingConfig, {
      EndpointsConfig: {
        shop_front: { Aliases: ['web'], IPAMConfig: { IPv4Address: '172.30.0.10', IPv6Address: 'fd00::10' } },
      },
    });
    assert.notEqual(
      hashOf(fixed),
      hashOf(build(web, { networks: [{ dockerName: 'shop_front', aliases: ['web'] }] })),
    );
  });

  it('maps every kind of mount, with the host paths resolved for bundle files and stack data', () => {
    const service: ServiceSpec = {
      ...web,
      mounts: [
        { type: 'volume', source: '', target: '/anon', readOnly: false },
        { type: 'volume', source: 'data', target: '/data', readOnly: false, noCopy: true },
        {
          type: 'tmpfs',
          source: '',
          target: '/scratch',
          readOnly: false,
          tmpfsSizeBytes: 1 << 20,
          tmpfsMode: 0o1777,
        },
        { type: 'bind', source: '/srv/logs', target: '/logs', readOnly: true, createHostPath: true },
        { type: 'bind', source: '/srv/keep', target: '/keep', readOnly: false, createHostPath: false },
        // A bundle is the version's immutable content: read-only even when the bind says rw.
        { type: 'bundle', source: 'nginx.conf', target: '/etc/nginx/nginx.conf', readOnly: false },
        { type: 'stack-data', source: 'data/db', target: '/var/lib/db', readOnly: false },
      ],
    };
    const files: HostFiles = {
      mountSources: new Map([
        [5, '/var/lib/graphium/stacks/shop/bundles/abc/nginx.conf'],
        [6, '/var/lib/graphium/stacks/shop/data/data/db'],
      ]),
      fileMounts: [
        { source: '/var/lib/graphium/stacks/shop/bundles/abc/secret.txt', target: '/run/secrets/db' },
      ],
    };
    const options = build(service, {}, files);
    assert.deepEqual(options.HostConfig?.Mounts, [
      { Type: 'volume', Source: '', Target: '/anon', ReadOnly: false },
      {
        Type: 'volume',
        Source: 'shop_data',
        Target: '/data',
        ReadOnly: false,
        VolumeOptions: { NoCopy: true },
      },
      {
        Type: 'tmpfs',
        Source: '',
        Target: '/scratch',
        ReadOnly: false,
        TmpfsOptions: { SizeBytes: 1 << 20, Mode: 0o1777 },
      },
      { Type: 'bind', Source: '/srv/keep', Target: '/keep', ReadOnly: false },
      {
        Type: 'bind',
        Source: '/var/lib/graphium/stacks/shop/bundles/abc/nginx.conf',
        Target: '/etc/nginx/nginx.conf',
        ReadOnly: true,
      },
      {
        Type: 'bind',
        Source: '/var/lib/graphium/stacks/shop/data/data/db',
        Target: '/var/lib/db',
        ReadOnly: false,
      },
      {
        Type: 'bind',
        Source: '/var/lib/graphium/stacks/shop/bundles/abc/secret.txt',
        Target: '/run/secrets/db',
        ReadOnly: true,
      },
    ]);
    // The Mount API refuses a missing source; Binds let the daemon create it, as Compose does.
    assert.deepEqual(options.HostConfig?.Binds, ['/srv/logs:/logs:ro']);
  });

  it('runs the image it built for a service with build, tagged by stack, service and build digest', () => {
    const digest = 'a'.repeat(64);
    const built: ServiceSpec = {
      ...web,
      image: '',
      build: { context: 'api', dockerfile: 'Dockerfile', args: {}, labels: {}, contextDigest: digest },
    };
    assert.equal(build(built).Image, `shop-web:${'a'.repeat(12)}`);
    assert.equal(
      build({ ...built, image: 'registry.example.com/app:2' }).Image,
      `shop-web:${'a'.repeat(12)}`,
    );
  });

  it('recreates a dependent when a restart: true dependency changes, not when another does', () => {
    const db: ServiceSpec = { ...web, name: 'db', image: 'db:1' };
    const dependent: ServiceSpec = {
      ...web,
      dependsOn: [{ service: 'db', condition: 'service_started', restart: true }],
    };
    const hash = (dependency: ServiceSpec, bundleDigest?: string) =>
      hashOf(build(dependent, { restartWith: [dependency], ...(bundleDigest ? { bundleDigest } : {}) }));
    assert.equal(hash(db), hash({ ...db }));
    assert.notEqual(hash(db), hash({ ...db, image: 'db:2' }));
    assert.equal(hash(db), hash({ ...db, replicas: 3 }), 'scaling the dependency recreates nothing');
    assert.notEqual(hash(db), hashOf(build(dependent)), 'the dependency is part of the definition');
    // Files the dependency binds come with the bundle: a new bundle is a new dependency.
    const withFiles: ServiceSpec = {
      ...db,
      mounts: [{ type: 'bundle', source: 'init.sql', target: '/init.sql', readOnly: true }],
    };
    assert.notEqual(hash(withFiles, '1'.repeat(64)), hash(withFiles, '2'.repeat(64)));
    assert.equal(hash(db, '1'.repeat(64)), hash(db, '2'.repeat(64)), 'a dependency without files ignores it');
  });
});
