import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundleChunks, needsBundle } from './bundle-use.js';
import type { BundleManifest, ServiceSpec } from './types.js';

const file = (digest: string, size: number, path = digest) => ({ path, digest, size, mode: 0o644 });

describe('bundle transfer', () => {
  it('cuts what a host lacks into messages of at most the limit, big files in slices', () => {
    const manifest: BundleManifest = {
      digest: 'm',
      files: [file('a', 300), file('b', 300), file('c', 100), file('big', 1000), file('a', 300, 'copy-of-a')],
    };
    assert.deepEqual(bundleChunks(manifest, ['a', 'b', 'c', 'big', 'a'], 512), [
      { digests: ['a'] },
      { digests: ['b', 'c'] },
      { digests: ['big'], offset: 0, length: 512, size: 1000 },
      { digests: ['big'], offset: 512, length: 488, size: 1000 },
    ]);
    assert.deepEqual(bundleChunks(manifest, ['c'], 512), [{ digests: ['c'] }]);
    assert.deepEqual(bundleChunks(manifest, [], 512), []);
  });

  it('keeps every message at or under 512 KiB of content by default', () => {
    const files = Array.from({ length: 40 }, (_, i) => file(`f${i}`, 100_000 + i * 7_000));
    const manifest: BundleManifest = { digest: 'm', files: [...files, file('huge', 3_000_000)] };
    const sizes = new Map(manifest.files.map((f) => [f.digest, f.size]));
    const chunks = bundleChunks(
      manifest,
      manifest.files.map((f) => f.digest),
    );
    for (const chunk of chunks) {
      const bytes = chunk.length ?? chunk.digests.reduce((sum, d) => sum + sizes.get(d)!, 0);
      assert.ok(bytes <= 512 * 1024, `${bytes} bytes in one message`);
    }
    const sent = chunks.flatMap((c) => (c.offset === undefined ? c.digests : []));
    assert.equal(sent.length, 40, 'every small file once');
    const slices = chunks.filter((c) => c.offset !== undefined);
    assert.equal(
      slices.reduce((sum, c) => sum + c.length!, 0),
      3_000_000,
      'the large one whole, in slices',
    );
  });

  it('asks for the bundle only where services use its files', () => {
    const plain = { mounts: [], secrets: undefined, configs: undefined } as unknown as ServiceSpec;
    assert.ok(!needsBundle(plain));
    assert.ok(
      needsBundle({ ...plain, mounts: [{ type: 'bundle', source: 'a', target: '/a', readOnly: true }] }),
    );
    assert.ok(
      !needsBundle({
        ...plain,
        mounts: [{ type: 'stack-data', source: 'd', target: '/d', readOnly: false }],
      }),
    );
    assert.ok(needsBundle({ ...plain, secrets: [{ source: 's', target: '/run/secrets/s' }] }));
    assert.ok(needsBundle({ ...plain, configs: [{ source: 'c', target: '/c' }] }));
    assert.ok(
      needsBundle({
        ...plain,
        build: { context: '.', dockerfile: 'Dockerfile', args: {}, labels: {}, contextDigest: 'x' },
      }),
    );
  });
});
