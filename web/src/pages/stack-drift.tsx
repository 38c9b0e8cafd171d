import { ActionButton } from '../components/buttons.js';
import { Empty, Loading, Notice, Section, StatusBadge, When } from '../components/ui.js';
import { api, ok, type Stack, type StartedOperation } from '../lib/api.js';
import { useSession } from '../lib/session.js';
import { useData } from '../lib/use-data.js';

const REFRESH_MS = 10_000;

/** Plain words for each drift kind (docs/reliability.md has the full story). */
const kindHelp: Record<string, string> = {
  missing: 'placed by the deployed version, but not on the host',
  changed: 'on the host with another definition than the deployed version’s',
  stopped: 'on the host, but not running',
  unexpected: 'carries the stack’s labels but is no part of the deployed version there',
  retired: 'an old container a deploy renamed and never removed',
  'unknown-host': 'on a host Graphium cannot look at (not registered, or its agent did not answer)',
};

/** What the last reconcile found, the stack's repair setting, and (for deployers) a check now. */
export function StackDriftSection({
  stack,
  busy,
  onStarted,
}: {
  stack: Stack;
  busy: string | undefined;
  onStarted: (started: StartedOperation) => void;
}) {
  const { can } = useSession();
  const drift = useData(
    () => ok(api.stacks[':id'].drift.$get({ param: { id: stack.name } })),
    [stack.name],
    REFRESH_MS,
  );
  const data = drift.data;
  const param = { id: stack.name };
  return (
    <Section title="Drift">
      {drift.error && <Notice kind="error">{drift.error.message}</Notice>}
      {!data && !drift.error && <Loading />}
      {data && (
        <>
          <p class="muted">
            {data.checkedAt ? (
              <>
                Checked <When iso={data.checkedAt} /> against version {data.version ?? '—'}.{' '}
              </>
            ) : (
              'Not checked yet. '
            )}
            Reconcile: <strong>{data.reconcile.mode}</strong> ({data.reconcile.source}).
          </p>
          {can('deployer') && (
            <div class="action-bar">
              <ActionButton
                disabled={!!busy}
                title={busy ? `Another operation runs on this stack (${busy})` : undefined}
                onClick={async () =>
                  onStarted(
                    await ok(
                      api.stacks[':id'].operations[':type'].$post({
                        param: { ...param, type: 'reconcile' },
                        header: {},
                        json: {},
                      }),
                    ),
                  )
                }
              >
                Check now
              </ActionButton>
              <ActionButton
                onClick={async () => {
                  await ok(
                    api.stacks[':id'].reconcile.$put({
                      param,
                      json: { mode: data.reconcile.mode === 'repair' ? 'report' : 'repair' },
                    }),
                  );
                  drift.reload();
                }}
              >
                {data.reconcile.mode === 'repair' ? 'Report drift only' : 'Repair drift automatically'}
              </ActionButton>
            </div>
          )}
          {data.checkedAt && data.items.length === 0 && (
            <Empty>No drift: every host holds what the deployed version says.</Empty>
          )}
          {data.items.length > 0 && (
            <div class="table-wrap">
              <table class="table">
                <caption class="visually-hidden">Containers that drifted from the deployed version</caption>
                <thead>
                  <tr>
                    <th scope="col">Host</th>
                    <th scope="col">Container</th>
                    <th scope="col">Drift</th>
                    <th scope="col">Detail</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((item) => (
                    <tr key={`${item.hostId}/${item.container}/${item.kind}`}>
                      <td>{item.hostId}</td>
                      <td>
                        <code>{item.container}</code>
                      </td>
                      <td>
                        <StatusBadge status={item.kind} title={kindHelp[item.kind]} kind="container" />
                      </td>
                      <td>{item.detail ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {data.repair?.deploymentId && (
            <p>
              Repair: <a href={`/deployments/${data.repair.deploymentId}`}>the deploy it started</a>
            </p>
          )}
          {data.repair?.error && <Notice kind="error">Repair could not start: {data.repair.error}</Notice>}
        </>
      )}
    </Section>
  );
}
