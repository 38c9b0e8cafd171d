import {
  isDockerStep,
  percentile,
  pickupsOf,
  type TimedActivity,
  type Timeline,
} from './history-timeline.js';

// Where the time of one deploy goes, read from its history: consecutive phases from the request to
// the result (they add up to the wall time), each with the steps and workflow tasks scheduled in it,
// then the totals of the round trips that cost time in every phase.

const PREPARATION = new Set([
  'prepareHost',
  'pullImage',
  'buildImage',
  'materializeBundle',
  'storeBundleFiles',
]);

export interface Phase {
  name: string;
  ms: number;
  detail: string;
}

/** `requestedAt` and `receivedAt` are the bench's clock (the same machine as Temporal's). */
export function deployPhases(
  t: Timeline,
  containers: number,
  requestedAt: number,
  receivedAt: number,
): { phases: Phase[]; totals: Phase[] } {
  const docker = t.activities.filter(isDockerStep);
  const replicas = docker.filter((a) => a.type === 'deployReplica');
  const lastClosed = (steps: TimedActivity[]) =>
    steps.length > 0 ? Math.max(...steps.map((a) => a.closedAt ?? a.scheduledAt)) : undefined;
  const milestones: { name: string; at: number | undefined }[] = [
    { name: 'request → workflow started (API: database, start)', at: t.startedAt },
    { name: 'workflow start → first Docker step scheduled', at: docker[0]?.scheduledAt },
    {
      name: 'host preparation (networks, volumes, images)',
      at: lastClosed(docker.filter((a) => PREPARATION.has(a.type))),
    },
    {
      name: 'inventory (what each host holds)',
      at: lastClosed(docker.filter((a) => a.type === 'inventoryStack')),
    },
    { name: 'replicas (deployReplica)', at: lastClosed(replicas) },
    {
      name: 'progress write, commit and prune',
      at: lastClosed(docker.filter((a) => a.type === 'pruneStack')),
    },
    { name: 'records (placements, finish) → workflow end', at: t.closedAt },
    { name: 'workflow end → result at the client', at: receivedAt },
  ];
  const phases: Phase[] = [];
  let from = requestedAt;
  for (const [index, { name, at }] of milestones.entries()) {
    if (at === undefined) continue;
    const last = index === milestones.length - 1;
    const inPhase = (time: number) => time >= from && (time < at || (last && time === at));
    const steps = t.activities.filter((a) => inPhase(a.scheduledAt));
    const tasks = t.workflowTasks.filter((w) => inPhase(w.scheduledAt)).length;
    let detail = [countsByType(steps), tasks > 0 ? `${tasks} workflow tasks` : ''].filter(Boolean).join('; ');
    if (name.startsWith('replicas') && replicas.length > 0) {
      const runs = replicas.flatMap((a) =>
        a.startedAt !== undefined && a.closedAt !== undefined ? [a.closedAt - a.startedAt] : [],
      );
      detail +=
        `; per replica: pickup p50 ${percentile(pickupsOf(replicas), 50)} ms, ` +
        `run p50 ${percentile(runs, 50)} ms / p99 ${percentile(runs, 99)} ms`;
    }
    phases.push({ name, ms: at - from, detail: detail || '—' });
    from = at;
  }
  return { phases, totals: totalsOf(t, docker, containers) };
}

function totalsOf(t: Timeline, docker: TimedActivity[], containers: number): Phase[] {
  const control = t.activities.filter((a) => a.queue === 'graphium-orchestrator');
  const liveness = t.activities.filter((a) => a.queue.startsWith('graphium-alive-'));
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const span = (a: TimedActivity) => (a.closedAt ?? a.scheduledAt) - a.scheduledAt;
  const queued = t.workflowTasks.flatMap((w) =>
    w.startedAt === undefined ? [] : [w.startedAt - w.scheduledAt],
  );
  const ran = t.workflowTasks.flatMap((w) =>
    w.startedAt === undefined || w.closedAt === undefined ? [] : [w.closedAt - w.startedAt],
  );
  const retried = docker.filter((a) => (a.attempt ?? 1) > 1).length;
  return [
    {
      name: 'Docker steps (agent round trips)',
      ms: sum(docker.map(span)),
      detail:
        `${docker.length} = ${(docker.length / containers).toFixed(2)} per container ` +
        `(${countsByType(docker)}); ${retried} retried; pickup p50 ${percentile(pickupsOf(docker), 50)} ms`,
    },
    {
      name: 'control-plane activities (database writes)',
      ms: sum(control.map(span)),
      detail: `${control.length} on graphium-orchestrator (${countsByType(control)}), scheduled → closed summed`,
    },
    {
      name: 'liveness checks (agentAlive)',
      ms: sum(liveness.map(span)),
      detail: `${liveness.length}, off the critical path`,
    },
    {
      name: 'workflow tasks (orchestrator)',
      ms: sum(queued) + sum(ran),
      detail:
        `${t.workflowTasks.length}: queued ${sum(queued)} ms (p50 ${percentile(queued, 50)}), ` +
        `ran ${sum(ran)} ms (p50 ${percentile(ran, 50)})`,
    },
    { name: 'progress signals', ms: 0, detail: `${t.signals}` },
    { name: 'history events', ms: 0, detail: `${t.events}; timers ${t.timers}` },
  ];
}

function countsByType(steps: TimedActivity[]): string {
  const counts = new Map<string, number>();
  for (const a of steps) counts.set(a.type, (counts.get(a.type) ?? 0) + 1);
  return [...counts].map(([type, n]) => `${type} ${n}`).join(', ');
}

/** The breakdown as printed: phases (which add up to the wall time), then the totals. */
export function formatPhases(breakdown: { phases: Phase[]; totals: Phase[] }): string[] {
  const line = (p: Phase) => `  ${p.name.padEnd(52)} ${String(p.ms).padStart(7)} ms   ${p.detail}`;
  const total = breakdown.phases.reduce((a, p) => a + p.ms, 0);
  return [
    'breakdown (from the history; phases add up to the wall time)',
    ...breakdown.phases.map(line),
    `  ${'total'.padEnd(52)} ${String(total).padStart(7)} ms`,
    'round trips (summed over the run; they overlap)',
    ...breakdown.totals.map(
      (p) =>
        `  ${p.name.padEnd(52)} ${p.ms > 0 ? `${String(p.ms).padStart(7)} ms` : '          '}   ${p.detail}`,
    ),
  ];
}
