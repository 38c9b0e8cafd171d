// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Compose interpolation (${VAR}) is what these tests are about.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEnvFile } from './env-file.js';

const shell: Record<string, string> = { HOME_DIR: '/home/app' };
const parse = (text: string, raw = false) => parseEnvFile(text, (name) => shell[name], raw);

describe('.env and env_file syntax', () => {
  it('reads KEY=VALUE lines, comments, blanks, export and KEY: VALUE', () => {
    const { values, errors } = parse(
      '# comment\n\nA=1\nexport B=two\n  C = spaced  \nD: yaml-style\nE=\nF=a=b\nG=value # inline comment\nH=value#not-a-comment\n',
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(values, {
      A: '1',
      B: 'two',
      C: 'spaced',
      D: 'yaml-style',
      E: '',
      F: 'a=b',
      G: 'value',
      H: 'value#not-a-comment',
    });
  });

  it('keeps single quotes literal and reads escapes in double quotes, over several lines', () => {
    const { values } = parse(
      `S='$HOME_DIR and \\n stay'\nD="tab\\there\\nnew \\"q\\" \\$HOME_DIR"\nM="one\ntwo"\nAFTER=x\n`,
    );
    assert.deepEqual(values, {
      S: '$HOME_DIR and \\n stay',
      D: 'tab\there\nnew "q" $HOME_DIR',
      M: 'one\ntwo',
      AFTER: 'x',
    });
  });

  it('interpolates with earlier lines and the environment; a $ that starts nothing stays', () => {
    const { values, unset } = parse(
      'BASE=/srv\nDATA=${BASE}/data\nHOME=$HOME_DIR\nMISSING=${NOPE:-fallback}\nPW=a$%b\nU=$UNSET_ONE\n',
    );
    assert.deepEqual(values, {
      BASE: '/srv',
      DATA: '/srv/data',
      HOME: '/home/app',
      MISSING: 'fallback',
      PW: 'a$%b',
      U: '',
    });
    assert.deepEqual(unset, ['UNSET_ONE']);
  });

  it('takes a bare KEY from the environment, or leaves it out', () => {
    assert.deepEqual(parse('HOME_DIR\nNOT_THERE\n').values, { HOME_DIR: '/home/app' });
  });

  it('reads format: raw values as written', () => {
    assert.deepEqual(parse('T=${X}\nQ="quoted"\n', true).values, { T: '${X}', Q: '"quoted"' });
  });

  it('names the line of a bad name or an unclosed quote', () => {
    assert.deepEqual(parse('OK=1\n1BAD=2\nQ="never closed\n').errors, [
      { line: 2, message: '"1BAD" is not a variable name' },
      { line: 3, message: 'the double quote is never closed' },
    ]);
  });
});
