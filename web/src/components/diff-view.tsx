import { diffLines } from 'diff';

// A line diff of two Compose documents (jsdiff's diffLines), shown as one column with - and + marks
// and the line numbers of each side, like `diff -u` without the hunks cut out.

interface Line {
  kind: 'same' | 'added' | 'removed';
  text: string;
  before?: number;
  after?: number;
}

export function diffRows(before: string, after: string): Line[] {
  const rows: Line[] = [];
  let left = 1;
  let right = 1;
  for (const part of diffLines(before, after)) {
    const lines = part.value.replace(/\n$/, '').split('\n');
    for (const text of lines) {
      if (part.added) rows.push({ kind: 'added', text, after: right++ });
      else if (part.removed) rows.push({ kind: 'removed', text, before: left++ });
      else rows.push({ kind: 'same', text, before: left++, after: right++ });
    }
  }
  return rows;
}

const marks = { same: ' ', added: '+', removed: '-' } as const;

export function DiffView({ before, after, caption }: { before: string; after: string; caption: string }) {
  const rows = diffRows(before, after);
  const added = rows.filter((r) => r.kind === 'added').length;
  const removed = rows.filter((r) => r.kind === 'removed').length;
  return (
    <figure class="diff">
      <figcaption>
        {caption}:{' '}
        {added + removed === 0 ? (
          'no differences'
        ) : (
          <>
            <span class="diff-added-count">+{added}</span> <span class="diff-removed-count">−{removed}</span>{' '}
            lines
          </>
        )}
      </figcaption>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard. */}
      <section class="diff-body" tabIndex={0} aria-label={caption}>
        <table>
          <tbody>
            {rows.map((row, index) => (
              <tr key={index} class={`diff-${row.kind}`}>
                <td class="diff-number">{row.before ?? ''}</td>
                <td class="diff-number">{row.after ?? ''}</td>
                <td class="diff-mark">
                  <span class="visually-hidden">{row.kind === 'same' ? '' : row.kind}</span>
                  <span aria-hidden="true">{marks[row.kind]}</span>
                </td>
                <td class="diff-text">{row.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </figure>
  );
}
