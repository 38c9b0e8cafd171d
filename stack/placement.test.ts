import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseStackDefinition } from '../compose/index.js';
import { placeContainers } from './placement.js';
import { PlacementError } from './placement-error.js';
import type { PlacedContainer, PlacementHost } from './types.js';

const host = (id: string, labels: Record<string, string> = {}, online = true): PlacementHost => ({
  id,
  name: `vm-${id}`,
  labels,
  online,
});
const stack = (yaml: string) => parseStackDefinition(yaml, 'yaml');
/** `service.replica@host` for each placed container, in the returned order. */
const layout = (placed: PlacedContainer[]) => placed.map((c) => `${c.service}.${c.replica}@${c.hostId}`);
const one = (deploy: string) => stack(`services:\n  web: {image: x, deploy: ${deploy}}\n`);

function placementError(run: () => unknown): PlacementError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof PlacementError);
    return error;
  }
  assert.fail('expected a PlacementError');
}

describe('placeContainers: spreading', () => {
  it('names containers and returns them in spec order, replica ascending', () => {
    const spec = stack(
      'services:\n  web: {image: x, depends_on: [db], deploy: {replicas: 2}}\n  db: {image: y}\n',
    );
    assert.deepEqual(placeContainers('shop', spec, [host('h1'), host('h2')]), [
      { service: 'db', replica: 1, hostId: 'h1', name: 'shop_db_1' },
      { service: 'web', replica: 1, hostId: 'h2', name: 'shop_web_1' },
      { service: 'web', replica: 2, hostId: 'h1', name: 'shop_web_2' },
    ]);
  });

  it('names a container as its container_name says', () => {
    const spec = stack('services:\n  web: {image: x}\n');
    spec.services[0]!.containerName = 'legacy-web';
    assert.deepEqual(placeContainers('shop', spec, [host('h1')]), [
      { service: 'web', replica: 1, hostId: 'h1', name: 'legacy-web' },
    ]);
  });

  it('spreads replicas, then balances the stack, then takes the lowest id, whatever the host order', () => {
    const spec = stack(
      'services:\n  a: {image: x, deploy: {replicas: 4}}\n  b: {image: x, deploy: {replicas: 2}}\n',
    );
    const hosts = [host('h3'), host('h1'), host('h2')];
    const expected = ['a.1@h1', 'a.2@h2', 'a.3@h3', 'a.4@h1', 'b.1@h2', 'b.2@h3'];
    assert.deepEqual(layout(placeContainers('s', spec, hosts)), expected);
    assert.deepEqual(layout(placeContainers('s', spec, [...hosts].reverse())), expected);
  });

  it('places nothing for zero replicas', () => {
    assert.deepEqual(placeContainers('s', one('{replicas: 0}'), []), []);
  });
});

describe('placeContainers: constraints', () => {
  const hosts = [host('h1', { zone: 'a', ssd: 'true' }), host('h2', { zone: 'b' }), host('h3')];
  const place = (constraints: string[]) =>
    layout(
      placeContainers(
        's',
        one(`{replicas: 2, placement: {constraints: ${JSON.stringify(constraints)}}}`),
        hosts,
      ),
    );

  it('matches labels with == and !=, a missing label only with !=', () => {
    assert.deepEqual(place(['node.labels.zone == a']), ['web.1@h1', 'web.2@h1']);
    assert.deepEqual(place(['node.labels.zone != a']), ['web.1@h2', 'web.2@h3']);
    assert.deepEqual(place(['node.labels.zone != a', 'node.labels.zone != b']), ['web.1@h3', 'web.2@h3']);
    assert.deepEqual(place(['node.labels.ssd == true', 'node.labels.zone == a']), ['web.1@h1', 'web.2@h1']);
  });

  it('matches node.hostname against the name and node.id against the id, ignoring case as Swarm does', () => {
    assert.deepEqual(place(['node.hostname == vm-h2']), ['web.1@h2', 'web.2@h2']);
    assert.deepEqual(place(['node.hostname != vm-h2']), ['web.1@h1', 'web.2@h3']);
    assert.deepEqual(place(['node.id == H3']), ['web.1@h3', 'web.2@h3']);
    assert.deepEqual(place(['node.labels.zone == A']), ['web.1@h1', 'web.2@h1']);
  });

  it('reports a constraint no host satisfies', () => {
    const error = placementError(() => place(['node.labels.zone == c']));
    assert.equal(error.reason, 'unsatisfiable');
    assert.deepEqual(error.issues, [
      {
        path: 'services.web.deploy.placement.constraints',
        message: 'no host satisfies ["node.labels.zone == c"]',
      },
    ]);
    assert.equal(
      error.message,
      'services.web.deploy.placement.constraints: no host satisfies ["node.labels.zone == c"]',
    );
  });

  it('reports a hostname or id that no registered host has as unknown_host', () => {
    const error = placementError(() =>
      place(['node.hostname == vm9', 'node.id == h9', 'node.hostname != vm8']),
    );
    assert.equal(error.reason, 'unknown_host');
    assert.deepEqual(error.issues, [
      {
        path: 'services.web.deploy.placement.constraints',
        message: 'no registered host is named "vm9" (node.hostname == vm9)',
      },
      {
        path: 'services.web.deploy.placement.constraints',
        message: 'no registered host has id "h9" (node.id == h9)',
      },
    ]);
  });

  it('collects the problems of every service and says when no host is registered', () => {
    const spec = stack(`
services:
  a: {image: x, deploy: {placement: {constraints: [node.labels.zone == z]}}}
  b: {image: x, deploy: {placement: {constraints: [node.hostname == nowhere]}}}
`);
    const error = placementError(() => placeContainers('s', spec, hosts));
    assert.equal(error.reason, 'unknown_host');
    assert.equal(error.issues.length, 2);
    const empty = placementError(() => placeContainers('s', spec, []));
    assert.equal(empty.reason, 'unsatisfiable');
    assert.deepEqual(empty.issues, [
      { path: 'services.a', message: 'no hosts are registered' },
      { path: 'services.b', message: 'no hosts are registered' },
    ]);
  });
});

describe('placeContainers: online hosts and stickiness', () => {
  const spec = one('{replicas: 2}');
  const current = (...hostIds: string[]): PlacedContainer[] =>
    hostIds.map((hostId, i) => ({ service: 'web', replica: i + 1, hostId, name: `s_web_${i + 1}` }));

  it('uses offline hosts only when no eligible host is online', () => {
    assert.deepEqual(layout(placeContainers('s', spec, [host('h1', {}, false), host('h2'), host('h3')])), [
      'web.1@h2',
      'web.2@h3',
    ]);
    assert.deepEqual(layout(placeContainers('s', spec, [host('h1', {}, false), host('h2', {}, false)])), [
      'web.1@h1',
      'web.2@h2',
    ]);
  });

  it('keeps replicas where they run, even when that is not the even spread', () => {
    const hosts = [host('h1'), host('h2'), host('h3')];
    assert.deepEqual(layout(placeContainers('s', spec, hosts, current('h3', 'h3'))), [
      'web.1@h3',
      'web.2@h3',
    ]);
  });

  it('spreads new replicas around the sticky ones and drops replicas beyond the count', () => {
    const hosts = [host('h1'), host('h2')];
    const placed = placeContainers('s', spec, hosts, [
      { service: 'web', replica: 2, hostId: 'h1', name: 's_web_2' },
      { service: 'web', replica: 3, hostId: 'h2', name: 's_web_3' },
      { service: 'other', replica: 1, hostId: 'h2', name: 's_other_1' },
    ]);
    assert.deepEqual(layout(placed), ['web.1@h2', 'web.2@h1']);
  });

  it('moves a replica whose host went offline, left the registry or no longer qualifies', () => {
    const offline = [host('h1', {}, false), host('h2'), host('h3')];
    assert.deepEqual(layout(placeContainers('s', spec, offline, current('h1', 'h2'))), [
      'web.1@h3',
      'web.2@h2',
    ]);
    assert.deepEqual(layout(placeContainers('s', spec, [host('h2'), host('h3')], current('h1', 'h2'))), [
      'web.1@h3',
      'web.2@h2',
    ]);
    const zoned = one('{replicas: 2, placement: {constraints: ["node.labels.zone == a"]}}');
    const hosts = [host('h1', { zone: 'b' }), host('h2', { zone: 'a' }), host('h3', { zone: 'a' })];
    assert.deepEqual(layout(placeContainers('s', zoned, hosts, current('h1', 'h2'))), [
      'web.1@h3',
      'web.2@h2',
    ]);
  });

  it('keeps a replica on a host that is only briefly unreachable, so it never runs twice', () => {
    const hosts = [{ ...host('h1', {}, false), recentlySeen: true }, host('h2'), host('h3')];
    assert.deepEqual(layout(placeContainers('s', spec, hosts, current('h1', 'h2'))), [
      'web.1@h1',
      'web.2@h2',
    ]);
    // New replicas still go to online hosts only.
    assert.deepEqual(layout(placeContainers('s', one('{replicas: 3}'), hosts, current('h1', 'h2'))), [
      'web.1@h1',
      'web.2@h2',
      'web.3@h3',
    ]);
  });

  it('stays on an offline host when every eligible host is offline', () => {
    const hosts = [host('h1', {}, false), host('h2', {}, false)];
    assert.deepEqual(layout(placeContainers('s', spec, hosts, current('h2', 'h2'))), [
      'web.1@h2',
      'web.2@h2',
    ]);
  });
});
