import { useEffect, useRef, useState } from 'preact/hooks';
import { DiffView } from '../components/diff-view.js';
import { Select } from '../components/select.js';
import { Loading, Notice, Section } from '../components/ui.js';
import { api, ok, type Stack } from '../lib/api.js';
import { formatShortTime, formatTime } from '../lib/format.js';
import { useSession } from '../lib/session.js';

// A stack's versions: any one's Compose document, a diff between two, and (deployers) a new version.
// Viewers never receive `source` (it holds environment values): they see the normalized spec, whose
// environment values the API has already replaced by `***`.

interface VersionDocument {
  text: string;
  redacted: boolean;
}

async function documentOf(version: { source?: string | undefined; spec: unknown }): Promise<VersionDocument> {
  if (version.source !== undefined) return { text: version.source, redacted: false };
  // Loaded on demand: only viewers need YAML written in the browser, and it is most of the bundle.
  const { stringify } = await import('yaml');
  return { text: stringify(version.spec), redacted: true };
}

/** Version documents by number, fetched once each (the current one comes with the stack). */
function useVersionDocuments(stack: Stack, wanted: number[]): Map<number, VersionDocument | Error> {
  const [documents, setDocuments] = useState(() => new Map<number, VersionDocument | Error>());
  const requested = useRef(new Set<number>());
  const missing = wanted.filter((version) => !requested.current.has(version));
  const key = missing.join(',');
  useEffect(() => {
    for (const version of missing) {
      requested.current.add(version);
      const found =
        version === stack.version
          ? Promise.resolve(stack)
          : ok(
              api.stacks[':id'].versions[':version'].$get({
                param: { id: stack.name, version: String(version) },
              }),
            );
      found.then(documentOf).then(
        (document) => setDocuments((previous) => new Map(previous).set(version, document)),
        (error: Error) => setDocuments((previous) => new Map(previous).set(version, error)),
      );
    }
  }, [key, stack]);
  return documents;
}

export function StackVersions({ stack, onSaved }: { stack: Stack; onSaved: (message: string) => void }) {
  const { can } = useSession();
  const numbers = stack.versions.map((v) => v.version).sort((a, b) => b - a);
  const [shown, setShown] = useState(stack.version);
  const [from, setFrom] = useState(numbers[1] ?? stack.version);
  const [to, setTo] = useState(stack.version);
  const documents = useVersionDocuments(stack, [shown, from, to]);
  const shownDocument = documents.get(shown);
  const before = documents.get(from);
  const after = documents.get(to);
  const choices = numbers.map((n) => ({ value: String(n), label: `v${n}` }));

  return (
    <>
      <Section title="Versions">
        <div class="versions-layout">
          <div class="table-wrap versions-list">
            <table class="table compact">
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Created</th>
                  <th scope="col">By</th>
                </tr>
              </thead>
              <tbody>
                {stack.versions
                  .slice()
                  .sort((a, b) => b.version - a.version)
                  .map((v) => (
                    <tr key={v.version} class={v.version === shown ? 'selected' : undefined}>
                      <td>
                        <button
                          type="button"
                          class="link-button"
                          aria-pressed={v.version === shown}
                          onClick={() => setShown(v.version)}
                        >
                          v{v.version}
                        </button>
                        {v.version === stack.version && <span class="muted small"> current</span>}
                      </td>
                      <td class="nowrap">
                        <time dateTime={v.createdAt} title={formatTime(v.createdAt)}>
                          {formatShortTime(v.createdAt)}
                        </time>
                      </td>
                      <td>{v.createdBy}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
          <div class="version-source">
            <h3 class="subheading">Compose document of v{shown}</h3>
            {shownDocument instanceof Error ? (
              <Notice kind="error">{shownDocument.message}</Notice>
            ) : shownDocument ? (
              <>
                {shownDocument.redacted && (
                  <p class="muted small">
                    The normalized document, with environment values hidden (***): the source itself is shown
                    to deployers and admins only.
                  </p>
                )}
                {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard. */}
                <pre class="code" tabIndex={0}>
                  {shownDocument.text}
                </pre>
              </>
            ) : (
              <Loading />
            )}
          </div>
        </div>
      </Section>
      {numbers.length > 1 && (
        <Section title="Compare versions">
          <div class="inline-form">
            <label for="diff-from">From</label>
            <Select
              id="diff-from"
              value={String(from)}
              onChange={(v) => setFrom(Number(v))}
              choices={choices}
            />
            <label for="diff-to">to</label>
            <Select id="diff-to" value={String(to)} onChange={(v) => setTo(Number(v))} choices={choices} />
          </div>
          {before instanceof Error || after instanceof Error ? (
            <Notice kind="error">{(before instanceof Error ? before : (after as Error)).message}</Notice>
          ) : before && after ? (
            <DiffView before={before.text} after={after.text} caption={`v${from} → v${to}`} />
          ) : (
            <Loading />
          )}
        </Section>
      )}
      {can('deployer') && <NewVersion stack={stack} onSaved={onSaved} />}
    </>
  );
}

function NewVersion({ stack, onSaved }: { stack: Stack; onSaved: (message: string) => void }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState(stack.source ?? '');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  if (!open) {
    return (
      <div class="below-sections">
        <button
          type="button"
          class="btn btn-secondary"
          onClick={() => {
            setText(stack.source ?? '');
            setOpen(true);
          }}
        >
          Edit as a new version
        </button>
      </div>
    );
  }
  return (
    <Section title="New version">
      <form
        class="form"
        onSubmit={async (event) => {
          event.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            const result = await ok(
              api.stacks[':id'].$put({ param: { id: stack.name }, query: {}, json: { compose: text } }),
            );
            setOpen(false);
            onSaved(
              result.version === stack.version
                ? `The document is identical to v${stack.version}: no new version was made.`
                : `Saved as v${result.version}. Deploy it with the Deploy button above.`,
            );
          } catch (failure) {
            setError((failure as Error).message);
          } finally {
            setBusy(false);
          }
        }}
      >
        <div class="field">
          <label for="new-version">Compose file (becomes v{stack.version + 1})</label>
          <textarea
            id="new-version"
            class="code-input"
            rows={16}
            spellcheck={false}
            required
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </div>
        {error && <Notice kind="error">{error}</Notice>}
        <div class="form-actions">
          <button type="button" class="btn btn-secondary" onClick={() => setOpen(false)}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            Save version
          </button>
        </div>
      </form>
    </Section>
  );
}
