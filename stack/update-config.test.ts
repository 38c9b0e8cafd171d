import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ComposeError } from '../compose/compose-errors.js';
import { parseStackDefinition } from '../compose/single-document.js';
import { DEFAULT_UPDATE_CONFIG, fixedHostPorts, updateConfigOf } from './update-config.js';

const spec = (web: string) => parseStackDefinition(`services:\n  web: {image: x, ${web}}\n`, 'yaml');

describe('update_config', () => {
  it('defaults to one replica at a time, stop-first, rolled back on failure, with or without the key', () => {
    assert.deepEqual(updateConfigOf(spec('').services[0]!), DEFAULT_UPDATE_CONFIG);
    assert.equal(DEFAULT_UPDATE_CONFIG.parallelism, 1);
    assert.equal(DEFAULT_UPDATE_CONFIG.failureAction, 'rollback');
    // What the file leaves out takes the same defaults.
    assert.deepEqual(updateConfigOf(spec('deploy: {update_config: {parallelism: 2}}').services[0]!), {
      ...DEFAULT_UPDATE_CONFIG,
      parallelism: 2,
    });
  });

  it('refuses start-first with a fixed published host port, naming the port', () => {
    assert.throws(
      () => spec('ports: ["8080:80"], deploy: {update_config: {order: start-first}}'),
      (error: unknown) =>
        error instanceof ComposeError &&
        error.issues.some(
          (issue) =>
            issue.path === 'services.web.deploy.update_config.order' &&
            /host port 8080 cannot be bound twice there/.test(issue.message),
        ),
    );
    // A port Docker picks, or none, is fine.
    assert.equal(
      spec('ports: ["80"], deploy: {update_config: {order: start-first}}').services[0]!.updateConfig?.order,
      'start-first',
    );
  });

  it('knows the host ports a service binds by number', () => {
    assert.deepEqual(
      fixedHostPorts(spec('ports: ["8080:80", "90", "127.0.0.1:9000:9000/udp"]').services[0]!),
      [8080, 9000],
    );
  });
});
