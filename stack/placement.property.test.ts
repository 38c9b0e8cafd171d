import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseStackDefinition } from '../compose/index.js';
import { placeContainers } from './placement.js';
import { PlacementError } from './placement-error.js';
import type { PlacedContainer, PlacementHost, StackSpec } from './types.js';

// Placement, for any hosts, services, constraints and current replicas fast-check can think of:
// never a host that breaks a constraint, exactly the replicas asked for, spread as evenly as the
// constraints allow, replicas kept where they run, and the same answer whatever the host order.

const ZONES = ['a', 'b', 'c'] as const;

const hostArb = (index: number) =>
  fc.record({
    id: fc.constant(`h${index}`),
    name: fc.constant(`vm-h${index}`),
    labels: fc.record(
      { zone: fc.constantFrom(...ZONES), role: fc.constantFrom('db', 'web') },
      { requiredKeys: [] },
    ),
    online: fc.boolean(),
    recentlySeen: fc.boolean(),
  });

const hostsArb = fc
  .integer({ min: 1, max: 6 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => hostArb(i + 1))));

/** Constraints on labels and on names of hosts that exist (an unknown name is a different error). */
const constraintArb = (hostCount: number) =>
  fc.oneof(
    fc.constantFrom(...ZONES).map((zone) => `node.labels.zone == ${zone}`),
    fc.constantFrom(...ZONES).map((zone) => `node.labels.zone != ${zone}`),
    fc.constantFrom('db', 'web').map((role) => `node.labels.role == ${role}`),
    fc.integer({ min: 1, max: hostCount }).map((i) => `node.hostname != vm-h${i}`),
  );

const servicesArb = (hostCount: number) =>
  fc.uniqueArray(
    fc.record({
      name: fc.constantFrom('web', 'api', 'db', 'cache', 'worker'),
      replicas: fc.integer({ min: 0, max: 9 }),
      constraints: fc.uniqueArray(constraintArb(hostCount), { maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 4, selector: (s) => s.name },
  );

function specOf(services: { name: string; replicas: number; constraints: string[] }[]): StackSpec {
  const document = {
    services: Object.fromEntries(
      services.map((s) => [
        s.name,
        { image: 'busybox', deploy: { replicas: s.replicas, placement: { constraints: s.constraints } } },
      ]),
    ),
  };
  return parseStackDefinition(JSON.stringify(document), 'json');
}

function satisfies(host: PlacementHost, expression: string): boolean {
  const [field, operator, value] = expression.split(' ') as [string, '==' | '!=', string];
  const actual = field === 'node.hostname' ? host.name : host.labels[field.replace('node.labels.', '')];
  const equal = actual?.toLowerCase() === value.toLowerCase();
  return operator === '==' ? equal : !equal;
}

const scenarioArb = hostsArb.chain((hosts) =>
  fc.record({
    hosts: fc.constant(hosts as PlacementHost[]),
    services: servicesArb(hosts.length),
    // Where replicas ran before: any service, replica and host, even ones that no longer fit.
    current: fc.array(
      fc.record({
        service: fc.constantFrom('web', 'api', 'db', 'cache', 'worker'),
        replica: fc.integer({ min: 1, max: 10 }),
        hostId: fc.constantFrom(...hosts.map((h) => h.id), 'gone'),
      }),
      { maxLength: 12 },
    ),
  }),
);

const asCurrent = (current: { service: string; replica: number; hostId: string }[]): PlacedContainer[] =>
  current.map((c) => ({ ...c, name: `s_${c.service}_${c.replica}` }));

describe('placeContainers, for any input (fast-check)', () => {
  it('never breaks a constraint and places exactly the replicas asked for, or says why it cannot', () => {
    fc.assert(
      fc.property(scenarioArb, ({ hosts, services, current }) => {
        const spec = specOf(services);
        let placed: PlacedContainer[];
        try {
          placed = placeContainers('s', spec, hosts, asCurrent(current));
        } catch (error) {
          assert.ok(error instanceof PlacementError, String(error));
          // Only when some service with replicas has no host that satisfies all its constraints.
          assert.ok(
            services.some(
              (s) => s.replicas > 0 && !hosts.some((h) => s.constraints.every((c) => satisfies(h, c))),
            ),
          );
          return;
        }
        for (const service of services) {
          const mine = placed.filter((c) => c.service === service.name);
          assert.deepEqual(
            mine.map((c) => c.replica),
            Array.from({ length: service.replicas }, (_, i) => i + 1),
          );
          for (const container of mine) {
            const host = hosts.find((h) => h.id === container.hostId)!;
            assert.ok(host, `placed on an unknown host ${container.hostId}`);
            for (const constraint of service.constraints) assert.ok(satisfies(host, constraint), constraint);
            assert.equal(container.name, `s_${service.name}_${container.replica}`);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('spreads new replicas evenly over the online hosts the constraints allow', () => {
    fc.assert(
      fc.property(scenarioArb, ({ hosts, services }) => {
        let placed: PlacedContainer[];
        try {
          placed = placeContainers('s', specOf(services), hosts);
        } catch {
          return;
        }
        for (const service of services) {
          const eligible = hosts.filter((h) => service.constraints.every((c) => satisfies(h, c)));
          const online = eligible.filter((h) => h.online);
          const candidates = online.length > 0 ? online : eligible;
          const counts = candidates.map(
            (h) => placed.filter((c) => c.service === service.name && c.hostId === h.id).length,
          );
          assert.ok(
            placed
              .filter((c) => c.service === service.name)
              .every((c) => candidates.some((h) => h.id === c.hostId)),
            'an offline host is used only when no eligible host is online',
          );
          if (counts.length > 0)
            assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, `uneven: ${counts}`);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('keeps a replica where it runs while that host fits and is online or only briefly away', () => {
    fc.assert(
      fc.property(scenarioArb, ({ hosts, services, current }) => {
        let placed: PlacedContainer[];
        try {
          placed = placeContainers('s', specOf(services), hosts, asCurrent(current));
        } catch {
          return;
        }
        for (const service of services) {
          const eligible = hosts.filter((h) => service.constraints.every((c) => satisfies(h, c)));
          const anyOnline = eligible.some((h) => h.online);
          for (let replica = 1; replica <= service.replicas; replica++) {
            // The first current record of a replica wins, as it does in placement.
            const before = current.find(
              (c) =>
                c.service === service.name &&
                c.replica === replica &&
                eligible.some((h) => h.id === c.hostId && (!anyOnline || h.online || h.recentlySeen)),
            );
            if (!before) continue;
            const now = placed.find((c) => c.service === service.name && c.replica === replica)!;
            assert.equal(now.hostId, before.hostId, `${service.name} #${replica} moved`);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('gives the same answer whatever order the hosts come in', () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer(), ({ hosts, services, current }, seed) => {
        const shuffled = [...hosts].sort(
          (a, b) => ((a.id.charCodeAt(1) * seed) % 7) - ((b.id.charCodeAt(1) * seed) % 7),
        );
        const run = (h: PlacementHost[]) => {
          try {
            return placeContainers('s', specOf(services), h, asCurrent(current));
          } catch (error) {
            return (error as Error).message;
          }
        };
        assert.deepEqual(run(shuffled), run(hosts));
      }),
      { numRuns: 200 },
    );
  });
});
