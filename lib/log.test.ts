import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

// How log lines look depends on where they go, so each case runs a real process: stderr a pipe,
// or a pseudo-terminal made by util-linux `script` (as when a person runs `npm run dev`).

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const program = (format: string) =>
  `import { createLogger } from './lib/log.ts'; createLogger('dev', 'info', '${format}').info({ port: 3000 }, 'api listening');`;

function runWithPipe(format: string): string {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', program(format)],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  assert.equal(result.status, 0, result.stderr);
  return result.stderr;
}

function runOnTerminal(format: string): string {
  const command = [
    process.execPath,
    '--import',
    'tsx',
    '--input-type=module',
    '-e',
    JSON.stringify(program(format)),
  ].join(' ');
  const result = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stdout + result.stderr);
  return result.stdout;
}

describe('log lines', () => {
  it('are JSON when stderr is a pipe (a file, a collector, the tests)', () => {
    const line = JSON.parse(runWithPipe('auto').trim());
    assert.equal(line.msg, 'api listening');
    assert.equal(line.role, 'dev');
    assert.equal(line.port, 3000);
  });

  it('are readable lines on a terminal: time, level, role and message, fields below', () => {
    const output = runOnTerminal('auto');
    // Colours on a terminal; strip them to read the words.
    const text = stripVTControlCharacters(output);
    assert.match(text, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: dev: api listening\r?\n\s+port: 3000/m);
    assert.doesNotMatch(text, /"msg"/);
  });

  it('follow LOG_FORMAT over the terminal check', () => {
    assert.doesNotMatch(stripVTControlCharacters(runOnTerminal('json')), /INFO: dev/);
    assert.match(runWithPipe('pretty'), /INFO: dev: api listening/);
  });
});
