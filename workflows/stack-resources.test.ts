import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceSpec, StackSpec } from '../stack/types.js';
import { attachmentsFor, mustComplete, resourcesFor } from './stack-resources.js';

const service = (name: string, extra: Partial<ServiceSpec> = {}): ServiceSpec => ({
  name,
  image: 'app:1',
  environment: {},
  ports: [],
  mounts: [],
  labels: {},
  restart: { policy: 'no' },
  dependsOn: [],
  replicas: 1,
  constraints: [],
  networks: [{ name: 'default', aliases: [name] }],
  ...extra,
});

const stackOf = (services: ServiceSpec[], extra: Partial<StackSpec> = {}): StackSpec => ({
  services,
  networks: [{ name: 'default', external: false }],
  volumes: [{ name: 'data', external: false }],
  ...extra,
});

describe('what a host needs for a service', () => {
  it('asks for exactly what it always did for a service that uses none of the new keys', () => {
    const web = service('web', {
      mounts: [{ type: 'volume', source: 'data', target: '/d', readOnly: false }],
    });
    const spec = stackOf([web], { bundle: { digest: 'b'.repeat(64), files: [] } });
    assert.deepEqual(attachmentsFor('shop', spec, web), {
      networks: [{ dockerName: 'shop_default', aliases: ['web'] }],
      volumes: { data: 'shop_data' },
    });
    assert.deepEqual(resourcesFor('shop', spec, [web]), {
      networks: [{ dockerName: 'shop_default', driver: undefined, external: false }],
      volumes: [{ dockerName: 'shop_data', driver: undefined, external: false }],
    });
  });

  it('resolves service: references, and hands over files and restart: true dependencies', () => {
    const db = service('db', { containerName: 'legacy-db' });
    const cache = service('cache');
    const app = service('app', {
      networks: [],
      networkMode: 'service:db',
      pid: 'service:cache',
      ipc: 'host',
      dependsOn: [
        { service: 'db', condition: 'service_started', restart: true },
        { service: 'cache', condition: 'service_started' },
      ],
      secrets: [{ source: 'token', target: '/run/secrets/token' }],
      configs: [{ source: 'nginx', target: '/etc/nginx.conf' }],
    });
    const spec = stackOf([db, cache, app], {
      bundle: { digest: 'b'.repeat(64), files: [] },
      secrets: [
        { name: 'token', file: 'secrets/token.txt' },
        { name: 'unused', file: 'secrets/other.txt' },
      ],
      configs: [{ name: 'nginx', file: 'nginx.conf' }],
    });
    assert.deepEqual(attachmentsFor('shop', spec, app), {
      networks: [],
      volumes: { data: 'shop_data' },
      networkMode: 'container:legacy-db',
      pidMode: 'container:shop_cache_1',
      bundleDigest: 'b'.repeat(64),
      secretFiles: { token: 'secrets/token.txt' },
      configFiles: { nginx: 'nginx.conf' },
      restartWith: [db],
    });
  });

  it('passes fixed addresses and network settings only where the stack sets them', () => {
    const web = service('web', {
      networks: [{ name: 'back', aliases: ['web'], ipv4Address: '10.5.0.9' }],
    });
    const spec = stackOf([web], {
      networks: [
        { name: 'back', external: false, internal: true, ipam: { config: [{ subnet: '10.5.0.0/24' }] } },
      ],
    });
    assert.deepEqual(attachmentsFor('shop', spec, web).networks, [
      { dockerName: 'shop_back', aliases: ['web'], ipv4Address: '10.5.0.9' },
    ]);
    assert.deepEqual(resourcesFor('shop', spec, [web]).networks, [
      {
        dockerName: 'shop_back',
        driver: undefined,
        external: false,
        internal: true,
        ipam: { config: [{ subnet: '10.5.0.0/24' }] },
      },
    ]);
  });

  it('knows which services must complete before their dependents start', () => {
    const migrate = service('migrate');
    const api = service('api', {
      dependsOn: [{ service: 'migrate', condition: 'service_completed_successfully' }],
    });
    const spec = stackOf([migrate, api]);
    assert.ok(mustComplete(spec, migrate));
    assert.ok(!mustComplete(spec, api));
  });
});
