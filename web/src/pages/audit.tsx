import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { Select } from '../components/select.js';
import { Empty, Loading, Notice, PageHeader } from '../components/ui.js';
import { api, ok } from '../lib/api.js';
import { formatTime, shortId } from '../lib/format.js';
import { useSession } from '../lib/session.js';
import { useData } from '../lib/use-data.js';

const outcomes = [
  { value: '', text: 'any' },
  { value: '2xx', text: 'accepted (2xx)' },
  { value: '4xx', text: 'refused (4xx)' },
  { value: '5xx', text: 'failed (5xx)' },
];

/** Every mutating request, refused ones too (admins only): filtered by stack, status and who. */
export function AuditPage() {
  const { can } = useSession();
  if (!can('admin')) {
    return (
      <>
        <PageHeader title="Audit log" />
        <Notice kind="info">The audit log is for admins.</Notice>
      </>
    );
  }
  return <AuditLog />;
}

function AuditLog() {
  const { query, route } = useLocation();
  const stack = query.stack ?? '';
  const status = query.status ?? '';
  const who = query.who ?? '';
  const entries = useData(
    () =>
      ok(
        api.audit.$get({
          query: {
            stackId: stack || undefined,
            status: status || undefined,
            actor: who || undefined,
            limit: '200',
          },
        }),
      ),
    [stack, status, who],
    10_000,
  );
  const stacks = useData(() => ok(api.stacks.$get()), []);
  const stackNames = new Map((stacks.data?.items ?? []).map((s) => [s.id, s.name]));
  const apply = (next: { stack: string; status: string; who: string }) => {
    const params = new URLSearchParams(Object.entries(next).filter(([, value]) => value !== ''));
    const search = params.toString();
    route(`/audit${search ? `?${search}` : ''}`, true);
  };
  const items = entries.data?.items ?? [];

  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle="Every POST, PUT, PATCH and DELETE, refused ones included, newest first"
      />
      <AuditFilters
        key={`${stack}|${status}|${who}`}
        initial={{ stack, status, who }}
        stackNames={[...stackNames.values()]}
        actors={[...new Set(items.map((entry) => entry.actor))]}
        onApply={apply}
      />
      {entries.error && (
        <Notice kind="error">
          {entries.error.status === 404 ? `No stack named “${stack}”.` : entries.error.message}
        </Notice>
      )}
      {!entries.data && entries.loading && <Loading />}
      {entries.data && items.length === 0 && <Empty>No entry matches.</Empty>}
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Status</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {items.map((entry) => (
                <tr key={entry.id}>
                  <td class="nowrap">{formatTime(entry.at)}</td>
                  <td>{entry.actor}</td>
                  <td>
                    <code>{entry.action}</code>
                  </td>
                  <td>
                    {entry.target
                      ? (stackNames.get(entry.target) ?? (
                          <code title={entry.target}>{shortId(entry.target)}</code>
                        ))
                      : '—'}
                  </td>
                  <td>
                    <span class={`http-status http-${String(entry.status)[0]}xx`}>{entry.status}</span>
                  </td>
                  <td class="small">
                    {Object.entries(entry.details)
                      .filter(([key]) => key !== 'tokenId')
                      .map(([key, value]) => (
                        <span key={key} class="detail">
                          {key}={typeof value === 'string' ? value : JSON.stringify(value)}
                        </span>
                      ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function AuditFilters({
  initial,
  stackNames,
  actors,
  onApply,
}: {
  initial: { stack: string; status: string; who: string };
  stackNames: string[];
  actors: string[];
  onApply: (filters: { stack: string; status: string; who: string }) => void;
}) {
  const [values, setValues] = useState(initial);
  const set = (key: keyof typeof values) => (event: { currentTarget: { value: string } }) =>
    setValues({ ...values, [key]: event.currentTarget.value });
  const outcomeKnown = outcomes.some((o) => o.value === values.status);
  return (
    <form
      class="filters"
      aria-label="Filter the audit log"
      onSubmit={(event) => {
        event.preventDefault();
        onApply({ stack: values.stack.trim(), status: values.status, who: values.who.trim() });
      }}
    >
      <div class="field">
        <label for="audit-stack">Stack</label>
        <input
          id="audit-stack"
          list="audit-stack-names"
          value={values.stack}
          onInput={set('stack')}
          placeholder="any"
        />
        <datalist id="audit-stack-names">
          {stackNames.map((name) => (
            <option key={name} value={name} />
          ))}
        </datalist>
      </div>
      <div class="field">
        <label for="audit-status">Status</label>
        <Select
          id="audit-status"
          value={values.status}
          onChange={(status) => setValues({ ...values, status })}
          choices={[
            ...outcomes.map((o) => ({ value: o.value, label: o.text })),
            ...(outcomeKnown ? [] : [{ value: values.status, label: values.status }]),
          ]}
        />
      </div>
      <div class="field">
        <label for="audit-who">Who</label>
        <input
          id="audit-who"
          list="audit-actors"
          value={values.who}
          onInput={set('who')}
          placeholder="anyone"
        />
        <datalist id="audit-actors">
          {actors.map((name) => (
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
