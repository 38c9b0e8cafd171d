import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { BundleManifest, ServiceSpec } from '../../stack/types.js';
import { AgentFiles } from './agent-files.js';
import { materializeBundle, pruneBundles, removeStackFiles, storeBundleFiles } from './bundles.js';
import { resolveHostFiles } from './file-mounts.js';
import type { ContainerRequest } from './types.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A manifest of project files: path → [content, mode]. */
function manifestOf(files: Record<string, [string, number]>): BundleManifest {
  const entries = Object.entries(files).map(([path, [content, mode]]) => ({
    path,
    digest: sha(content),
    size: Buffer.byteLength(content),
    mode,
  }));
  return { digest: sha(JSON.stringify(entries)), files: entries };
}

describe("bundles in the agent's data directory", () => {
  const root = mkdtempSync(join(tmpdir(), 'graphium-agent-files-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const files = new AgentFiles(root);
  const project = {
    'compose.yaml': ['services: {}\n', 0o644],
    'conf/nginx.conf': ['worker_processes 1;\n', 0o644],
    'secrets/db.txt': ['s3cret\n', 0o600],
    'bin/run.sh': ['#!/bin/sh\n', 0o755],
    'copy-of-conf': ['worker_processes 1;\n', 0o644],
  } satisfies Record<string, [string, number]>;
  const manifest = manifestOf(project);

  it('names the contents it lacks, once each, and lays out nothing until it has them all', async () => {
    const { missing } = await materializeBundle(files, { stack: 'shop', manifest });
    assert.deepEqual(missing.sort(), [...new Set(manifest.files.map((f) => f.digest))].sort());
    assert.equal(missing.length, 4, 'the same content under two paths travels once');
    assert.ok(!existsSync(files.bundleDir('shop', manifest.digest)));
  });

  it('stores contents checked against their digests, idempotently', async () => {
    const contents = Object.values(project).map(([content]) => ({
      digest: sha(content),
      base64: b64(content),
    }));
    await assert.rejects(
      storeBundleFiles(files, { files: [{ digest: sha('other'), base64: b64('tampered') }] }),
      /does not match that digest/,
    );
    // A large file arrives in slices, in any number of messages.
    const big = 'x'.repeat(1000);
    const slices = [0, 400, 800].map((offset) => ({
      digest: sha(big),
      base64: b64(big.slice(offset, offset + 400)),
      offset,
      size: 1000,
    }));
    const first = await storeBundleFiles(files, { files: [...contents.slice(0, 2), slices[0]!] });
    assert.equal(first.stored, 2);
    const second = await storeBundleFiles(files, { files: [...contents, slices[1]!, slices[2]!] });
    assert.equal(second.stored, 3, 'the rest, and the large file once complete');
    assert.equal(readFileSync(files.blob(sha(big)), 'utf8'), big);
    assert.equal((await storeBundleFiles(files, { files: contents })).stored, 0, 'a repeat is a no-op');
    assert.equal(statSync(files.blobsDir).mode & 0o777, 0o700, 'contents are the agent’s own');
  });

  it('lays the bundle out with each file’s mode, and finds it done the second time', async () => {
    assert.deepEqual(await materializeBundle(files, { stack: 'shop', manifest }), { missing: [] });
    const dir = files.bundleDir('shop', manifest.digest);
    for (const [path, [content, mode]] of Object.entries(project)) {
      assert.equal(readFileSync(join(dir, path), 'utf8'), content, path);
      assert.equal(statSync(join(dir, path)).mode & 0o777, mode, path);
    }
    assert.equal(
      statSync(files.stackDir('shop')).mode & 0o777,
      0o700,
      'other host users cannot read secrets',
    );
    assert.deepEqual(await materializeBundle(files, { stack: 'shop', manifest }), { missing: [] });
    assert.deepEqual(readdirSync(files.bundlesDir('shop')), [manifest.digest], 'no scratch tree left');
  });

  it('refuses paths outside the project and names that are not digests', async () => {
    const escaping = manifestOf({ '../etc/passwd': ['x', 0o644] });
    await storeBundleFiles(files, { files: [{ digest: sha('x'), base64: b64('x') }] });
    await assert.rejects(
      materializeBundle(files, { stack: 'shop', manifest: escaping }),
      /not inside the project/,
    );
    await assert.rejects(
      materializeBundle(files, { stack: 'shop', manifest: { ...manifest, digest: '../../x' } }),
      /not a SHA-256 digest/,
    );
    assert.throws(() => files.stackDir('../x'), /not a stack name/);
  });

  const request = (
    service: Partial<ServiceSpec>,
    extra: Partial<ContainerRequest> = {},
  ): ContainerRequest => ({
    stack: 'shop',
    deploymentId: 'd',
    replica: 1,
    name: 'shop_web_1',
    networks: [],
    volumes: {},
    bundleDigest: manifest.digest,
    secretFiles: { db: 'secrets/db.txt' },
    configFiles: { nginx: 'conf/nginx.conf' },
    service: {
      name: 'web',
      image: 'x',
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
    ...extra,
  });

  it('resolves bundle mounts and stack data under the data directory, creating what is missing', async () => {
    const resolved = await resolveHostFiles(
      files,
      request({
        mounts: [
          { type: 'volume', source: 'data', target: '/v', readOnly: false },
          { type: 'bundle', source: './conf/', target: '/etc/conf', readOnly: true },
          { type: 'bundle', source: 'empty-dir', target: '/empty', readOnly: false },
          { type: 'stack-data', source: './data/db', target: '/var/lib/db', readOnly: false },
        ],
      }),
    );
    const bundle = files.bundleDir('shop', manifest.digest);
    assert.deepEqual(
      [...resolved.mountSources],
      [
        [1, join(bundle, 'conf')],
        [2, join(bundle, 'empty-dir')],
        [3, join(root, 'stacks', 'shop', 'data', 'data', 'db')],
      ],
    );
    assert.ok(statSync(join(root, 'stacks', 'shop', 'data', 'data', 'db')).isDirectory());
    await assert.rejects(
      resolveHostFiles(
        files,
        request({
          mounts: [{ type: 'bundle', source: 'nope', target: '/n', readOnly: true, createHostPath: false }],
        }),
      ),
      /bind source \.\/nope is not in the project/,
    );
    await assert.rejects(
      resolveHostFiles(
        files,
        request(
          { mounts: [{ type: 'bundle', source: 'conf', target: '/c', readOnly: true }] },
          { bundleDigest: undefined },
        ),
      ),
      /carries no project files/,
    );
  });

  it('binds secrets and configs read-only with their owner and mode, copying only when they differ', async () => {
    const resolved = await resolveHostFiles(
      files,
      request({
        secrets: [
          { source: 'db', target: '/run/secrets/db' },
          { source: 'db', target: 'db_again', uid: '1000', gid: '1001', mode: 0o400 },
        ],
        configs: [{ source: 'nginx', target: '/etc/nginx/nginx.conf', mode: 0o644 }],
      }),
    );
    const [plain, owned, config] = resolved.fileMounts;
    assert.equal(plain!.target, '/run/secrets/db');
    assert.equal(owned!.target, '/run/secrets/db_again', 'a relative secret target lands in /run/secrets');
    assert.equal(statSync(plain!.source).mode & 0o777, 0o444, "Compose's default mode");
    assert.notEqual(
      plain!.source,
      files.bundlePath('shop', manifest.digest, 'secrets/db.txt'),
      'a copy: 0600 ≠ 0444',
    );
    const ownedStat = statSync(owned!.source);
    assert.deepEqual([ownedStat.uid, ownedStat.gid, ownedStat.mode & 0o777], [1000, 1001, 0o400]);
    assert.equal(readFileSync(owned!.source, 'utf8'), 's3cret\n');
    // The bundle's own file already has that owner and mode: bound as it is, no copy.
    assert.equal(config!.source, files.bundlePath('shop', manifest.digest, 'conf/nginx.conf'));
    await assert.rejects(
      resolveHostFiles(files, request({ secrets: [{ source: 'nope', target: '/run/secrets/nope' }] })),
      /secret nope is not defined/,
    );
    await assert.rejects(
      resolveHostFiles(files, request({ secrets: [{ source: 'db', target: '/s', uid: 'app' }] })),
      /uid must be a number/,
    );
  });

  it('prunes the other versions of a stack, and removes the stack whole (its data only when asked)', async () => {
    const next = manifestOf({ ...project, 'compose.yaml': ['services: {web: {}}\n', 0o644] });
    await storeBundleFiles(files, {
      files: [{ digest: sha('services: {web: {}}\n'), base64: b64('services: {web: {}}\n') }],
    });
    assert.deepEqual(await materializeBundle(files, { stack: 'shop', manifest: next }), { missing: [] });
    const pruned = await pruneBundles(files, 'shop', next.digest);
    assert.ok(pruned.includes(manifest.digest));
    assert.deepEqual(readdirSync(files.bundlesDir('shop')), [next.digest]);
    assert.deepEqual(readdirSync(files.fileMountsDir('shop')), [], 'copies of the old version go with it');
    assert.ok(existsSync(files.dataPath('shop', 'data/db')), 'stack data stays');
    await removeStackFiles(files, 'shop', { keepData: true });
    assert.ok(!existsSync(files.bundlesDir('shop')), 'a delete removes the versions');
    assert.ok(existsSync(files.dataPath('shop', 'data/db')), 'but keeps the data unless asked');
    await removeStackFiles(files, 'shop', { keepData: false });
    assert.ok(!existsSync(files.stackDir('shop')));
    assert.ok(existsSync(files.blob(sha('s3cret\n'))), 'contents stay, shared by every stack');
  });
});
