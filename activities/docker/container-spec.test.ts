import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStackDefinition } from '../../compose/index.js';
import { buildCreateOptions } from './container-spec.js';
import type { ContainerRequest } from './types.js';

const spec = parseStackDefinition(
  `
services:
  web:
    image: app:1
    command: httpd -f -p 80
    environment: { MODE: prod }
    ports: ["127.0.0.1:8080:80", "53/udp"]
    volumes: ["data:/data:ro", "/srv/www:/www"]
    labels: { team: core }
    restart: on-failure:3
    healthcheck: { test: ["CMD", "true"], interval: 2s, timeout: 1s, retries: 4, start_period: 500ms }
    stop_grace_period: 3s
    networks: [front, back]
networks: { front: null, back: null }
volumes: { data: null }
`,
  'yaml',
);

const request = (deploymentId: string, service = spec.services[0]!): ContainerRequest => ({
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
});

describe('buildCreateOptions', () => {
  it('maps every Compose field onto the Engine API body', () => {
    const options = buildCreateOptions(request('dep-1'), 'vm1', 'sha256:img');
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

  it('gives the same config hash to the same definition, whichever deployment asks', () => {
    const hash = (deploymentId: string, imageId = 'sha256:img', service = spec.services[0]!) =>
      buildCreateOptions(request(deploymentId, service), 'vm1', imageId).Labels?.['io.graphium.config-hash'];
    assert.equal(hash('dep-1'), hash('dep-2'));
    assert.notEqual(hash('dep-1'), hash('dep-1', 'sha256:other'), 'a re-tagged image is a change');
    assert.notEqual(hash('dep-1'), hash('dep-1', 'sha256:img', { ...spec.services[0]!, command: ['true'] }));
  });
});
