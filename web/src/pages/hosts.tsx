import { Empty, Loading, Notice, PageHeader, StatusBadge, When } from '../components/ui.js';
import { api, ok, type PlacedContainer } from '../lib/api.js';
import { useData } from '../lib/use-data.js';

const REFRESH_MS = 10_000;

/** Every host: whether its agent polls, which agent, and what each stack runs there. */
export function HostsPage() {
  const hosts = useData(() => ok(api.hosts.$get()), [], REFRESH_MS);
  const containers = useData(() => ok(api.containers.$get({ query: {} })), [], REFRESH_MS);
  const byHost = new Map<string, Map<string, PlacedContainer[]>>();
  for (const container of containers.data?.items ?? []) {
    const stacks = byHost.get(container.hostId) ?? new Map<string, PlacedContainer[]>();
    stacks.set(container.stack, [...(stacks.get(container.stack) ?? []), container]);
    byHost.set(container.hostId, stacks);
  }
  const items = hosts.data?.items ?? [];
  const online = items.filter((host) => host.status === 'online').length;

  return (
    <>
      <PageHeader
        title="Hosts"
        subtitle={
          hosts.data
            ? `${online} of ${items.length} online · an agent counts as online while it sends its heartbeats (every 5 s)`
            : undefined
        }
      />
      {hosts.error && <Notice kind="error">{hosts.error.message}</Notice>}
      {!hosts.data && hosts.loading && <Loading />}
      {hosts.data && items.length === 0 && (
        <Empty>
          No host is registered yet. An admin registers one with <code>POST /api/v1/hosts</code> or{' '}
          <code>graphium hosts add</code>.
        </Empty>
      )}
      <div class="host-grid">
        {items.map((host) => {
          const stacks = [...(byHost.get(host.id)?.entries() ?? [])];
          const labels = Object.entries(host.labels);
          return (
            <article class="card host-card" key={host.id} aria-labelledby={`host-${host.id}`}>
              <header class="card-header">
                <h2 id={`host-${host.id}`}>
                  {host.id}
                  {host.name !== host.id && <span class="muted"> · {host.name}</span>}
                </h2>
                <StatusBadge status={host.status} />
              </header>
              <dl class="facts">
                <dt>Agent</dt>
                <dd>
                  {host.agent ? <code>{host.agent.identity}</code> : <span class="muted">never seen</span>}
                </dd>
                <dt>Build</dt>
                <dd title="The build id the agent's worker reports to Temporal">
                  {host.agent?.version ?? <span class="muted">not reported</span>}
                </dd>
                <dt>Last poll</dt>
                <dd>
                  <When iso={host.agent?.lastPollAt} />
                </dd>
                <dt>Labels</dt>
                <dd>
                  {labels.length === 0 ? (
                    <span class="muted">none</span>
                  ) : (
                    <ul class="chips">
                      {labels.map(([key, value]) => (
                        <li key={key} class="chip">
                          {key}={value}
                        </li>
                      ))}
                    </ul>
                  )}
                </dd>
              </dl>
              <h3 class="subheading">Containers</h3>
              {stacks.length === 0 ? (
                <p class="muted small">No stack has containers here.</p>
              ) : (
                <ul class="stack-containers">
                  {stacks.map(([stack, list]) => (
                    <li key={stack}>
                      <a class="stack-link" href={`/stacks/${encodeURIComponent(stack)}`}>
                        {stack}
                      </a>
                      <span class="muted small"> · {list.length}</span>
                      <ul class="container-list">
                        {list.map((container) => (
                          <li key={container.name}>
                            <code>{container.name}</code>{' '}
                            <StatusBadge status={container.state} kind="container" />
                          </li>
                        ))}
                      </ul>
                    </li>
                  ))}
                </ul>
              )}
            </article>
          );
        })}
      </div>
    </>
  );
}
