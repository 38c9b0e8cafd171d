import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { SchemaForm } from '../components/schema-form.js';
import { Select, versionChoices } from '../components/select.js';
import { Section } from '../components/ui.js';
import { type OperationType, request, type Stack, type StartedOperation } from '../lib/api.js';
import { useSession } from '../lib/session.js';
import { useData } from '../lib/use-data.js';

// "Run any registered operation type": every type from `GET /operation-types` (issue 11's operation
// kit) gets a form built from its options schema, posted to `POST /stacks/:id/operations/:type`.
// The section appears only once that endpoint answers 200; until then (404) it is not shown at all.

export function OperationTypes({ stack }: { stack: Stack }) {
  const { can } = useSession();
  const types = useData(
    () => request<{ items: OperationType[] }>('GET', '/operation-types').catch(() => null),
    [],
  );
  const runnable = (types.data?.items ?? []).filter((type) => can(type.role));
  if (runnable.length === 0) return null;
  return (
    <Section title="Run an operation">
      <div class="operation-types">
        {runnable.map((type) => (
          <OperationForm key={type.name} type={type} stack={stack} />
        ))}
      </div>
    </Section>
  );
}

function OperationForm({ type, stack }: { type: OperationType; stack: Stack }) {
  const { route } = useLocation();
  const [version, setVersion] = useState(String(stack.version));
  const id = `op-${type.name}`;
  return (
    <article class="operation-type" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{type.name}</h3>
      <p class="muted small">{type.description}</p>
      <SchemaForm
        schema={type.options}
        idPrefix={id}
        submitLabel={`Run ${type.name}`}
        onSubmit={async (options) => {
          const started = await request<StartedOperation>(
            'POST',
            `/stacks/${encodeURIComponent(stack.name)}/operations/${encodeURIComponent(type.name)}`,
            // Only a type that places a version takes one (stop, delete and reconcile act on what runs).
            type.placesVersion ? { version: Number(version), options } : { options },
          );
          route(`/deployments/${started.deploymentId}`);
        }}
      >
        {type.placesVersion && (
          <div class="field">
            <label for={`${id}-version`}>Version</label>
            <Select
              id={`${id}-version`}
              value={version}
              onChange={setVersion}
              choices={versionChoices(stack)}
            />
          </div>
        )}
      </SchemaForm>
    </article>
  );
}
