import { useEffect, useState } from 'preact/hooks';
import { ConfirmButton } from '../components/buttons.js';
import { Notice, PageHeader, ProgressBar, Section, StatusBadge, When } from '../components/ui.js';
import {
  type Awaiting,
  api,
  type ContainerProgress,
  type Deployment,
  type OperationType,
  ok,
  request,
} from '../lib/api.js';
import { durationBetween, formatTime, label, relativeTime } from '../lib/format.js';
import { type FeedState, followDeployment } from '../lib/live.js';
import { useSession } from '../lib/session.js';
import { useData } from '../lib/use-data.js';

const feedText: Record<FeedState, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  polling: 'refreshing every 3 s',
  ended: 'final',
};

const cancelEffect: Record<string, string> = {
  deploy:
    'The deploy stops placing containers, removes what it created on every host and restores what it replaced, so the previous version keeps running.',
  stop: 'No further containers are stopped; those already stopped stay stopped.',
  start: 'No further containers are started; those already started keep running.',
  delete: 'No further containers are removed; those already removed stay removed.',
};

/** One operation, live over Server-Sent Events: progress, phase, every container, cancel, actions. */
export function DeploymentPage({ id }: { id: string }) {
  const { can, me } = useSession();
  const [deployment, setDeployment] = useState<Deployment>();
  const [feed, setFeed] = useState<{ state: FeedState; detail?: string | undefined }>({
    state: 'connecting',
  });
  useEffect(
    () =>
      followDeployment(id, {
        onUpdate: setDeployment,
        onState: (state, detail) => setFeed({ state, detail }),
      }),
    [id],
  );
  const active = deployment?.status === 'pending' || deployment?.status === 'running';
  useTicker(active ? 1_000 : undefined);
  // Which agent polls each host now: the row's own `agent` wins once operations record it per step.
  const hosts = useData(() => ok(api.hosts.$get()), [], active ? 15_000 : undefined);
  const agents = new Map((hosts.data?.items ?? []).map((host) => [host.id, host.agent?.identity ?? null]));

  if (!deployment) {
    return (
      <>
        <PageHeader title="Deployment" />
        {feed.detail ? <Notice kind="error">{feed.detail}</Notice> : <p class="empty">Loading…</p>}
      </>
    );
  }
  const temporalUrl = me.temporalUi
    ? `${me.temporalUi.url}/namespaces/${encodeURIComponent(me.temporalUi.namespace)}/workflows/${encodeURIComponent(
        deployment.workflowId,
      )}${deployment.runId ? `/${encodeURIComponent(deployment.runId)}/history` : ''}`
    : undefined;

  return (
    <>
      <PageHeader
        title={deployment.workflowId}
        subtitle={
          <>
            {deployment.operation} of{' '}
            <a href={`/stacks/${encodeURIComponent(deployment.stack)}`}>{deployment.stack}</a>
            {deployment.version !== null && ` v${deployment.version}`} · requested by {deployment.requestedBy}
          </>
        }
      >
        {temporalUrl && (
          <a class="btn btn-secondary" href={temporalUrl} target="_blank" rel="noopener noreferrer">
            Open in Temporal UI
          </a>
        )}
        {active && can('deployer') && (
          <ConfirmButton
            title={`Cancel ${deployment.workflowId}?`}
            message={
              <p>{cancelEffect[deployment.operation] ?? 'The operation stops issuing further steps.'}</p>
            }
            confirmLabel="Cancel the operation"
            onConfirm={() => request('POST', `/deployments/${deployment.id}/cancel`)}
          >
            Cancel
          </ConfirmButton>
        )}
      </PageHeader>

      <section class="card status-card" aria-label="Status">
        <div class="status-line">
          <StatusBadge status={deployment.status} />
          <span class="percent" aria-hidden="true">
            {deployment.progress}%
          </span>
          <span class="phase">
            <span class="muted">Phase:</span> {phaseOf(deployment)}
          </span>
          <span class={`feed feed-${feed.state}`} title={feed.detail}>
            <span class="feed-dot" aria-hidden="true" /> {feedText[feed.state]}
          </span>
        </div>
        <ProgressBar value={deployment.progress} status={deployment.status} label="Deployment progress" />
        <dl class="facts facts-row">
          <dt>Created</dt>
          <dd>
            <When iso={deployment.createdAt} />
          </dd>
          <dt>Started</dt>
          <dd>{formatTime(deployment.startedAt)}</dd>
          <dt>Finished</dt>
          <dd>{formatTime(deployment.finishedAt)}</dd>
          <dt>{deployment.finishedAt ? 'Took' : 'Running for'}</dt>
          <dd>{durationBetween(deployment.startedAt, deployment.finishedAt)}</dd>
        </dl>
        {feed.state === 'polling' && <Notice kind="warn">{feed.detail}</Notice>}
      </section>

      {deployment.error && (
        <div class="notice notice-error error-panel" role="alert">
          <h2>{deployment.status === 'rolled_back' ? 'Failed and rolled back' : 'Error'}</h2>
          <ErrorText text={deployment.error} />
          {deployment.status === 'rolled_back' && (
            <p class="small">
              Every host this deploy reached removed what it created and restored what it replaced: the
              previous version keeps running.
            </p>
          )}
        </div>
      )}

      {deployment.awaiting && active && (
        <AwaitingPanel deployment={deployment} awaiting={deployment.awaiting} />
      )}

      <Section title={`Containers (${deployment.containers.length})`} id="containers">
        <ContainerTable containers={deployment.containers} agents={agents} />
      </Section>
    </>
  );
}

/** Re-renders every `ms` (while set), so "running for" and "6 s ago" move between events. */
function useTicker(ms: number | undefined): void {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (!ms) return;
    const timer = setInterval(() => setTick((n) => n + 1), ms);
    return () => clearInterval(timer);
  }, [ms]);
}

/** The phase the workflow reports (issue 11), else one read from the containers' states. */
function phaseOf(deployment: Deployment): string {
  if (deployment.phase) return deployment.phase;
  if (deployment.status === 'pending') return 'waiting for the orchestrator to start the workflow';
  const counts = new Map<string, number>();
  for (const container of deployment.containers) {
    counts.set(container.status, (counts.get(container.status) ?? 0) + 1);
  }
  const summary = [...counts.entries()].map(([state, n]) => `${n} ${label(state)}`).join(' · ');
  if (deployment.status !== 'running')
    return summary ? `${label(deployment.status)}: ${summary}` : label(deployment.status);
  if (deployment.error || counts.has('compensated')) return `rolling back: ${summary}`;
  return summary || 'starting';
}

/** Splits `…; last output: <lines>` so the container's last log lines read as a block. */
function ErrorText({ text }: { text: string }) {
  const match = /^([\s\S]*?);? last output: ([\s\S]*)$/.exec(text);
  if (!match) return <p class="error-text">{text}</p>;
  return (
    <>
      <p class="error-text">{match[1]}</p>
      <p class="small muted-strong">Last log lines of the container:</p>
      <pre class="logs">{match[2]}</pre>
    </>
  );
}

function ContainerTable({
  containers,
  agents,
}: {
  containers: ContainerProgress[];
  agents: Map<string, string | null>;
}) {
  if (containers.length === 0) return <p class="empty">This operation has no containers.</p>;
  return (
    <div class="table-wrap">
      <table class="table containers-table">
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Replica</th>
            <th scope="col">Host</th>
            <th scope="col">Agent</th>
            <th scope="col">Step</th>
            <th scope="col">Attempts</th>
            <th scope="col">Error</th>
          </tr>
        </thead>
        <tbody>
          {containers.map((container) => {
            const agent = container.agent ?? agents.get(container.hostId) ?? null;
            return (
              <tr
                key={`${container.hostId}/${container.name}`}
                data-container={container.name}
                data-status={container.status}
                class={container.status === 'failed' ? 'row-failed' : undefined}
              >
                <td>
                  <span class="strong">{container.service}</span>
                  <div class="muted small">
                    <code>{container.name}</code>
                  </div>
                </td>
                <td>{container.replica}</td>
                <td>{container.hostId}</td>
                <td>
                  {agent ? (
                    <code
                      class="small"
                      title={container.agent ? 'ran this step' : `the agent polling ${container.hostId} now`}
                    >
                      {agent}
                    </code>
                  ) : (
                    <span class="muted">—</span>
                  )}
                </td>
                <td>
                  <StatusBadge
                    key={container.status}
                    status={container.step ?? container.status}
                    kind="container"
                  />
                </td>
                <td>{container.attempts}</td>
                <td class="error-cell">
                  {container.error ? <ErrorText text={container.error} /> : <span class="muted">—</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function actionName(action: Awaiting['actions'][number]): { name: string; description?: string | undefined } {
  return typeof action === 'string' ? { name: action } : action;
}

/** What the operation waits for (a canary's promote or abort, a paused update's resume), and until when. */
function AwaitingPanel({ deployment, awaiting }: { deployment: Deployment; awaiting: Awaiting }) {
  const { can } = useSession();
  // The roles of actions come from the operation type; without it, acting needs deployer, as cancel does.
  const types = useData(
    () => request<{ items: OperationType[] }>('GET', '/operation-types').catch(() => null),
    [],
  );
  const declared = types.data?.items.find((type) => type.name === deployment.operation)?.actions ?? [];
  const actions = awaiting.actions.map(actionName).map((action) => {
    const known = declared.find((d) => d.name === action.name);
    return {
      ...action,
      description: action.description ?? known?.description,
      role: known?.role ?? 'deployer',
    };
  });
  const allowed = actions.filter((action) => can(action.role));
  return (
    <section class="notice notice-warn awaiting" aria-labelledby="awaiting-title">
      <h2 id="awaiting-title">Waiting for a decision</h2>
      <p>
        This {deployment.operation} waits for {actions.map((a) => a.name).join(' or ')}
        {awaiting.deadline && (
          <>
            {' '}
            until <time dateTime={awaiting.deadline}>{formatTime(awaiting.deadline)}</time> (
            {relativeTime(awaiting.deadline)})
          </>
        )}
        .
      </p>
      {allowed.length > 0 && (
        <div class="action-bar">
          {allowed.map((action) => (
            <ConfirmButton
              key={action.name}
              kind={/abort|rollback/.test(action.name) ? 'danger' : 'primary'}
              title={`${action.name} ${deployment.workflowId}?`}
              message={<p>{action.description ?? `Sends ${action.name} to the running operation.`}</p>}
              confirmLabel={action.name}
              onConfirm={() =>
                request(
                  'POST',
                  `/deployments/${deployment.id}/actions/${encodeURIComponent(action.name)}`,
                  {},
                )
              }
            >
              {action.name}
            </ConfirmButton>
          ))}
        </div>
      )}
    </section>
  );
}
