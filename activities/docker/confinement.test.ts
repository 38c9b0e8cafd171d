import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { beyondStack } from './confinement.js';

describe('the agent’s own check of what it creates', () => {
  it('the agent refuses what reaches beyond the stack unless the API marked it', () => {
    const cases: [Parameters<typeof beyondStack>[1], string | undefined][] = [
      [{ kind: 'volume', volume: { dockerName: 'shop_d', external: false } }, undefined],
      [{ kind: 'volume', volume: { dockerName: 'shop_d', external: false, driver: 'local' } }, undefined],
      [
        {
          kind: 'volume',
          volume: { dockerName: 'shop_d', external: false, driverOpts: { o: 'bind', device: '/' } },
        },
        'volume driver options',
      ],
      [
        { kind: 'volume', volume: { dockerName: 'shop_d', external: false, driver: 'nfs' } },
        'the volume driver "nfs"',
      ],
      [
        {
          kind: 'volume',
          volume: { dockerName: 'shop_d', external: false, driverOpts: { device: '/' }, hostAccess: true },
        },
        undefined,
      ],
      [{ kind: 'network', network: { dockerName: 'shop_n', external: false, driver: 'bridge' } }, undefined],
      [
        { kind: 'network', network: { dockerName: 'shop_n', external: false, driver: 'macvlan' } },
        'the network driver "macvlan"',
      ],
      [
        {
          kind: 'network',
          network: { dockerName: 'shop_n', external: false, ipam: { config: [{ subnet: '10.0.0.0/8' }] } },
        },
        'a chosen subnet',
      ],
      [
        {
          kind: 'network',
          network: { dockerName: 'shop_n', external: false, driverOpts: { parent: 'eth0' } },
        },
        'network driver options',
      ],
      [{ kind: 'container', name: 'shop_web_1' }, undefined],
      [{ kind: 'container', name: 'shop_web_1.next-1a2b3c4d' }, undefined],
      [{ kind: 'container', name: 'other_web_1' }, 'the container name "other_web_1"'],
      [{ kind: 'container', name: 'postgres', hostAccess: true }, undefined],
      [{ kind: 'container', name: 'shop_web_1', networkMode: 'bridge' }, 'network_mode bridge'],
      [{ kind: 'container', name: 'shop_web_1', networkMode: 'host' }, 'network_mode host'],
      [{ kind: 'container', name: 'shop_web_1', networkMode: 'none' }, undefined],
      [{ kind: 'image tag', image: 'postgres:16' }, 'the image name "postgres:16"'],
      [{ kind: 'image tag', image: 'graphium.local/shop/web:1' }, undefined],
      [{ kind: 'image tag', image: 'shop/web:1' }, 'the image name "shop/web:1"'],
      [{ kind: 'image tag', image: 'postgres:16', hostAccess: true }, undefined],
    ];
    for (const [creation, expected] of cases)
      assert.equal(beyondStack('shop', creation), expected, JSON.stringify(creation));
  });
});
