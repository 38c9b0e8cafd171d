import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approveHostAccess, isOwnContainerName, isOwnImageName } from './namespace.js';
import type { StackSpec } from './types.js';

describe('a stack’s namespace on a host', () => {
  it('owns `<stack>_…` containers and `graphium.local/<stack>/…` images only', () => {
    assert.ok(isOwnContainerName('shop', 'shop_web'));
    assert.ok(!isOwnContainerName('shop', 'shop-web_app_1'), 'stack shop-web’s');
    assert.ok(!isOwnContainerName('shop', 'shop_'));
    assert.ok(!isOwnContainerName('shop', 'graphium-api-1'));
    assert.ok(isOwnImageName('shop', 'graphium.local/shop/web:1'));
    assert.ok(!isOwnImageName('shop', 'shop/web:1'), 'Docker Hub user shop’s image');
    assert.ok(!isOwnImageName('library', 'library/postgres:16'), 'Docker Hub’s postgres:16');
    assert.ok(!isOwnImageName('shop', 'graphium.local/shop-web/app:1'), 'stack shop-web’s image');
    assert.ok(!isOwnImageName('shop', 'shop-web:0123456789ab'), 'stack shop-web’s build');
    assert.ok(!isOwnImageName('shop', 'postgres:16'));
    assert.ok(!isOwnImageName('shop', 'graphium.local/shop/web@sha256:00'));
  });

  it('the API marks exactly what reaches beyond the stack', () => {
    const service = (name: string, extra = {}) => ({
      name,
      image: 'busybox',
      environment: {},
      ports: [],
      mounts: [],
      labels: {},
      restart: { policy: 'no' as const },
      dependsOn: [],
      replicas: 1,
      constraints: [],
      networks: [],
      ...extra,
    });
    const spec: StackSpec = {
      services: [
        service('plain'),
        service('named', { containerName: 'postgres' }),
        service('own', { containerName: 'shop_own' }),
        service('bridged', { networkMode: 'bridge' }),
      ],
      networks: [
        { name: 'default', external: false },
        { name: 'lan', external: false, driver: 'macvlan' },
      ],
      volumes: [
        { name: 'data', external: false },
        { name: 'root', external: false, driverOpts: { device: '/' } },
      ],
    };
    approveHostAccess('shop', spec);
    assert.deepEqual(
      spec.services.map((s) => [s.name, s.hostAccess]),
      [
        ['plain', undefined],
        ['named', true],
        ['own', undefined],
        ['bridged', true],
      ],
    );
    assert.deepEqual(
      spec.networks.map((n) => n.hostAccess),
      [undefined, true],
    );
    assert.deepEqual(
      spec.volumes.map((v) => v.hostAccess),
      [undefined, true],
    );
  });
});
