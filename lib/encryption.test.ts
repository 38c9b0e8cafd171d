import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateKeyringText, Keyring, parseKeyring } from './encryption.js';

describe('the encryption keyring', () => {
  const keyring = parseKeyring(`${generateKeyringText('new')},${generateKeyringText('old')}`) as Keyring;

  it('seals with the first key and opens with the key a value names', () => {
    const sealed = keyring.seal(Buffer.from('hunter2'), 'ctx');
    assert.equal(Keyring.keyIdOf(sealed), 'new');
    assert.equal(keyring.open(sealed, 'ctx').toString(), 'hunter2');
    const older = new Keyring([keyring.keys[1]!]).seal(Buffer.from('from before'), 'ctx');
    assert.equal(keyring.open(older, 'ctx').toString(), 'from before');
  });

  it('refuses a tampered value, another context, or a key it does not hold', () => {
    const sealed = keyring.seal(Buffer.from('hunter2'), 'ctx');
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1]! ^= 1;
    assert.throws(() => keyring.open(tampered, 'ctx'));
    assert.throws(() => keyring.open(sealed, 'other'));
    assert.throws(() => new Keyring([keyring.keys[1]!]).open(sealed, 'ctx'), /key "new", which is not in/);
  });

  it('parses GRAPHIUM_ENCRYPTION_KEYS and says what is wrong', () => {
    assert.match(String(parseKeyring('nocolon')), /expected id:base64key/);
    assert.match(String(parseKeyring('k1:c2hvcnQ=')), /must be 32 bytes/);
    const one = generateKeyringText('k1');
    assert.match(String(parseKeyring(`${one},${one}`)), /appears twice/);
  });
});
