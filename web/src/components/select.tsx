import type { Stack } from '../lib/api.js';

// A <select> whose choice shows on first render too: each option carries `selected`, because a
// select's `value` set before its options exist selects nothing, and the browser then shows the first.

export interface Choice {
  value: string;
  label: string;
}

export function Select({
  value,
  choices,
  onChange,
  ...attributes
}: {
  id: string;
  value: string;
  choices: Choice[];
  onChange: (value: string) => void;
  required?: boolean;
  'aria-describedby'?: string | undefined;
  'aria-invalid'?: boolean | undefined;
}) {
  return (
    <select {...attributes} value={value} onChange={(event) => onChange(event.currentTarget.value)}>
      {choices.map((choice) => (
        <option key={choice.value} value={choice.value} selected={choice.value === value}>
          {choice.label}
        </option>
      ))}
    </select>
  );
}

/** A stack's versions, newest first, the current one marked. */
export function versionChoices(stack: Stack): Choice[] {
  return stack.versions
    .map((v) => v.version)
    .sort((a, b) => b - a)
    .map((n) => ({ value: String(n), label: `v${n}${n === stack.version ? ' (current)' : ''}` }));
}
