import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { Empty, Loading, Notice, PageHeader, Section, StatusBadge, When } from '../components/ui.js';
import { api, type Deployment, ok } from '../lib/api.js';
import { useSession } from '../lib/session.js';
import { useData } from '../lib/use-data.js';

const example = `services:
  web:
    image: nginx:alpine
    ports: ["8080:80"]
`;

/** Every live stack with its current version and its latest operation; deployers create stacks here. */
export function StacksPage() {
  const { can } = useSession();
  const stacks = useData(() => ok(api.stacks.$get()), [], 10_000);
  const recent = useData(() => ok(api.deployments.$get({ query: { limit: '200' } })), [], 10_000);
  const [creating, setCreating] = useState(false);
  const latest = new Map<string, Deployment>();
  for (const deployment of recent.data?.items ?? []) {
    if (!latest.has(deployment.stackId)) latest.set(deployment.stackId, deployment);
  }
  const items = stacks.data?.items ?? [];

  return (
    <>
      <PageHeader title="Stacks" subtitle="Compose projects, each a series of versions">
        {can('deployer') && !creating && (
          <button type="button" class="btn btn-primary" onClick={() => setCreating(true)}>
            New stack
          </button>
        )}
      </PageHeader>
      {creating && <NewStack onCancel={() => setCreating(false)} />}
      {stacks.error && <Notice kind="error">{stacks.error.message}</Notice>}
      {!stacks.data && stacks.loading && <Loading />}
      {stacks.data && items.length === 0 && <Empty>No stack yet.</Empty>}
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Stack</th>
                <th scope="col">Version</th>
                <th scope="col">Services</th>
                <th scope="col">Latest operation</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {items.map((stack) => {
                const last = latest.get(stack.id);
                return (
                  <tr key={stack.id}>
                    <td>
                      <a class="strong" href={`/stacks/${encodeURIComponent(stack.name)}`}>
                        {stack.name}
                      </a>
                    </td>
                    <td>v{stack.version}</td>
                    <td>{stack.services.join(', ')}</td>
                    <td>
                      {last ? (
                        <a href={`/deployments/${last.id}`} class="inline-status">
                          {last.operation} v{last.version ?? '—'} <StatusBadge status={last.status} />
                        </a>
                      ) : (
                        <span class="muted">none</span>
                      )}
                    </td>
                    <td>
                      <When iso={stack.updatedAt} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function NewStack({ onCancel }: { onCancel: () => void }) {
  const { route } = useLocation();
  const [name, setName] = useState('');
  const [compose, setCompose] = useState(example);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  return (
    <Section title="New stack">
      <form
        class="form"
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            const stack = await ok(
              api.stacks.$post({ query: {}, json: { name: name.trim() || undefined, compose } }),
            );
            route(`/stacks/${encodeURIComponent(stack.name)}`);
          } catch (failure) {
            setError((failure as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        <div class="field">
          <label for="stack-name">Name</label>
          <input
            id="stack-name"
            type="text"
            pattern="[a-z0-9][a-z0-9_\-]{0,62}"
            placeholder="shop"
            aria-describedby="stack-name-help"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <small id="stack-name-help" class="field-help">
            Lower-case letters, digits, “_” and “-”; it prefixes the containers’ names. Empty: the Compose
            file’s own <code>name:</code>.
          </small>
        </div>
        <div class="field">
          <label for="stack-compose">Compose file</label>
          <textarea
            id="stack-compose"
            class="code-input"
            rows={14}
            spellcheck={false}
            required
            value={compose}
            onInput={(e) => setCompose(e.currentTarget.value)}
          />
        </div>
        {error && <Notice kind="error">{error}</Notice>}
        <div class="form-actions">
          <button type="button" class="btn btn-secondary" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            Create stack
          </button>
        </div>
      </form>
    </Section>
  );
}
