import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitShellWords } from './shell-words.js';

const words = (text: string) => {
  const result = splitShellWords(text);
  assert.ok('words' in result, `unexpected error for ${text}`);
  return result.words;
};

describe('splitShellWords', () => {
  it('splits on any whitespace and drops empty runs', () => {
    assert.deepEqual(words('  nginx   -g\t"daemon off;"\n'), ['nginx', '-g', 'daemon off;']);
    assert.deepEqual(words(''), []);
  });

  it('keeps single-quoted text literal and joins adjacent quoted parts', () => {
    assert.deepEqual(words(`sh -c 'echo "$HOME" \\n'`), ['sh', '-c', 'echo "$HOME" \\n']);
    assert.deepEqual(words(`a'b c'"d e"f`), ['ab cd ef']);
    assert.deepEqual(words(`'' ""`), ['', '']);
  });

  it('applies backslash escapes as POSIX does, without expanding variables', () => {
    assert.deepEqual(words('a\\ b c\\"d'), ['a b', 'c"d']);
    assert.deepEqual(words('"a\\"b\\\\c\\d $X"'), ['a"b\\c\\d $X']);
    assert.deepEqual(words('a \\\nb'), ['a', 'b']);
  });

  it('reports unterminated quotes and a trailing backslash', () => {
    assert.deepEqual(splitShellWords(`echo 'x`), { error: 'unterminated single quote' });
    assert.deepEqual(splitShellWords('echo "x'), { error: 'unterminated double quote' });
    assert.deepEqual(splitShellWords('echo x\\'), { error: 'trailing backslash' });
  });
});
