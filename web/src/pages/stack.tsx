import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { ActionButton, ConfirmButton } from '../components/buttons.js';
import { DeploymentTable } from '../components/deployment-table.js';
import { Select, versionChoices } from '../components/select.js';
import { Empty, Loading, Notice, PageHeader, Section, StatusBadge, When } from '../components/ui.js';
import { api, ok, type PlacedContainer, type Stack, type StartedOperation } from '../lib/api.js';
import { useSession } from '../lib/session.js';
import { useData } from '../lib/use-data.js';
import { StackDriftSection } from './stack-drift.js';
import { OperationTypes } from './stack-operation-types.js';
import { StackVersions } from './stack-versions.js';

const REFRESH_MS = 5_000;

/** One stack: what runs where now, its operations, its versions; the buttons each role may use. */
export function StackPage({ name }: { name: string }) {
  const { can } = useSession();
  const { route } = useLocation();
  const [savedNote, setSavedNote] = useState<string>();
  const stack = useData(() => ok(api.stacks[':id'].$get({ param: { id: name } })), [name]);
  const containers = useData(() => ok(api.containers.$get({ query: { stackId: name } })), [name], REFRESH_MS);
  const deployments = useData(
    () => ok(api.deployments.$get({ query: { stackId: name, limit: '10' } })),
    [name],
    REFRESH_MS,
  );

  if (stack.error?.status === 404) {
    return (
      <>
        <PageHeader title={name} />
        <Notice kind="error">
          There is no stack named “{name}” (it may have been deleted). <a href="/stacks">All stacks</a>
        </Notice>
      </>
    );
  }
  if (!stack.data) return stack.error ? <Notice kind="error">{stack.error.message}</Notice> : <Loading />;
  const current = stack.data;
  const active = deployments.data?.items.find((d) => d.status === 'pending' || d.status === 'running');

  return (
    <>
      <PageHeader
        title={current.name}
        subtitle={`version ${current.version} · services ${current.services.join(', ')} · updated by ${current.createdBy}`}
      >
        {can('deployer') && (
          <StackActions
            stack={current}
            busyWith={active ? `${active.operation} ${active.workflowId}` : undefined}
          />
        )}
      </PageHeader>
      {savedNote && <Notice kind="info">{savedNote}</Notice>}
      {active && (
        <Notice kind="info">
          <StatusBadge status={active.status} /> {active.operation} v{active.version ?? '—'} is in progress:{' '}
          <a href={`/deployments/${active.id}`}>follow it live</a>
        </Notice>
      )}
      <Section title="Containers now">
        <Containers items={containers.data?.items} error={containers.error?.message} />
      </Section>
      <Section title="Recent operations">
        {deployments.data ? (
          deployments.data.items.length === 0 ? (
            <Empty>This stack has never been deployed.</Empty>
          ) : (
            <DeploymentTable items={deployments.data.items} showStack={false} />
          )
        ) : (
          <Loading />
        )}
      </Section>
      <StackDriftSection
        stack={current}
        busy={active ? `${active.operation} ${active.workflowId}` : undefined}
        onStarted={(started) => route(`/deployments/${started.deploymentId}`)}
      />
      <OperationTypes stack={current} />
      <StackVersions
        key={current.version}
        stack={current}
        onSaved={(message) => {
          setSavedNote(message);
          stack.reload();
        }}
      />
    </>
  );
}

function StackActions({ stack, busyWith }: { stack: Stack; busyWith: string | undefined }) {
  const { route } = useLocation();
  // The current version until someone picks another: a new version saved meanwhile becomes the default.
  const [picked, setVersion] = useState<string>();
  const version = picked ?? String(stack.version);
  const follow = (started: StartedOperation) => route(`/deployments/${started.deploymentId}`);
  const param = { id: stack.name };
  const blocked = busyWith ? `Another operation runs on this stack (${busyWith})` : undefined;
  return (
    <div class="action-bar">
      <div class="deploy-group">
        <label for="deploy-version" class="visually-hidden">
          Version to deploy
        </label>
        <Select id="deploy-version" value={version} onChange={setVersion} choices={versionChoices(stack)} />
        <ActionButton
          kind="primary"
          disabled={!!blocked}
          title={blocked}
          onClick={async () =>
            follow(
              await ok(
                api.stacks[':id'].deploy.$post({ param, header: {}, json: { version: Number(version) } }),
              ),
            )
          }
        >
          Deploy
        </ActionButton>
      </div>
      <ActionButton
        disabled={!!blocked}
        title={blocked}
        onClick={async () => follow(await ok(api.stacks[':id'].start.$post({ param, header: {} })))}
      >
        Start
      </ActionButton>
      <ConfirmButton
        kind="secondary"
        disabled={!!blocked}
        title={`Stop ${stack.name}?`}
        message={<p>Every container of the stack is stopped on every host. Start brings them back.</p>}
        confirmLabel="Stop the stack"
        onConfirm={async () => follow(await ok(api.stacks[':id'].stop.$post({ param, header: {} })))}
      >
        Stop
      </ConfirmButton>
      <ConfirmButton
        disabled={!!blocked}
        title={`Delete ${stack.name}?`}
        message={
          <p>
            Every container and network of <strong>{stack.name}</strong> is removed from every host, then the
            stack leaves the list. Named volumes (data) are kept. This cannot be undone.
          </p>
        }
        confirmLabel="Delete the stack"
        onConfirm={async () => follow(await ok(api.stacks[':id'].$delete({ param, query: {}, header: {} })))}
      >
        Delete
      </ConfirmButton>
    </div>
  );
}

function Containers({ items, error }: { items: PlacedContainer[] | undefined; error: string | undefined }) {
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!items) return <Loading />;
  if (items.length === 0) return <Empty>No container of this stack runs on any host.</Empty>;
  return (
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Host</th>
            <th scope="col">Container</th>
            <th scope="col">Service</th>
            <th scope="col">State</th>
            <th scope="col">Image</th>
            <th scope="col">Observed</th>
          </tr>
        </thead>
        <tbody>
          {items.map((container) => (
            <tr key={`${container.hostId}/${container.name}`}>
              <td>{container.hostId}</td>
              <td>
                <code>{container.name}</code>
              </td>
              <td>
                {container.service} #{container.replica}
              </td>
              <td>
                <StatusBadge status={container.state} kind="container" />
              </td>
              <td>
                <code class="small">{container.image}</code>
              </td>
              <td>
                <When iso={container.observedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
