import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { ServiceSpec } from '../../stack/types.js';
import { AgentFiles } from './agent-files.js';
import { resolveHostFiles } from './file-mounts.js';
import { HostPathRefused, insideAgentFiles, readRegularFile, resolveBeneath } from './host-paths.js';
import type { ContainerRequest } from './types.js';

// A real directory tree with real links, as a container leaves them in its stack's data directory.

describe('paths under the data directory, walked without following links', () => {
  const root = mkdtempSync(join(tmpdir(), 'graphium-host-paths-'));
  const outside = mkdtempSync(join(tmpdir(), 'graphium-outside-'));
  after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });
  const data = join(root, 'stacks', 'shop', 'data');
  mkdirSync(join(data, 'd', 'sub'), { recursive: true });
  writeFileSync(join(data, 'd', 'file'), 'plain\n');
  writeFileSync(join(outside, 'marker'), 'host file\n');
  symlinkSync('/', join(data, 'd', 'root'));
  symlinkSync('../../..', join(data, 'd', 'up'));
  symlinkSync(join(outside, 'marker'), join(data, 'd', 'to-file'));
  symlinkSync(join(outside, 'nothing-here'), join(data, 'd', 'dangling'));
  symlinkSync('sub', join(data, 'd', 'relative'));

  const refusedLink = (path: string, target: string) => (error: unknown) => {
    assert.ok(error instanceof HostPathRefused, String(error));
    assert.equal(
      error.message,
      `${path} is a symbolic link (to ${target}); Graphium follows no link in a stack's directories (a container may have planted it): remove it on the host`,
    );
    return true;
  };

  it('a regular path passes, and missing directories are created one by one', async () => {
    const existing = await resolveBeneath(root, join(data, 'd', 'sub'));
    assert.equal(existing.path, join(data, 'd', 'sub'));
    assert.ok(existing.stats?.isDirectory());
    const file = await resolveBeneath(root, join(data, 'd', 'file'));
    assert.ok(file.stats?.isFile());
    assert.equal((await resolveBeneath(root, join(data, 'new', 'deep'))).stats, undefined);
    assert.ok(!existsSync(join(data, 'new')), 'without create, nothing is made');
    const made = await resolveBeneath(root, join(data, 'new', 'deep'), { create: true, mode: 0o700 });
    assert.ok(made.stats?.isDirectory());
    assert.equal(statSync(join(data, 'new', 'deep')).mode & 0o777, 0o700);
    const fresh = join(root, 'not-yet');
    assert.ok(
      (await resolveBeneath(fresh, join(fresh, 'stacks', 'x'), { create: true })).stats?.isDirectory(),
    );
  });

  it('a link at the end is refused, whatever it points to: /, a file, a dangling or a relative target', async () => {
    for (const [name, target] of [
      ['root', '/'],
      ['to-file', join(outside, 'marker')],
      ['dangling', join(outside, 'nothing-here')],
      ['relative', 'sub'],
      ['up', '../../..'],
    ]) {
      const path = join(data, 'd', name!);
      await assert.rejects(resolveBeneath(root, path), refusedLink(path, target!));
      await assert.rejects(resolveBeneath(root, path, { create: true }), refusedLink(path, target!));
    }
  });

  it('a link in the middle is refused, and nothing is created through it', async () => {
    const link = join(data, 'd', 'root');
    await assert.rejects(resolveBeneath(root, join(link, 'etc')), refusedLink(link, '/'));
    const dangling = join(data, 'd', 'dangling');
    await assert.rejects(
      resolveBeneath(root, join(dangling, 'made'), { create: true }),
      refusedLink(dangling, join(outside, 'nothing-here')),
    );
    assert.ok(!existsSync(join(outside, 'nothing-here')), 'the dangling target was not created');
  });

  it('a path with .. or outside the root is refused; a file in the middle is not a directory', async () => {
    await assert.rejects(resolveBeneath(root, join(root, '..', 'etc')), HostPathRefused);
    // `..` is resolved by name before the walk, never through a link (`d/root/..` is `d`).
    assert.equal((await resolveBeneath(root, `${data}/d/root/../sub`)).path, join(data, 'd', 'sub'));
    await assert.rejects(resolveBeneath(root, '/etc/passwd'), /is not inside/);
    await assert.rejects(resolveBeneath(root, join(data, 'd', 'file', 'x')), /file is not a directory/);
  });

  it('reads a regular file through O_NOFOLLOW, and refuses a link to a host file', async () => {
    assert.equal((await readRegularFile(root, join(data, 'd', 'file'))).content.toString(), 'plain\n');
    const link = join(data, 'd', 'to-file');
    await assert.rejects(readRegularFile(root, link), refusedLink(link, join(outside, 'marker')));
    await assert.rejects(readRegularFile(root, join(data, 'd', 'sub')), /is not a regular file/);
  });

  it('knows a writable source that lands among bundles, secret copies or blobs, links followed', async () => {
    const bundles = join(root, 'stacks', 'shop', 'bundles', 'abc');
    mkdirSync(bundles, { recursive: true });
    symlinkSync(bundles, join(outside, 'to-bundle'));
    assert.equal(await insideAgentFiles(root, join(bundles, 'secrets')), join(bundles, 'secrets'));
    assert.equal(await insideAgentFiles(root, join(outside, 'to-bundle')), bundles);
    assert.equal(await insideAgentFiles(root, join(root, 'blobs')), join(root, 'blobs'));
    assert.equal(
      await insideAgentFiles(root, join(root, 'stacks', 'x', 'file-mounts')),
      join(root, 'stacks', 'x', 'file-mounts'),
    );
    assert.equal(await insideAgentFiles(root, join(data, 'd')), undefined, 'stack data is for writing');
    assert.equal(await insideAgentFiles(root, outside), undefined);
  });
});

describe('resolveHostFiles refuses links a container planted', () => {
  const root = mkdtempSync(join(tmpdir(), 'graphium-host-files-'));
  const outside = mkdtempSync(join(tmpdir(), 'graphium-outside-'));
  after(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });
  const files = new AgentFiles(root);
  const digest = 'a'.repeat(64);
  const bundle = files.bundleDir('shop', digest);
  mkdirSync(join(bundle, 'secrets'), { recursive: true });
  writeFileSync(join(outside, 'marker'), 'host file\n');
  writeFileSync(join(bundle, 'secrets', 'real.txt'), 's3cret\n', { mode: 0o600 });
  symlinkSync(join(outside, 'marker'), join(bundle, 'secrets', 'token.txt'));
  mkdirSync(files.dataPath('shop', 'd'), { recursive: true });
  symlinkSync('/', files.dataPath('shop', 'd/root'));

  const request = (service: Partial<ServiceSpec>): ContainerRequest =>
    ({
      stack: 'shop',
      deploymentId: 'dep-1',
      name: 'shop_web_1',
      replica: 1,
      networks: [],
      volumes: {},
      bundleDigest: digest,
      secretFiles: { token: 'secrets/token.txt', real: 'secrets/real.txt' },
      service: {
        name: 'web',
        image: 'busybox',
        environment: {},
        ports: [],
        mounts: [],
        labels: {},
        restart: { policy: 'no' },
        dependsOn: [],
        replicas: 1,
        constraints: [],
        networks: [],
        ...service,
      },
    }) as unknown as ContainerRequest;

  const nonRetryable = (pattern: RegExp) => (error: unknown) => {
    const failure = error as { type?: string; nonRetryable?: boolean; message: string };
    assert.equal(failure.type, 'InvalidContainerSpec');
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, pattern);
    return true;
  };

  it('a stack-data bind through a planted link to / is refused, naming the path and the link', async () => {
    await assert.rejects(
      resolveHostFiles(
        files,
        request({ mounts: [{ type: 'stack-data', source: 'd/root', target: '/host', readOnly: false }] }),
      ),
      nonRetryable(
        /^service web: .*\/stacks\/shop\/data\/d\/root is a symbolic link \(to \/\); Graphium follows no link/,
      ),
    );
    await assert.rejects(
      resolveHostFiles(
        files,
        request({ mounts: [{ type: 'stack-data', source: 'd/root/etc', target: '/etc2', readOnly: true }] }),
      ),
      nonRetryable(/d\/root is a symbolic link \(to \/\)/),
    );
    const plain = await resolveHostFiles(
      files,
      request({ mounts: [{ type: 'stack-data', source: 'd', target: '/d', readOnly: false }] }),
    );
    assert.equal(plain.mountSources.get(0), files.dataPath('shop', 'd'));
  });

  it('a secret swapped for a link to a host file is neither bound nor copied', async () => {
    for (const use of [
      { source: 'token', target: '/run/secrets/token', mode: 0o777 },
      { source: 'token', target: '/run/secrets/token', uid: '1000', gid: '1000', mode: 0o400 },
    ]) {
      await assert.rejects(
        resolveHostFiles(files, request({ secrets: [use] })),
        nonRetryable(/secrets\/token\.txt is a symbolic link \(to .*marker\)/),
      );
    }
    assert.ok(!existsSync(files.fileMountCopy('shop', digest, 'secret-token-1000-1000-400')), 'no copy');
    const real = await resolveHostFiles(
      files,
      request({
        secrets: [{ source: 'real', target: '/run/secrets/real', uid: '1000', gid: '1000', mode: 0o400 }],
      }),
    );
    const copy = real.fileMounts[0]!.source;
    // The same secret twice, same owner and mode: copied concurrently into the one copy.
    const twice = await resolveHostFiles(
      files,
      request({
        secrets: ['/a', '/b'].map((target) => ({ source: 'real', target, uid: '7', gid: '7', mode: 0o440 })),
      }),
    );
    assert.equal(twice.fileMounts[0]!.source, twice.fileMounts[1]!.source);
    assert.equal(readFileSync(twice.fileMounts[0]!.source, 'utf8'), 's3cret\n');
    assert.equal(readFileSync(copy, 'utf8'), 's3cret\n');
    const stats = lstatSync(copy);
    assert.deepEqual([stats.isFile(), stats.uid, stats.gid, stats.mode & 0o777], [true, 1000, 1000, 0o400]);
  });

  it('a copy of a secret that became a link is refused, not bound', async () => {
    const name = 'secret-real-0-0-440';
    const copy = files.fileMountCopy('shop', digest, name);
    symlinkSync(join(outside, 'marker'), copy);
    await assert.rejects(
      resolveHostFiles(
        files,
        request({
          secrets: [{ source: 'real', target: '/run/secrets/real', uid: '0', gid: '0', mode: 0o440 }],
        }),
      ),
      nonRetryable(new RegExp(`${name} is a symbolic link`)),
    );
  });

  it('a bundle bind is refused through a link; a writable admin bind into the bundles too', async () => {
    symlinkSync('/etc', join(bundle, 'conf'));
    await assert.rejects(
      resolveHostFiles(
        files,
        request({ mounts: [{ type: 'bundle', source: 'conf', target: '/conf', readOnly: true }] }),
      ),
      nonRetryable(/bundles\/a{64}\/conf is a symbolic link \(to \/etc\)/),
    );
    await assert.rejects(
      resolveHostFiles(
        files,
        request({
          mounts: [{ type: 'bind', source: join(bundle, 'secrets'), target: '/s', readOnly: false }],
        }),
      ),
      nonRetryable(/writable bind source .* among the agent's bundles and secret copies; bind it read-only/),
    );
    const readOnly = await resolveHostFiles(
      files,
      request({ mounts: [{ type: 'bind', source: join(bundle, 'secrets'), target: '/s', readOnly: true }] }),
    );
    assert.equal(readOnly.mountSources.size, 0, 'an admin bind keeps its own source');
  });
});
