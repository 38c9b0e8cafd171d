import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ServiceSpec, StackSpec } from '../stack/types.js';
import { loadComposeDocument, parseStackDefinition } from './single-document.js';
import { parseComposeText } from './yaml.js';

const normalizeCompose = (document: unknown) =>
  loadComposeDocument(document as Record<string, unknown>, 'json').spec;

/** The spec without its bundle manifest, which tests of the bundle check on their own. */
const withoutBundle = ({ bundle: _, ...rest }: StackSpec) => rest;
const spec = (yaml: string) => withoutBundle(parseStackDefinition(yaml, 'yaml'));
const service = (yaml: string, name = 'web') => spec(yaml).services.find((s) => s.name === name)!;

const base: Omit<ServiceSpec, 'name' | 'image'> = {
  environment: {},
  ports: [],
  mounts: [],
  labels: {},
  restart: { policy: 'no' },
  dependsOn: [],
  replicas: 1,
  constraints: [],
  networks: [],
};

describe('parseComposeText', () => {
  it('parses YAML 1.2 (no is a string) with merge keys and JSON', () => {
    assert.deepEqual(parseComposeText('a: no\nb: &x {c: 1}\nd: {<<: *x, e: 2}\n', 'yaml'), {
      a: 'no',
      b: { c: 1 },
      d: { c: 1, e: 2 },
    });
    assert.deepEqual(parseComposeText('{"services": {}}', 'json'), { services: {} });
  });
});

describe('normalizeCompose: output', () => {
  it('fills defaults, adds the default network and aliases each service by its name', () => {
    assert.deepEqual(spec('version: "3.8"\nname: shop\nservices:\n  web:\n    image: nginx:1.27\n'), {
      name: 'shop',
      services: [
        { ...base, name: 'web', image: 'nginx:1.27', networks: [{ name: 'default', aliases: ['web'] }] },
      ],
      networks: [{ name: 'default', external: false }],
      volumes: [],
    });
  });

  it('normalizes every supported service key', () => {
    const web = service(`
services:
  web:
    image: app
    command: sh -c "echo 'hi there' && exec app"
    entrypoint: [tini, --, '1']
    environment: {A: 1, B: null, C: true, D: x=y}
    ports: ["80", "8080:80", "127.0.0.1:8443:443", "53:53/udp", 9000, {target: 9100, published: "9101", protocol: udp, host_ip: 0.0.0.0}]
    volumes: ["data:/data:ro", "/etc/app:/etc/app", {type: bind, source: /srv, target: /srv, read_only: true}, {type: volume, source: data, target: /d2}]
    labels: [com.example.team=core, flag]
    restart: on-failure:3
    healthcheck: {test: [CMD, curl, -f, localhost], interval: 1m30s, timeout: 500ms, retries: 3, start_period: 2s}
    deploy: {replicas: 0, placement: {constraints: ["node.hostname==vm1", " node.labels.zone != a "]}}
    networks: {front: null, back: {aliases: [api, web]}}
volumes: {data: null}
networks: {front: null, back: {driver: overlay}}
`);
    assert.deepEqual(web, {
      name: 'web',
      image: 'app',
      command: ['sh', '-c', "echo 'hi there' && exec app"],
      entrypoint: ['tini', '--', '1'],
      environment: { A: '1', C: 'true', D: 'x=y' }, // B: null takes B from the variables: unset, left out
      ports: [
        { target: 80, protocol: 'tcp' },
        { target: 80, published: 8080, protocol: 'tcp' },
        { target: 443, published: 8443, protocol: 'tcp', hostIp: '127.0.0.1' },
        { target: 53, published: 53, protocol: 'udp' },
        { target: 9000, protocol: 'tcp' },
        { target: 9100, published: 9101, protocol: 'udp', hostIp: '0.0.0.0' },
      ],
      mounts: [
        { type: 'volume', source: 'data', target: '/data', readOnly: true },
        { type: 'bind', source: '/etc/app', target: '/etc/app', readOnly: false, createHostPath: true },
        { type: 'bind', source: '/srv', target: '/srv', readOnly: true, createHostPath: false },
        { type: 'volume', source: 'data', target: '/d2', readOnly: false },
      ],
      labels: { 'com.example.team': 'core', flag: '' },
      restart: { policy: 'on-failure', maxRetries: 3 },
      healthcheck: {
        test: ['CMD', 'curl', '-f', 'localhost'],
        intervalMs: 90_000,
        timeoutMs: 500,
        retries: 3,
        startPeriodMs: 2000,
      },
      dependsOn: [],
      replicas: 0,
      constraints: [
        { expression: 'node.hostname==vm1', field: 'node.hostname', operator: '==', value: 'vm1' },
        {
          expression: 'node.labels.zone != a',
          field: 'node.labels',
          label: 'zone',
          operator: '!=',
          value: 'a',
        },
      ],
      networks: [
        { name: 'front', aliases: ['web'] },
        { name: 'back', aliases: ['web', 'api'] },
      ],
    });
  });

  it('accepts environment and labels as a list of K=V', () => {
    const web = service('services:\n  web:\n    image: x\n    environment: [A=1, B=, C, D=a=b]\n');
    assert.deepEqual(web.environment, { A: '1', B: '', D: 'a=b' }, 'C is unset, so it is left out');
  });

  it('reads stop_grace_period and stop_signal', () => {
    const web = service(
      'services:\n  web:\n    image: x\n    stop_grace_period: 1m30s\n    stop_signal: SIGINT\n',
    );
    assert.equal(web.stopGracePeriodMs, 90_000);
    assert.equal(web.stopSignal, 'SIGINT');
  });

  it('normalizes healthcheck test forms and disable', () => {
    const test = (hc: string) =>
      service(`services:\n  web:\n    image: x\n    healthcheck: ${hc}\n`).healthcheck;
    assert.deepEqual(test('{test: curl -f localhost}'), { test: ['CMD-SHELL', 'curl -f localhost'] });
    assert.deepEqual(test('{test: [CMD-SHELL, "curl -f x || exit 1"]}'), {
      test: ['CMD-SHELL', 'curl -f x || exit 1'],
    });
    assert.deepEqual(test('{test: [NONE]}'), { test: ['NONE'] });
    assert.deepEqual(test('{disable: true}'), { test: ['NONE'] });
    assert.deepEqual(test('{interval: 10s}'), { test: [], intervalMs: 10_000 });
  });

  it('reads depends_on lists and maps, and orders services by dependency, stable otherwise', () => {
    const result = spec(`
services:
  web: {image: w, depends_on: {api: {condition: service_healthy}, cache: {condition: service_started}}}
  api: {image: a, depends_on: [db]}
  cache: {image: c}
  db: {image: d}
  tool: {image: t}
`);
    assert.deepEqual(
      result.services.map((s) => s.name),
      ['cache', 'db', 'api', 'web', 'tool'],
    );
    assert.deepEqual(result.services.find((s) => s.name === 'web')!.dependsOn, [
      { service: 'api', condition: 'service_healthy' },
      { service: 'cache', condition: 'service_started' },
    ]);
    assert.deepEqual(result.services.find((s) => s.name === 'api')!.dependsOn, [
      { service: 'db', condition: 'service_started' },
    ]);
    const sorted = spec(
      'services:\n  db: {image: d}\n  api: {image: a, depends_on: [db]}\n  cache: {image: c}\n',
    );
    assert.deepEqual(
      sorted.services.map((s) => s.name),
      ['db', 'api', 'cache'],
    );
  });

  it('adds default only when used, and keeps declared networks and volumes', () => {
    const result = spec(`
services:
  a: {image: a, networks: [back]}
  b: {image: b, networks: [back, default]}
networks:
  back: {driver: bridge}
  shared: {external: true, name: corp_net}
  edge: {external: true}
volumes:
  data: {driver: local}
  logs: {external: true}
`);
    assert.deepEqual(result.networks, [
      { name: 'back', driver: 'bridge', external: false },
      { name: 'shared', external: true, externalName: 'corp_net' },
      { name: 'edge', external: true, externalName: 'edge' },
      { name: 'default', external: false },
    ]);
    assert.deepEqual(result.volumes, [
      { name: 'data', driver: 'local', external: false },
      { name: 'logs', external: true, externalName: 'logs' },
    ]);
    assert.deepEqual(spec('services:\n  a: {image: a, networks: [n]}\nnetworks: {n: }\n').networks, [
      { name: 'n', external: false },
    ]);
    assert.deepEqual(
      spec('services:\n  a: {image: a}\nnetworks: {default: {external: true, name: x}}\n').networks,
      [{ name: 'default', external: true, externalName: 'x' }],
    );
  });

  it('ignores top-level x- extension keys that hold anchors', () => {
    const result = spec('x-base: &base {image: x, restart: always}\nservices:\n  web: {<<: *base}\n');
    assert.deepEqual(result.services[0]!.restart, { policy: 'always' });
  });

  it('normalizes an already-parsed object, as the API receives in a JSON body', () => {
    const document = { services: { web: { image: 'x', environment: { PORT: 8080 } } } };
    assert.deepEqual(
      withoutBundle(normalizeCompose(document)),
      spec('services:\n  web: {image: x, environment: {PORT: "8080"}}\n'),
    );
  });

  it('reads the same document from JSON', () => {
    const json = '{"services": {"web": {"image": "x", "ports": ["80:80"], "deploy": {"replicas": 2}}}}';
    assert.deepEqual(
      withoutBundle(parseStackDefinition(json, 'json')),
      spec('services:\n  web: {image: x, ports: ["80:80"], deploy: {replicas: 2}}\n'),
    );
  });
});
