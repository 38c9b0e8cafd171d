import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LABEL_STACK } from '../contracts/vocabulary.js';
import {
  besideName,
  builtImageTag,
  containerName,
  networkName,
  replicaNameOf,
  serviceImage,
  stackNamePattern,
  volumeName,
} from './names.js';

describe('names', () => {
  it('builds Docker names from the stack name', () => {
    assert.equal(containerName('shop', 'web', 2), 'shop_web_2');
    assert.equal(networkName('shop', { name: 'default', external: false }), 'shop_default');
    assert.equal(networkName('shop', { name: 'edge', external: true, externalName: 'corp' }), 'corp');
    assert.equal(volumeName('shop', { name: 'data', external: false }), 'shop_data');
    assert.equal(volumeName('shop', { name: 'data', external: true, externalName: 'data' }), 'data');
    assert.equal(LABEL_STACK, 'io.graphium.stack');
  });

  it('tags a built image by stack, service and the first 12 characters of its build digest', () => {
    const digest = `0123456789ab${'f'.repeat(52)}`;
    assert.equal(builtImageTag('shop', 'api', digest), 'shop-api:0123456789ab');
    assert.equal(builtImageTag('shop', 'Api.Worker', digest), 'shop-api.worker:0123456789ab');
    const build = { context: '.', dockerfile: 'Dockerfile', args: {}, labels: {}, contextDigest: digest };
    assert.equal(serviceImage('shop', { name: 'api', image: '', build }), 'shop-api:0123456789ab');
    assert.equal(serviceImage('shop', { name: 'api', image: 'acme/api:1', build }), 'shop-api:0123456789ab');
    assert.equal(serviceImage('shop', { name: 'web', image: 'nginx:1' }), 'nginx:1');
  });

  it('accepts only Docker-safe lower-case stack names', () => {
    for (const ok of ['shop', 'a', 'my_app-2', '0x', 'a'.repeat(63)])
      assert.ok(stackNamePattern.test(ok), ok);
    for (const bad of ['', 'Shop', '-a', '_a', 'a.b', 'a b', 'a'.repeat(64)])
      assert.ok(!stackNamePattern.test(bad), bad);
  });

  it('names the containers that stand beside a replica, and finds the replica again', () => {
    const deployment = '1a2b3c4d-0000-4000-8000-000000000000';
    assert.equal(besideName('shop_web_1', 'next', deployment), 'shop_web_1.next-1a2b3c4d');
    for (const role of ['next', 'canary', 'green'] as const) {
      assert.equal(replicaNameOf(besideName('shop_web_1', role, deployment)), 'shop_web_1');
    }
    assert.equal(replicaNameOf('shop_web_1.retired-1a2b3c4d-stopped'), 'shop_web_1');
    assert.equal(replicaNameOf('shop_web_1'), 'shop_web_1');
  });
});
