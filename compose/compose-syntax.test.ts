import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConstraint, parsePortShort, parseRestart, parseVolumeShort } from './compose-syntax.js';

describe('parsePortShort', () => {
  it('reads every short form', () => {
    assert.deepEqual(parsePortShort('80'), { value: { target: 80, protocol: 'tcp' } });
    assert.deepEqual(parsePortShort('8080:80'), { value: { target: 80, published: 8080, protocol: 'tcp' } });
    assert.deepEqual(parsePortShort('127.0.0.1:8080:80'), {
      value: { target: 80, published: 8080, protocol: 'tcp', hostIp: '127.0.0.1' },
    });
    assert.deepEqual(parsePortShort('127.0.0.1::80'), {
      value: { target: 80, protocol: 'tcp', hostIp: '127.0.0.1' },
    });
    assert.deepEqual(parsePortShort('[::1]:53:53/udp'), {
      value: { target: 53, published: 53, protocol: 'udp', hostIp: '::1' },
    });
    assert.deepEqual(parsePortShort('53:53/udp'), { value: { target: 53, published: 53, protocol: 'udp' } });
  });

  it('rejects malformed mappings', () => {
    assert.deepEqual(parsePortShort('a:b:c:d'), { error: '"a:b:c:d" is not a valid port mapping' });
    assert.deepEqual(parsePortShort(':80:80'), { error: '":80:80" is not a valid port mapping' });
    assert.deepEqual(parsePortShort('http'), { error: 'container port "http" is not a port number' });
  });
});

describe('parseVolumeShort', () => {
  it('tells named volumes from bind mounts and reads the mode', () => {
    assert.deepEqual(parseVolumeShort('data:/var/lib/data'), {
      value: { type: 'volume', source: 'data', target: '/var/lib/data', readOnly: false },
    });
    assert.deepEqual(parseVolumeShort('/srv:/srv:ro'), {
      value: { type: 'bind', source: '/srv', target: '/srv', readOnly: true },
    });
    assert.deepEqual(parseVolumeShort('data:/d:rw'), {
      value: { type: 'volume', source: 'data', target: '/d', readOnly: false },
    });
  });

  it('rejects relative host paths and malformed specs', () => {
    assert.deepEqual(parseVolumeShort('~/x:/x'), {
      error: 'bind source "~/x" must be an absolute host path',
    });
    assert.deepEqual(parseVolumeShort('a:/b:ro:x'), {
      error: '"a:/b:ro:x" is not a valid volume; expected source:target[:ro|rw]',
    });
  });
});

describe('parseRestart', () => {
  it('reads the four policies and on-failure retries', () => {
    assert.deepEqual(parseRestart('no'), { value: { policy: 'no' } });
    assert.deepEqual(parseRestart('always'), { value: { policy: 'always' } });
    assert.deepEqual(parseRestart('unless-stopped'), { value: { policy: 'unless-stopped' } });
    assert.deepEqual(parseRestart('on-failure'), { value: { policy: 'on-failure' } });
    assert.deepEqual(parseRestart('on-failure:5'), { value: { policy: 'on-failure', maxRetries: 5 } });
    assert.ok('error' in parseRestart('on-failure:x'));
  });
});

describe('parseConstraint', () => {
  it('reads hostname, id and label constraints, tolerating whitespace', () => {
    assert.deepEqual(parseConstraint('node.hostname==vm1'), {
      value: { expression: 'node.hostname==vm1', field: 'node.hostname', operator: '==', value: 'vm1' },
    });
    assert.deepEqual(parseConstraint('  node.id   !=  abc  '), {
      value: { expression: 'node.id   !=  abc', field: 'node.id', operator: '!=', value: 'abc' },
    });
    assert.deepEqual(parseConstraint('node.labels.com.example.zone == eu-1'), {
      value: {
        expression: 'node.labels.com.example.zone == eu-1',
        field: 'node.labels',
        label: 'com.example.zone',
        operator: '==',
        value: 'eu-1',
      },
    });
  });

  it('rejects the constraints Graphium cannot evaluate', () => {
    for (const text of [
      'node.role == manager',
      'node.platform.os == linux',
      'engine.labels.a == b',
      'node.labels == a',
      'node.id',
    ]) {
      assert.ok('error' in parseConstraint(text), text);
    }
  });
});
