import { CancellationScope } from '@temporalio/workflow';
import { z } from 'zod';
import type { AliasMove } from '../../activities/docker/types.js';
import { besideName, replicaNameOf } from '../../stack/names.js';
import { dependencyWaves } from '../../stack/waves.js';
import type { PlannedReplica } from '../kit/inventory.js';
import { type Operation, runOperation } from '../kit/lifecycle.js';
import { defineOperation } from '../kit/operation-type.js';
import { durationMs, durationOption, placementOptions } from '../kit/options.js';
import { abortedBy, Rollout } from '../kit/rollout.js';
import { commit, compensate } from '../kit/saga.js';
import { besideRefusal, renameInto, restoreAliases, setRunning, switchAliases } from '../kit/traffic.js';
import type { StackOperationInput } from '../operation-types.js';
import type { OperationProgress } from '../progress-types.js';

const DEFAULT_ROLLBACK_WINDOW_MS = 15 * 60_000;

const options = z.strictObject({
  rollbackWindow: durationOption('How long the old version is kept, stopped, for a rollback (default 15m)'),
  ...placementOptions,
});

export const blueGreen = defineOperation({
  name: 'blue-green',
  description:
    'Bring the whole new version up beside the old one, health-gated and without the services’ network ' +
    'aliases; then move the aliases to it on every host at once, and keep the old version stopped for a ' +
    'rollback window during which `rollback` restores it in seconds.',
  role: 'deployer',
  options,
  actions: {
    rollback: {
      description:
        'Switch back to the old version (while the rollback window is open) and remove the new one',
      role: 'deployer',
    },
  },
  placesVersion: true,
  goalStates: ['running', 'healthy', 'completed', 'unchanged'],
  workflow: blueGreenWorkflow,
  // Green starts beside blue on the same hosts: one fixed host port cannot serve both.
  refuses: (plan) => besideRefusal(plan),
});

/**
 * Blue-green: every replica that changes gets a green container (`<name>.green-<deployment>`) beside
 * its blue one, without the service's aliases, wave by wave, each health-gated. Then the aliases move
 * from blue to green on every host, and blue is stopped. Until the rollback window closes, `rollback`
 * starts blue again and gives it its aliases back; then green is removed. Once the window has closed,
 * blue is removed and each green container takes its replica's name.
 */
export async function blueGreenWorkflow(
  input: StackOperationInput<z.output<typeof options>>,
): Promise<OperationProgress> {
  return runOperation(input, blueGreen, async (op) => {
    const rollout = new Rollout(op);
    const switched: Switched = { taken: new Map(), greens: new Map(), blues: new Map() };
    let greens: Green[] = [];
    try {
      greens = await bringUpGreen(op, rollout);
      // Nothing changes: nothing to switch, and no old version to keep.
      if (greens.length > 0) {
        await switchToGreen(op, rollout, greens, switched);
        const windowMs = durationMs(input.options?.rollbackWindow, DEFAULT_ROLLBACK_WINDOW_MS);
        op.tracker.setPhase(
          `switched to the new version; the old one is kept stopped for ${windowMs / 1000}s`,
        );
        const taken = await op.tracker.awaitAction(['rollback'], windowMs);
        if (taken) throw abortedBy(taken, 'switch to the new version rolled back');
      }
    } catch (error) {
      return CancellationScope.nonCancellable(async () => {
        // Blue serves again before anything of green goes.
        if (switched.taken.size > 0) await switchBack(op, rollout, switched);
        return compensate(op, error);
      });
    }
    return CancellationScope.nonCancellable(async () => {
      op.tracker.setPhase('rollback window closed: removing the old version');
      await renameInto(
        op,
        groupByHost(
          greens,
          (g) => g.replica.hostId,
          (g) => ({ from: g.name, to: g.replica.name }),
        ),
      );
      op.tracker.apply(
        greens.map((g) => ({
          hostId: g.replica.hostId,
          name: g.replica.name,
          status: g.status,
          containerId: g.containerId,
        })),
      );
      return commit(op);
    });
  });
}

interface Green {
  replica: PlannedReplica;
  name: string;
  containerId: string;
  status: 'running' | 'healthy' | 'completed' | 'unchanged';
}

interface Switched {
  /** What the switch took from blue, per host: given back by a rollback. */
  taken: Map<string, AliasMove[]>;
  greens: Map<string, string[]>;
  blues: Map<string, string[]>;
}

/** Every replica that changes (or is new) comes up green, wave by wave, health-gated; unchanged ones stay. */
async function bringUpGreen(op: Operation, rollout: Rollout): Promise<Green[]> {
  const { input, tracker } = op;
  const planned = await rollout.plan();
  const waves = dependencyWaves(input.spec!);
  const greens: Green[] = [];
  for (const [index, names] of waves.entries()) {
    tracker.setPhase(`bringing up the new version beside the old: wave ${index + 1} of ${waves.length}`);
    const wave = planned.filter((p) => names.includes(p.service));
    tracker.apply(
      wave
        .filter((p) => p.plan === 'unchanged')
        .map((p) => ({ hostId: p.hostId, name: p.name, status: 'unchanged' as const })),
    );
    const changing = wave
      .filter((p) => p.plan !== 'unchanged')
      .map((replica) => ({ replica, name: besideName(replica.name, 'green', input.deploymentId) }));
    const results = await rollout.runner.deployAll(
      changing.map(({ replica, name }) => ({ placed: replica, options: { name, withoutAliases: true } })),
    );
    greens.push(
      ...changing.map(({ replica, name }, i) => ({
        replica,
        name,
        containerId: results[i]!.containerId,
        status: results[i]!.status,
      })),
    );
  }
  return greens;
}

/**
 * Green gets the aliases on every host, then blue loses them and stops (kept for the rollback window).
 * Blue is every running container of a switched service that is not green and not unchanged: the
 * replaced replicas, and those the new version no longer has or runs elsewhere.
 */
async function switchToGreen(op: Operation, rollout: Rollout, greens: Green[], switched: Switched) {
  const services = new Set(greens.map((g) => g.replica.service));
  const staying = new Set(greens.filter((g) => g.replica.plan === 'start').map((g) => g.replica.name));
  const blues = new Map<string, string[]>();
  for (const [hostId, inventory] of rollout.inventories) {
    const names = inventory.containers
      .filter((c) => services.has(c.service) && c.state === 'running' && replicaNameOf(c.name) === c.name)
      .filter((c) => !staying.has(c.name) && !unchangedHere(rollout, hostId, c.name))
      .map((c) => c.name);
    if (names.length > 0) blues.set(hostId, names);
  }
  switched.greens = groupByHost(
    greens,
    (g) => g.replica.hostId,
    (g) => g.name,
  );
  switched.blues = blues;
  const hostIds = [...new Set([...switched.greens.keys(), ...blues.keys()])].sort();
  op.tracker.setPhase(`switching ${[...services].join(', ')} to the new version on ${hostIds.join(', ')}`);
  switched.taken = await switchAliases(
    op,
    hostIds.map((hostId) => ({
      hostId,
      to: greens
        .filter((g) => g.replica.hostId === hostId)
        .map((g) => ({ name: g.name, service: g.replica.service })),
      from: blues.get(hostId) ?? [],
    })),
  );
  await setRunning(op, blues, false);
  op.tracker.apply(
    greens
      .filter((g) => g.replica.current)
      .map((g) => ({ hostId: g.replica.hostId, name: g.replica.name, status: 'stopped' as const })),
  );
}

function unchangedHere(rollout: Rollout, hostId: string, name: string): boolean {
  return rollout.planned.some((p) => p.hostId === hostId && p.name === name && p.plan === 'unchanged');
}

/** Blue runs again and, once ready, gets its aliases back; green loses them (compensation removes it). */
async function switchBack(op: Operation, rollout: Rollout, switched: Switched): Promise<void> {
  op.tracker.setPhase('switching back to the old version');
  await setRunning(op, switched.blues, true);
  const blues = [...switched.blues].flatMap(([hostId, names]) =>
    (rollout.inventories.get(hostId)?.containers ?? [])
      .filter((c) => names.includes(c.name))
      .map((c) => ({ hostId, name: c.name, service: c.service, replica: c.replica })),
  );
  await Promise.all(blues.map((blue) => rollout.runner.awaitReady(blue)));
  await restoreAliases(op, switched.taken, switched.greens);
}

function groupByHost<T, V>(items: T[], hostOf: (item: T) => string, value: (item: T) => V): Map<string, V[]> {
  const map = new Map<string, V[]>();
  for (const item of items) map.set(hostOf(item), [...(map.get(hostOf(item)) ?? []), value(item)]);
  return map;
}
