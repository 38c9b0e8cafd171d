import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { DeploymentTable } from '../components/deployment-table.js';
import { Select } from '../components/select.js';
import { Empty, Loading, Notice, PageHeader } from '../components/ui.js';
import { api, ok } from '../lib/api.js';
import { label } from '../lib/format.js';
import { useData } from '../lib/use-data.js';

const statuses = ['pending', 'running', 'succeeded', 'failed', 'rolled_back', 'cancelled'] as const;
type Status = (typeof statuses)[number];

/** Every operation, newest first, filtered by stack, status and who started it (kept in the URL). */
export function DeploymentsPage() {
  const { query, route } = useLocation();
  const stack = query.stack ?? '';
  const status = (statuses as readonly string[]).includes(query.status ?? '') ? (query.status as Status) : '';
  const who = query.who ?? '';
  const list = useData(
    () =>
      ok(
        api.deployments.$get({
          query: {
            stackId: stack || undefined,
            status: status || undefined,
            requestedBy: who || undefined,
            limit: '100',
          },
        }),
      ),
    [stack, status, who],
    5_000,
  );
  const stacks = useData(() => ok(api.stacks.$get()), []);
  const applyFilters = (next: { stack: string; status: string; who: string }) => {
    const params = new URLSearchParams();
    if (next.stack) params.set('stack', next.stack);
    if (next.status) params.set('status', next.status);
    if (next.who) params.set('who', next.who);
    const search = params.toString();
    route(`/deployments${search ? `?${search}` : ''}`, true);
  };
  const filtered = Boolean(stack || status || who);

  return (
    <>
      <PageHeader
        title="Deployments"
        subtitle="Every operation on every stack, newest first; the list refreshes every 5 s, and each operation's page is live"
      />
      <Filters
        key={`${stack}|${status}|${who}`}
        initial={{ stack, status, who }}
        stackNames={(stacks.data?.items ?? []).map((s) => s.name)}
        people={[...new Set((list.data?.items ?? []).map((d) => d.requestedBy))]}
        onApply={applyFilters}
      />
      {list.error && (
        <Notice kind="error">
          {list.error.status === 404 ? `No stack named “${stack}”.` : list.error.message}
        </Notice>
      )}
      {!list.data && list.loading && <Loading />}
      {list.data && list.data.items.length === 0 && (
        <Empty>{filtered ? 'No operation matches these filters.' : 'No operation has run yet.'}</Empty>
      )}
      {list.data && list.data.items.length > 0 && <DeploymentTable items={list.data.items} />}
    </>
  );
}

function Filters({
  initial,
  stackNames,
  people,
  onApply,
}: {
  initial: { stack: string; status: string; who: string };
  stackNames: string[];
  people: string[];
  onApply: (filters: { stack: string; status: string; who: string }) => void;
}) {
  const [values, setValues] = useState(initial);
  const set = (key: keyof typeof values) => (event: { currentTarget: { value: string } }) =>
    setValues({ ...values, [key]: event.currentTarget.value });
  return (
    <form
      class="filters"
      aria-label="Filter deployments"
      onSubmit={(event) => {
        event.preventDefault();
        onApply({ stack: values.stack.trim(), status: values.status, who: values.who.trim() });
      }}
    >
      <div class="field">
        <label for="filter-stack">Stack</label>
        <input
          id="filter-stack"
          list="filter-stack-names"
          value={values.stack}
          onInput={set('stack')}
          placeholder="any"
        />
        <datalist id="filter-stack-names">
          {stackNames.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
      </div>
      <div class="field">
        <label for="filter-status">Status</label>
        <Select
          id="filter-status"
          value={values.status}
          onChange={(status) => setValues({ ...values, status })}
          choices={[{ value: '', label: 'any' }, ...statuses.map((s) => ({ value: s, label: label(s) }))]}
        />
      </div>
      <div class="field">
        <label for="filter-who">Requested by</label>
        <input
          id="filter-who"
          list="filter-who-names"
          value={values.who}
          onInput={set('who')}
          placeholder="anyone"
        />
        <datalist id="filter-who-names">
          {people.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
      </div>
      <div class="filter-actions">
        <button type="submit" class="btn btn-primary">
          Filter
        </button>
        <button
          type="button"
          class="btn btn-ghost"
          onClick={() => {
            setValues({ stack: '', status: '', who: '' });
            onApply({ stack: '', status: '', who: '' });
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
