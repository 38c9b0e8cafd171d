import { condition, defineQuery, defineSignal, setCurrentDetails, setHandler } from '@temporalio/workflow';
import type { ContainerState, DeploymentStatus, Operation } from '../contracts/vocabulary.js';
import type { PlacedContainer } from '../stack/types.js';
import { type ActionRequest, type Awaiting, actionUpdate, notAwaiting } from './kit/actions.js';
import type { ContainerProgress, OperationProgress } from './progress-types.js';

/** `progress`: the per-container state of a running operation, for the API and the Temporal UI. */
export const progressQuery = defineQuery<OperationProgress>('progress');

export interface ContainerUpdate {
  hostId: string;
  name: string;
  service?: string;
  replica?: number;
  status: ContainerState;
  containerId?: string | null;
  attempts?: number;
  error?: string | null;
  agent?: string;
}

/** What a per-host child workflow tells its parent, in batches. */
export interface HostProgressBatch {
  hostId: string;
  /** The host's agent has done work for this deployment, so a rollback must visit it. */
  reached: boolean;
  updates: ContainerUpdate[];
}

export const hostProgressSignal = defineSignal<[HostProgressBatch]>('hostProgress');

const key = (hostId: string, name: string) => `${hostId}/${name}`;

/** The state an operation shows to the world: query handler, current details, and the final record. */
export class ProgressTracker {
  status: DeploymentStatus = 'running';
  error: string | null = null;
  phase = 'starting';
  /** The actions this operation accepts now, and until when; null when it awaits none. */
  awaiting: Awaiting | null = null;
  private taken: ActionRequest | undefined;
  private readonly containers = new Map<string, ContainerProgress>();
  /** Containers per state, kept up to date by every change: an update costs O(1), not O(containers). */
  private readonly counts = new Map<ContainerState, number>();
  private readonly goal: ReadonlySet<string>;
  /** Hosts whose agents did work for this operation. */
  readonly reachedHosts = new Set<string>();

  constructor(
    readonly deploymentId: string,
    readonly operation: Operation,
    readonly stack: string,
    placements: PlacedContainer[],
    goalStates: readonly ContainerState[],
  ) {
    this.goal = new Set(goalStates);
    for (const placed of placements) {
      this.put({
        service: placed.service,
        replica: placed.replica,
        hostId: placed.hostId,
        name: placed.name,
        containerId: null,
        status: 'pending',
        attempts: 0,
        error: null,
      });
    }
  }

  /** Sets a container's progress, keeping the per-state counts in step. */
  private put(container: ContainerProgress): void {
    const at = key(container.hostId, container.name);
    const previous = this.containers.get(at);
    if (previous) this.count(previous.status, -1);
    this.containers.set(at, container);
    this.count(container.status, 1);
  }

  private count(status: ContainerState, delta: number): void {
    const n = (this.counts.get(status) ?? 0) + delta;
    if (n === 0) this.counts.delete(status);
    else this.counts.set(status, n);
  }

  /** Installs the `progress` query, the `action` update and the handler of the children's progress signal. */
  listen(): this {
    setHandler(progressQuery, () => this.snapshot());
    setHandler(
      actionUpdate,
      (request) => {
        this.taken = request;
        this.awaiting = null;
        this.setPhase(`${request.action} requested by ${request.requestedBy}`);
        return this.snapshot();
      },
      {
        validator: (request) => {
          if (!this.awaiting?.actions.includes(request.action)) throw notAwaiting(request, this.awaiting);
        },
      },
    );
    setHandler(hostProgressSignal, (batch) => {
      if (batch.reached) this.reachedHosts.add(batch.hostId);
      this.apply(batch.updates);
    });
    this.publish();
    return this;
  }

  apply(updates: ContainerUpdate[]): void {
    for (const update of updates) {
      const current = this.containers.get(key(update.hostId, update.name));
      this.put({
        service: update.service ?? current?.service ?? '',
        replica: update.replica ?? current?.replica ?? 0,
        hostId: update.hostId,
        name: update.name,
        containerId: update.containerId !== undefined ? update.containerId : (current?.containerId ?? null),
        status: update.status,
        attempts: Math.max(update.attempts ?? 0, current?.attempts ?? 0),
        error: update.error !== undefined ? update.error : (current?.error ?? null),
        ...((update.agent ?? current?.agent) ? { agent: update.agent ?? current?.agent } : {}),
      });
    }
    this.publish();
  }

  /** Forgets containers that no longer exist (canaries and other stand-ins, once removed). */
  drop(gone: (container: ContainerProgress) => boolean): void {
    for (const [at, container] of [...this.containers]) {
      if (!gone(container)) continue;
      this.containers.delete(at);
      this.count(container.status, -1);
    }
    this.publish();
  }

  /**
   * Waits for one of `actions` (an Update from the API), at most `timeoutMs` when given. Returns the
   * action taken, or undefined when the deadline passed first; either way it awaits nothing after.
   */
  async awaitAction(actions: string[], timeoutMs?: number): Promise<ActionRequest | undefined> {
    this.taken = undefined;
    const deadline = timeoutMs === undefined ? null : new Date(Date.now() + timeoutMs).toISOString();
    this.awaiting = { actions, deadline };
    this.publish();
    const taken = () => this.taken !== undefined;
    if (timeoutMs === undefined) await condition(taken);
    else await condition(taken, timeoutMs);
    this.awaiting = null;
    this.publish();
    return this.taken;
  }

  setPhase(phase: string): void {
    this.phase = phase;
    this.publish();
  }

  /** One container's progress, if it is tracked. */
  get(hostId: string, name: string): ContainerProgress | undefined {
    return this.containers.get(key(hostId, name));
  }

  list(): ContainerProgress[] {
    // Code-unit order, not localeCompare: workflow code must not depend on the runtime's locale data.
    const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    return [...this.containers.values()].sort(
      (a, b) => byCodeUnit(a.hostId, b.hostId) || byCodeUnit(a.name, b.name),
    );
  }

  percent(): number {
    if (this.containers.size === 0) return this.status === 'running' ? 0 : 100;
    let done = 0;
    for (const [status, n] of this.counts) if (this.goal.has(status)) done += n;
    return Math.floor((100 * done) / this.containers.size);
  }

  snapshot(): OperationProgress {
    return {
      deploymentId: this.deploymentId,
      operation: this.operation,
      stack: this.stack,
      status: this.status,
      progress: this.percent(),
      error: this.error,
      phase: this.phase,
      awaiting: this.awaiting,
      containers: this.list(),
    };
  }

  /**
   * Keeps the Temporal UI's "current details" in step: phase, counts per state, the error if any.
   * It runs on every change of every container, so it reads only the counts: a pass over all the
   * containers here made a 1,000-replica deploy's workflow tasks quadratic (docs/workflows.md).
   */
  publish(): void {
    const states = [...this.counts.entries()].map(([state, n]) => `${state} ${n}`).join(', ');
    setCurrentDetails(
      [
        `**${this.operation} ${this.stack}**: ${this.status}, ${this.percent()}%`,
        `phase: ${this.phase}`,
        this.awaiting &&
          `awaiting: ${this.awaiting.actions.join(' or ')}${this.awaiting.deadline ? ` until ${this.awaiting.deadline}` : ''}`,
        states && `containers: ${states}`,
        this.error && `error: ${this.error}`,
      ]
        .filter(Boolean)
        .join('\n\n'),
    );
  }
}
