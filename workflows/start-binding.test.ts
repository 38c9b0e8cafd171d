import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  START_BINDING_TTL_MS,
  type StartFacts,
  startBinding,
  startRefusal,
} from '../contracts/signed-work.js';

// The check the workflow interceptor makes of every start (workflows/interceptors.ts), as the pure
// function it calls; the end-to-end proof is test/e2e/replayed-work.test.ts.

const signedAt = Date.parse('2026-12-07T12:00:00Z');
const target = {
  workflowType: 'deployWorkflow',
  workflowId: 'deploy-shop-1',
  deploymentId: 'd1',
  stack: 'shop',
};
const input = { deploymentId: 'd1', stack: 'shop', ...startBinding(target, signedAt) };
const start = (extra: Partial<StartFacts> = {}): StartFacts => ({
  workflowType: 'deployWorkflow',
  workflowId: 'deploy-shop-1',
  startTime: new Date(signedAt + 1000),
  hasParent: false,
  ...extra,
});

describe('start binding', () => {
  it('lets the start it was signed for begin, until it expires', () => {
    assert.equal(startRefusal([input], start()), undefined);
    assert.equal(
      startRefusal([input], start({ startTime: new Date(signedAt + START_BINDING_TTL_MS) })),
      undefined,
    );
    assert.match(
      startRefusal([input], start({ startTime: new Date(signedAt + START_BINDING_TTL_MS + 1) })) ?? '',
      /^its start binding expired at 2026-12-07T12:15:00.000Z, before this run started/,
    );
  });

  it('refuses another type, another ID, another deployment or stack, and no binding at all', () => {
    assert.equal(
      startRefusal([input], start({ workflowType: 'deleteWorkflow' })),
      'it was signed to start deployWorkflow, not deleteWorkflow',
    );
    assert.equal(
      startRefusal([input], start({ workflowId: 'deploy-shop-9' })),
      'it was signed to start workflow deploy-shop-1, not deploy-shop-9',
    );
    assert.equal(
      startRefusal([{ ...input, deploymentId: 'd2' }], start()),
      'its deploymentId is not the one its start binding names',
    );
    assert.equal(
      startRefusal([{ ...input, stack: 'other' }], start()),
      'its stack is not the one its start binding names',
    );
    const { startBinding: _, ...unbound } = input;
    assert.match(startRefusal([unbound], start()) ?? '', /^it carries no start binding/);
    assert.match(startRefusal([], start()) ?? '', /^it carries no start binding/);
    const broken = { ...input, startBinding: { ...input.startBinding, expiresAt: 42 } };
    assert.match(startRefusal([broken], start()) ?? '', /^it carries no start binding/);
    const garbled = { ...input, startBinding: { ...input.startBinding, expiresAt: 'soon' } };
    assert.match(startRefusal([garbled], start()) ?? '', /expired/);
  });

  it('frozen types: no binding is issued for them; their child type starts only under a parent', () => {
    for (const frozen of [
      'deployStackWorkflow',
      'deleteStackWorkflow',
      'startStackWorkflow',
      'stopStackWorkflow',
    ]) {
      assert.equal(
        startRefusal([input], start({ workflowType: frozen })),
        `it was signed to start deployWorkflow, not ${frozen}`,
      );
    }
    assert.equal(
      startRefusal([input], start({ workflowType: 'hostDeployWorkflow' })),
      'hostDeployWorkflow is only started by its parent workflow',
    );
    assert.equal(
      startRefusal([{}], start({ workflowType: 'hostDeployWorkflow', hasParent: true })),
      undefined,
    );
  });

  it('the reconcile schedule’s type takes no input, so there is none to replay', () => {
    assert.equal(startRefusal([], start({ workflowType: 'reconcileStacksWorkflow' })), undefined);
    assert.equal(
      startRefusal([input], start({ workflowType: 'reconcileStacksWorkflow' })),
      'reconcileStacksWorkflow takes no input',
    );
  });
});
