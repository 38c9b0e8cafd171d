// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Compose interpolation (${VAR}) is what these tests are about.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InterpolationError, interpolate } from './interpolate.js';

// Table tests re-expressing the Compose Specification's interpolation section: which forms exist,
// what each gives for a set, an empty and an unset variable, and how `$$` and nesting behave.

const variables: Record<string, string> = {
  SET: 'value',
  EMPTY: '',
  TAG: 'v1.5',
  USER: 'alice',
  PORT: '8080',
};
const lookup = (name: string) => variables[name];
const run = (text: string) => interpolate(text, lookup);

describe('interpolation (Compose Specification examples, re-expressed)', () => {
  const cases: [string, string, string[]?][] = [
    // Braced and unbraced names.
    ['$SET', 'value'],
    ['${SET}', 'value'],
    ['image:${TAG}', 'image:v1.5'],
    ['$USER@host', 'alice@host'],
    ['${USER}_suffix', 'alice_suffix'],
    ['$USER_suffix', '', ['USER_suffix']],
    // Default values: `:-` when unset or empty, `-` only when unset.
    ['${UNSET:-default}', 'default'],
    ['${EMPTY:-default}', 'default'],
    ['${SET:-default}', 'value'],
    ['${UNSET-default}', 'default'],
    ['${EMPTY-default}', ''],
    ['${SET-default}', 'value'],
    // Alternative values: `:+` when set and not empty, `+` when set.
    ['${SET:+replacement}', 'replacement'],
    ['${EMPTY:+replacement}', ''],
    ['${UNSET:+replacement}', ''],
    ['${EMPTY+replacement}', 'replacement'],
    ['${UNSET+replacement}', ''],
    // Nested defaults.
    ['${UNSET:-${TAG}}', 'v1.5'],
    ['${UNSET:-${ALSO_UNSET:-deep}}', 'deep'],
    ['${UNSET:-prefix-${USER}-suffix}', 'prefix-alice-suffix'],
    ['${SET:+port ${PORT}}', 'port 8080'],
    // `$$` is a literal dollar, never a variable.
    ['$$SET', '$SET'],
    ['$${SET}', '${SET}'],
    ['cost: $$5', 'cost: $5'],
    ['${UNSET:-$$literal}', '$literal'],
    // Unset without a default: empty, and reported.
    ['${UNSET}', '', ['UNSET']],
    ['$UNSET and ${UNSET}', ' and ', ['UNSET']],
    ['no variables at all', 'no variables at all'],
  ];
  for (const [text, expected, unset = []] of cases) {
    it(`${text} → ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(run(text), { value: expected, unset });
    });
  }

  it('fails on a required variable that is missing, with its message', () => {
    assert.throws(
      () => run('${UNSET:?set UNSET first}'),
      /required variable UNSET is missing a value: set UNSET first/,
    );
    assert.throws(
      () => run('${EMPTY:?must not be empty}'),
      /required variable EMPTY is missing a value: must not be empty/,
    );
    assert.throws(
      () => run('${UNSET?}'),
      /^Error: required variable UNSET is missing a value$|required variable UNSET is missing a value$/,
    );
    assert.deepEqual(run('${EMPTY?only unset fails}'), { value: '', unset: [] });
    assert.deepEqual(run('${SET:?never}'), { value: 'value', unset: [] });
  });

  it('refuses malformed templates, saying how to write a literal dollar', () => {
    for (const text of ['${', '${SET', '${}', '${1BAD}', '${SET:x}', 'price $5', '$ alone']) {
      assert.throws(() => run(text), InterpolationError, text);
    }
    assert.throws(() => run('a $1'), /write "\$\$" for a literal "\$"/);
  });

  it('leaves a $ that starts no variable alone in lenient mode (env files)', () => {
    assert.deepEqual(interpolate('p@ss$%word ${', lookup, true), { value: 'p@ss$%word ${', unset: [] });
    assert.deepEqual(interpolate('$SET$', lookup, true), { value: 'value$', unset: [] });
  });
});
