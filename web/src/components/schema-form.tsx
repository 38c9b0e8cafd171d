import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { JsonSchema } from '../lib/api.js';
import { Select } from './select.js';

// A form for an operation type's options, built from the JSON Schema the API publishes for it
// (`GET /operation-types`, generated from the type's zod schema). It covers what option schemas hold:
// strings (with enum, pattern, length), numbers and integers (with bounds), booleans, lists of
// strings or numbers, and lists of enum values; anything else is edited as JSON. The browser checks
// the bounds it can; the API validates everything again and its 400 names the field.

export type FieldValue = string | boolean | string[];
type Kind = 'enum' | 'boolean' | 'integer' | 'number' | 'string' | 'enum-list' | 'list' | 'json';

interface Field {
  key: string;
  schema: JsonSchema;
  kind: Kind;
  required: boolean;
  options: unknown[];
}

/** zod's optional and nullable fields arrive as `anyOf: [T, {type: 'null'}]` or `type: [T, 'null']`. */
function unwrap(schema: JsonSchema): JsonSchema {
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) {
    const nonNull = variants.filter((v) => v.type !== 'null');
    if (nonNull.length === 1)
      return { ...nonNull[0], description: schema.description ?? nonNull[0]!.description };
    if (nonNull.every((v) => v.const !== undefined)) return { ...schema, enum: nonNull.map((v) => v.const) };
  }
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t) => t !== 'null');
    if (types.length === 1) return { ...schema, type: types[0] };
  }
  return schema;
}

function kindOf(schema: JsonSchema): Kind {
  if (schema.enum) return 'enum';
  switch (schema.type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    case 'array': {
      const items = schema.items ? unwrap(schema.items) : undefined;
      if (items?.enum) return 'enum-list';
      if (items && ['string', 'number', 'integer'].includes(String(items.type))) return 'list';
      return 'json';
    }
    default:
      return 'json';
  }
}

export function fieldsOf(schema: JsonSchema): Field[] {
  const root = unwrap(schema);
  const required = new Set(root.required ?? []);
  return Object.entries(root.properties ?? {}).map(([key, raw]) => {
    const property = unwrap(raw);
    const kind = kindOf(property);
    const options =
      kind === 'enum'
        ? (property.enum ?? [])
        : kind === 'enum-list'
          ? (unwrap(property.items!).enum ?? [])
          : [];
    return { key, schema: property, kind, required: required.has(key), options };
  });
}

function initialValue(field: Field): FieldValue {
  const fallback = field.schema.default;
  switch (field.kind) {
    case 'boolean':
      return fallback === true;
    case 'enum-list':
      return Array.isArray(fallback) ? fallback.map(String) : [];
    case 'list':
      return Array.isArray(fallback) ? fallback.join(', ') : '';
    case 'json':
      return fallback === undefined ? '' : JSON.stringify(fallback, null, 2);
    default:
      return '';
  }
}

/** The options object from the form: empty optional fields are left out, so the type's defaults apply. */
export function collectValues(
  fields: Field[],
  values: Record<string, FieldValue>,
): {
  options: Record<string, unknown>;
  errors: Record<string, string>;
} {
  const options: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const raw = values[field.key];
    if (field.kind === 'boolean') {
      if (raw !== (field.schema.default === true) || field.required) options[field.key] = raw === true;
      continue;
    }
    if (field.kind === 'enum-list') {
      if ((raw as string[]).length > 0 || field.required) options[field.key] = raw;
      continue;
    }
    const text = String(raw ?? '').trim();
    if (text === '') {
      if (field.required) errors[field.key] = 'required';
      continue;
    }
    if (field.kind === 'integer' || field.kind === 'number') {
      const number = Number(text);
      if (!Number.isFinite(number) || (field.kind === 'integer' && !Number.isInteger(number))) {
        errors[field.key] = field.kind === 'integer' ? 'expected a whole number' : 'expected a number';
      } else options[field.key] = number;
    } else if (field.kind === 'enum') {
      const match = field.options.find((option) => String(option) === text);
      options[field.key] = match ?? text;
    } else if (field.kind === 'list') {
      const items = text
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
      const numeric = ['number', 'integer'].includes(String(unwrap(field.schema.items!).type));
      options[field.key] = numeric ? items.map(Number) : items;
    } else if (field.kind === 'json') {
      try {
        options[field.key] = JSON.parse(text);
      } catch {
        errors[field.key] = 'expected JSON';
      }
    } else options[field.key] = text;
  }
  return { options, errors };
}

function humanize(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function SchemaForm({
  schema,
  idPrefix,
  submitLabel,
  onSubmit,
  children,
}: {
  schema: JsonSchema;
  idPrefix: string;
  submitLabel: string;
  onSubmit: (options: Record<string, unknown>) => Promise<void>;
  /** Extra controls before the schema's fields (the stack version, say). */
  children?: JSX.Element | JSX.Element[] | false;
}) {
  const fields = fieldsOf(schema);
  const [values, setValues] = useState<Record<string, FieldValue>>(() =>
    Object.fromEntries(fields.map((field) => [field.key, initialValue(field)])),
  );
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (key: string, value: FieldValue) => setValues((previous) => ({ ...previous, [key]: value }));

  return (
    <form
      class="schema-form"
      noValidate={false}
      onSubmit={async (event) => {
        event.preventDefault();
        const collected = collectValues(fields, values);
        setErrors(collected.errors);
        if (Object.keys(collected.errors).length > 0) return;
        setBusy(true);
        setFailure(undefined);
        try {
          await onSubmit(collected.options);
        } catch (error) {
          setFailure((error as Error).message);
        } finally {
          setBusy(false);
        }
      }}
    >
      {children}
      {fields.map((field) => (
        <FieldInput
          key={field.key}
          field={field}
          id={`${idPrefix}-${field.key}`}
          value={values[field.key]!}
          error={errors[field.key]}
          onChange={(value) => set(field.key, value)}
        />
      ))}
      {failure && (
        <p class="field-error" role="alert">
          {failure}
        </p>
      )}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy} aria-busy={busy}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}

function FieldInput({
  field,
  id,
  value,
  error,
  onChange,
}: {
  field: Field;
  id: string;
  value: FieldValue;
  error: string | undefined;
  onChange: (value: FieldValue) => void;
}) {
  const { schema } = field;
  const label = schema.title ?? humanize(field.key);
  const defaultText = schema.default === undefined ? undefined : `default ${JSON.stringify(schema.default)}`;
  const help = [schema.description, field.kind === 'list' ? 'comma-separated' : undefined, defaultText]
    .filter(Boolean)
    .join(' · ');
  const helpId = help ? `${id}-help` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [helpId, errorId].filter(Boolean).join(' ') || undefined;
  const common = { id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined };

  const helpText = help && (
    <small id={helpId} class="field-help">
      {help}
    </small>
  );
  const errorText = error && (
    <small id={errorId} class="field-error">
      {error}
    </small>
  );

  if (field.kind === 'boolean') {
    return (
      <div class="field field-check">
        <input
          type="checkbox"
          {...common}
          checked={value === true}
          onChange={(e) => onChange(e.currentTarget.checked)}
        />
        <label for={id}>{label}</label>
        {helpText}
        {errorText}
      </div>
    );
  }
  if (field.kind === 'enum-list') {
    const chosen = value as string[];
    return (
      <fieldset class="field" aria-describedby={describedBy}>
        <legend>{label}</legend>
        {field.options.map((option) => {
          const text = String(option);
          return (
            <label key={text} class="check-option">
              <input
                type="checkbox"
                checked={chosen.includes(text)}
                onChange={(e) =>
                  onChange(e.currentTarget.checked ? [...chosen, text] : chosen.filter((c) => c !== text))
                }
              />
              {text}
            </label>
          );
        })}
        {helpText}
        {errorText}
      </fieldset>
    );
  }
  let input: JSX.Element;
  if (field.kind === 'enum') {
    input = (
      <Select
        {...common}
        required={field.required}
        value={value as string}
        onChange={onChange}
        choices={[
          {
            value: '',
            label: field.required
              ? 'Choose…'
              : `(default${schema.default !== undefined ? `: ${String(schema.default)}` : ''})`,
          },
          ...field.options.map((option) => ({ value: String(option), label: String(option) })),
        ]}
      />
    );
  } else if (field.kind === 'integer' || field.kind === 'number') {
    input = (
      <input
        type="number"
        {...common}
        required={field.required}
        min={schema.minimum ?? schema.exclusiveMinimum}
        max={schema.maximum ?? schema.exclusiveMaximum}
        step={field.kind === 'integer' ? 1 : 'any'}
        placeholder={schema.default !== undefined ? String(schema.default) : undefined}
        value={value as string}
        onInput={(e) => onChange(e.currentTarget.value)}
      />
    );
  } else if (field.kind === 'json') {
    input = (
      <textarea
        {...common}
        class="code-input"
        rows={4}
        required={field.required}
        value={value as string}
        onInput={(e) => onChange(e.currentTarget.value)}
      />
    );
  } else {
    input = (
      <input
        type="text"
        {...common}
        required={field.required}
        minLength={schema.minLength}
        maxLength={schema.maxLength}
        pattern={field.kind === 'string' ? schema.pattern : undefined}
        placeholder={
          schema.default !== undefined && field.kind === 'string' ? String(schema.default) : undefined
        }
        value={value as string}
        onInput={(e) => onChange(e.currentTarget.value)}
      />
    );
  }
  return (
    <div class="field">
      <label for={id}>
        {label}
        {field.required && <span class="required"> (required)</span>}
      </label>
      {input}
      {helpText}
      {errorText}
    </div>
  );
}
