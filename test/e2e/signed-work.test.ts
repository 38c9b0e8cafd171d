import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ActivityFailure, type ApplicationFailure, Client, WorkflowFailedError } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { ContainerRequest } from '../../activities/docker/types.js';
import { parseStackDefinition } from '../../compose/index.js';
import { UNSIGNED_WORK } from '../../contracts/signed-work.js';
import { hostTaskQueue, ORCHESTRATOR_TASK_QUEUE } from '../../contracts/vocabulary.js';
import { GraphiumPayloadCodec, readerPolicy } from '../../lib/payload-codec.js';
import { payloadDataConverter } from '../../lib/payload-security.js';
import { generateSigningKeyText, parseSigningKey, type SigningKey } from '../../lib/signing-keys.js';
import type { StackOperationInput } from '../../workflows/operation-types.js';
import { DaemonProbe } from '../harness/daemon.js';
import { useDeployEnvironment } from '../harness/deploy-env.js';
import { TEST_IMAGE } from '../harness/docker-hosts.js';
import { testAgentSecurity, testApiSecurity } from '../harness/payload-keys.js';
import type { RogueActivity } from '../harness/rogue-workflows.js';

// Temporal was the only trust boundary: whoever reached it could start Graphium's workflows or
// schedule Docker work on any host's queue, and the orchestrator and the agents ran it. Here an
// attacker does exactly that, straight through Temporal (never through the API), asking for a
// container that bind-mounts the host's `/`, with each kind of key an attacker might hold.

const ROOT_MOUNT = parseStackDefinition(
  `
services:
  root:
    image: ${TEST_IMAGE}
    command: sleep 3600
    volumes: ["/:/host"]
`,
  'yaml',
);

/**
 * Sends plaintext, as anyone reaching Temporal can; it opens the sealed answers only so that the test
 * can read why its work was refused.
 */
function plaintextSender(): DataConverter {
  const reader = new GraphiumPayloadCodec({ keyring: testAgentSecurity().keyring, policy: readerPolicy });
  return {
    payloadCodecs: [{ encode: async (payloads) => payloads, decode: (payloads) => reader.decode(payloads) }],
  };
}

/** The senders: none of them holds the API's or the orchestrator's private key. */
function senders(): { name: string; dataConverter: DataConverter }[] {
  const forged = parseSigningKey(generateSigningKeyText('orchestrator-test1')) as SigningKey;
  return [
    { name: 'plaintext', dataConverter: plaintextSender() },
    // What a compromised agent holds: the payload key, and no signing key.
    { name: 'sealed-unsigned', dataConverter: payloadDataConverter(testAgentSecurity(), readerPolicy) },
    // A key of its own, under the id of the orchestrator's real key.
    {
      name: 'forged-signature',
      dataConverter: payloadDataConverter({ ...testAgentSecurity(), signer: forged }, readerPolicy),
    },
  ];
}

async function rogueContainersEverywhere(env: ReturnType<typeof useDeployEnvironment>) {
  const all = await Promise.all(
    env.infra.dockerHosts.map((host) => new DaemonProbe(host.socketPath).containers()),
  );
  return all.flat().filter((c) => c.name.startsWith('rogue'));
}

describe('signed work: only what the API asked and the orchestrator scheduled runs on a host', () => {
  const env = useDeployEnvironment([{}, {}], '20s');

  it('a deploy workflow started straight through Temporal, unsigned or badly signed, runs nothing', async () => {
    for (const sender of senders()) {
      const client = new Client({
        connection: env.ctx.temporal.connection,
        namespace: env.infra.namespace,
        dataConverter: sender.dataConverter,
      });
      const input: StackOperationInput = {
        deploymentId: randomUUID(),
        stackId: randomUUID(),
        stack: `rogue-${sender.name}`,
        requestedBy: 'nobody',
        version: 1,
        spec: ROOT_MOUNT,
        placements: env.hostIds.map((hostId) => ({
          service: 'root',
          replica: 1,
          hostId,
          name: `rogue-${sender.name}_root_1`,
        })),
        hostIds: env.hostIds,
        pickupTimeout: '20s',
        options: { settleMs: 300 },
      };
      const workflowId = `deploy-rogue-${sender.name}-${Date.now()}`;
      await client.workflow.start('deployStackWorkflow', {
        taskQueue: ORCHESTRATOR_TASK_QUEUE,
        workflowId,
        args: [input],
      });
      // Read with the API's own client: the failure is sealed like every other payload.
      const failure = await env.ctx.temporal.workflow
        .getHandle(workflowId)
        .result()
        .then(
          () => assert.fail(`${sender.name}: the workflow ran`),
          (error: unknown) => error,
        );
      assert.ok(failure instanceof WorkflowFailedError, `${sender.name}: ${failure}`);
      const cause = failure.cause as ApplicationFailure;
      assert.equal(cause.type, UNSIGNED_WORK, `${sender.name}: ${cause.message}`);
      assert.equal(cause.nonRetryable, true);
      assert.match(cause.message, /workflow input refused: /);
    }
    assert.deepEqual(await rogueContainersEverywhere(env), [], 'no container on any daemon');
    const orchestratorLog = env.orchestrator.logs;
    assert.match(orchestratorLog, /workflow input refused: not sent by the API or the orchestrator/);
    assert.match(orchestratorLog, /it is not encrypted, so it was not sent by Graphium/);
    assert.match(orchestratorLog, /it is not signed \(only the api or orchestrator may send it\)/);
    assert.match(orchestratorLog, /its signature by key \\"orchestrator-test1\\" does not match it/);
  });

  describe('an activity scheduled straight onto a host queue by a worker of its own', () => {
    let bundle: string;
    let connection: NativeConnection;
    const stops: (() => void)[] = [];

    before(async () => {
      // The rogue workers' own log (every refusal, as a failed workflow) would drown the test output.
      Runtime.install({ logger: new DefaultLogger('ERROR') });
      ({ code: bundle } = await bundleWorkflowCode({
        workflowsPath: fileURLToPath(new URL('../harness/rogue-workflows.ts', import.meta.url)),
        logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
      }));
      connection = await NativeConnection.connect({ address: env.infra.temporalAddress });
    });

    after(async () => {
      for (const stop of stops) stop();
      await connection?.close();
    });

    async function runRogue(sender: ReturnType<typeof senders>[number], input: RogueActivity) {
      const taskQueue = `rogue-${sender.name}-${Date.now()}`;
      const worker = await Worker.create({
        connection,
        namespace: env.infra.namespace,
        taskQueue,
        workflowBundle: { code: bundle },
        dataConverter: sender.dataConverter,
      });
      let stop!: () => void;
      const running = worker.runUntil(new Promise<void>((resolve) => (stop = resolve)));
      stops.push(stop);
      const client = new Client({
        connection: env.ctx.temporal.connection,
        namespace: env.infra.namespace,
        dataConverter: sender.dataConverter,
      });
      try {
        return await client.workflow
          .execute('rogueActivityWorkflow', {
            taskQueue,
            workflowId: taskQueue,
            args: [input],
            // A bound, so that a regression fails this test instead of hanging it.
            workflowExecutionTimeout: '90s',
          })
          .then(
            () => undefined,
            (error: unknown) => error,
          );
      } finally {
        stop();
        await running;
      }
    }

    it('bind-mounting / on every host: each agent refuses it at once and logs why; no daemon holds it', async () => {
      for (const sender of [
        ...senders(),
        { name: 'api-signed', dataConverter: payloadDataConverter(testApiSecurity(), readerPolicy) },
      ]) {
        for (const hostId of env.hostIds) {
          const request: ContainerRequest = {
            stack: 'rogue',
            deploymentId: 'rogue-1',
            service: ROOT_MOUNT.services[0]!,
            replica: 1,
            name: `rogue_${sender.name}_${hostId}`,
            networks: [],
            volumes: {},
          };
          const failure = await runRogue(sender, {
            taskQueue: hostTaskQueue(hostId),
            activity: 'createContainer',
            args: [request],
          });
          assert.ok(failure instanceof WorkflowFailedError, `${sender.name} on ${hostId}: the activity ran`);
          const activity = failure.cause as ActivityFailure;
          assert.ok(activity instanceof ActivityFailure, String(activity));
          const refusal = activity.cause as ApplicationFailure;
          assert.equal(refusal.type, UNSIGNED_WORK, refusal.message);
          assert.equal(refusal.nonRetryable, true);
          assert.match(refusal.message, new RegExp(`graphium-host-${hostId} refused createContainer`));
          const agentLog = env.agents.get(hostId)!.logs;
          assert.match(
            agentLog,
            /refused an activity: it is not work the orchestrator signed for this queue/,
          );
        }
      }
      const vm1 = env.agents.get('vm1')!.logs;
      assert.match(vm1, /an argument was refused: it is not encrypted, so it was not sent by Graphium/);
      assert.match(vm1, /an argument was refused: it is not signed \(only the orchestrator may send it\)/);
      assert.match(vm1, /its signature by key \\"orchestrator-test1\\" does not match it/);
      assert.match(vm1, /signed with key \\"api-test1\\", which is not a trusted orchestrator key/);
      assert.deepEqual(await rogueContainersEverywhere(env), [], 'no container on any daemon');
    });
  });
});
