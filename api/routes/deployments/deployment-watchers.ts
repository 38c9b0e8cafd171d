import { setTimeout as sleep } from 'node:timers/promises';
import type { DeploymentWithStack } from '../../../db/repositories/deployments.js';
import { loggableError } from '../../lib/error-handlers.js';
import type { AppDeps } from '../../lib/types.js';
import { isActive } from '../../services/deployment-state.js';
import { type DeploymentJson, requireDeployment, viewDeployment } from './deployment-view.js';

// One watcher per deployment, shared by every event stream that follows it: it reads the record and
// the workflow's `progress` query once per poll, whatever the number of subscribers, so the API's
// Temporal and database load grows with the deployments being watched, never with the streams. A
// watcher starts with its first subscriber and stops with its last one, or at the deployment's end.

/**
 * Mutable only so tests can shorten the waits; the documented values are these. `leaseMs`: how long
 * a watcher started by plain GETs keeps polling after the last one, so a client polling a running
 * deployment costs Temporal one look per poll interval, not one per request.
 */
export const sseTiming = { pollMs: 500, keepAliveMs: 15_000, leaseMs: 15_000 };

/** What a subscriber is told, newest first wins: a slow client skips states, it never queues them. */
export type FeedUpdate =
  | { kind: 'progress'; data: string; terminal: boolean }
  | { kind: 'error' }
  | { kind: 'keep-alive' };

/** One event stream's view of a watcher: the latest state it has not sent yet, and a way to wait for one. */
export class Subscription {
  private pending: FeedUpdate | undefined;
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(private readonly detach: (subscription: Subscription) => void) {}

  /** Called by the watcher; the newest update replaces one the stream has not taken yet. */
  offer(update: FeedUpdate): void {
    if (this.closed) return;
    // An error or the terminal state must not be overwritten by anything else.
    if (this.pending?.kind === 'error' || (this.pending?.kind === 'progress' && this.pending.terminal))
      return;
    this.pending = update;
    this.wake?.();
  }

  /** The next update, or `keep-alive` after `idleMs` without one. */
  async next(idleMs: number): Promise<FeedUpdate> {
    if (!this.pending) {
      const controller = new AbortController();
      const woken = new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      await Promise.race([woken, sleep(idleMs, undefined, { signal: controller.signal }).catch(() => {})]);
      controller.abort();
      this.wake = undefined;
    }
    const update = this.pending ?? { kind: 'keep-alive' };
    this.pending = undefined;
    return update;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wake?.();
    this.detach(this);
  }
}

class DeploymentWatcher {
  readonly subscribers = new Set<Subscription>();
  latest: { data: string; terminal: boolean; view: DeploymentJson } | undefined;
  /** Resolves at the first look, so a reader that started the watcher can wait for it. */
  readonly firstLook: Promise<void>;
  private markFirstLook!: () => void;
  private stopped: Promise<void> = Promise.resolve();
  private lease: { subscription: Subscription; timer: NodeJS.Timeout } | undefined;

  constructor(
    private readonly deps: AppDeps,
    private readonly found: DeploymentWithStack,
    private readonly onStop: () => void,
  ) {
    this.firstLook = new Promise((resolve) => {
      this.markFirstLook = resolve;
    });
  }

  /**
   * Keeps the watcher running for plain readers (GET) for `leaseMs` after the last one: a lease is
   * one more subscriber that nobody reads from, closed when it has not been renewed in time.
   */
  /** Drops every subscriber, so the loop ends at its next look; resolves once it has. */
  async stop(): Promise<void> {
    for (const subscriber of [...this.subscribers]) subscriber.close();
    await this.stopped;
  }

  renewLease(): void {
    if (this.lease) clearTimeout(this.lease.timer);
    const subscription = this.lease?.subscription ?? this.subscribe();
    const timer = setTimeout(() => {
      this.lease = undefined;
      subscription.close();
    }, sseTiming.leaseMs);
    // A lease never keeps the process alive on its own.
    timer.unref();
    this.lease = { subscription, timer };
  }

  subscribe(): Subscription {
    const subscription = new Subscription((gone) => this.subscribers.delete(gone));
    this.subscribers.add(subscription);
    // A client that joins late gets the whole state at once, as the first event of every stream.
    if (this.latest)
      subscription.offer({ kind: 'progress', data: this.latest.data, terminal: this.latest.terminal });
    return subscription;
  }

  run(): void {
    this.stopped = this.loop();
  }

  private async loop(): Promise<void> {
    let found = this.found;
    try {
      while (this.subscribers.size > 0) {
        const view: DeploymentJson = await viewDeployment(this.deps, found);
        const data = JSON.stringify(view);
        const terminal = !isActive(view.status);
        if (data !== this.latest?.data || terminal) {
          this.latest = { data, terminal, view };
          for (const subscriber of this.subscribers) subscriber.offer({ kind: 'progress', data, terminal });
        }
        this.markFirstLook();
        if (terminal) return;
        await sleep(sseTiming.pollMs);
        if (this.subscribers.size === 0) return;
        found = await requireDeployment(this.deps, found.deployment.id);
      }
    } catch (error) {
      this.deps.log.error(
        { err: loggableError(error), deploymentId: this.found.deployment.id },
        'deployment watcher failed',
      );
      for (const subscriber of this.subscribers) subscriber.offer({ kind: 'error' });
    } finally {
      if (this.lease) clearTimeout(this.lease.timer);
      this.markFirstLook();
      this.onStop();
    }
  }
}

/** The watchers of one API process, by deployment id. */
export class DeploymentWatchers {
  private readonly watchers = new Map<string, DeploymentWatcher>();

  constructor(private readonly deps: AppDeps) {}

  /** Joins the deployment's watcher, starting one if none runs. */
  subscribe(found: DeploymentWithStack): Subscription {
    return this.watcherOf(found, (watcher) => watcher.subscribe()).result;
  }

  /**
   * The deployment as a plain GET shows it. A running one is read through its watcher (started with
   * a lease when none runs), so however often clients poll it, Temporal is asked once per poll
   * interval; a finished one is read from the database alone.
   */
  async view(found: DeploymentWithStack): Promise<DeploymentJson> {
    if (!isActive(found.deployment.status)) return viewDeployment(this.deps, found);
    const { watcher } = this.watcherOf(found, (w) => w.renewLease());
    await watcher.firstLook;
    return watcher.latest?.view ?? viewDeployment(this.deps, found);
  }

  private watcherOf<T>(found: DeploymentWithStack, join: (watcher: DeploymentWatcher) => T) {
    const id = found.deployment.id;
    const running = this.watchers.get(id);
    if (running) return { watcher: running, result: join(running) };
    const started: DeploymentWatcher = new DeploymentWatcher(this.deps, found, () => {
      // A finished watcher leaves; a later subscriber starts a fresh one (which sees the end at once).
      if (this.watchers.get(id) === started) this.watchers.delete(id);
    });
    this.watchers.set(id, started);
    // Joined before it runs, so its first look is not wasted on an empty audience.
    const result = join(started);
    started.run();
    return { watcher: started, result };
  }

  /**
   * The state a running watcher last read, at most one poll old: GET /deployments and
   * GET /deployments/:id answer from it instead of asking Temporal again for a deployment being followed.
   */
  latest(id: string): DeploymentJson | undefined {
    return this.watchers.get(id)?.latest?.view;
  }

  /** Stops every watcher: their subscribers see the stream end, leases are dropped. */
  async stopAll(): Promise<void> {
    await Promise.all([...this.watchers.values()].map((watcher) => watcher.stop()));
  }

  /** How many deployments are being watched, and by how many streams: for tests and the benchmark. */
  stats(): { watchers: number; subscribers: number } {
    let subscribers = 0;
    for (const watcher of this.watchers.values()) subscribers += watcher.subscribers.size;
    return { watchers: this.watchers.size, subscribers };
  }
}
