import type { Payload, PayloadCodec, SerializationContext } from '@temporalio/common';
import proto from '@temporalio/proto';
import { REFUSED_PAYLOAD_KEY } from '../contracts/signed-work.js';
import type { Keyring } from './encryption.js';
import type { Logger } from './log.js';
import { type SigningKey, signBytes, type VerifyingKey, verifyBytes } from './signing-keys.js';

// The Temporal PayloadCodec of every Graphium process: each payload is encrypted (AES-256-GCM, the key
// id in its metadata) so a Temporal history holds no environment value or secret in plaintext, and
// signed (Ed25519) by the API or the orchestrator, so a worker can tell their work from anyone else's.
// The signature covers the sealed bytes and what the payload belongs to (the workflow, and the activity
// step), so a signed payload cannot be moved to another workflow or step. Who must have signed what is
// each process's decode policy below. See docs/security.md, "Signed and encrypted work".

const { Payload: PayloadMessage } = proto.temporal.api.common.v1;

export const SEALED_ENCODING = 'binary/graphium-sealed';
/** Metadata of a sealed payload: the AES key id, and the signing key id and signature when signed. */
export const META_KEY_ID = 'graphium-key';
export const META_SIGNER = 'graphium-signer';
export const META_SIGNATURE = 'graphium-signature';
/** Binds sealed payloads to their use: the same keys may never open a value sealed for another purpose. */
const AAD = 'graphium temporal payload v1';

export type SignerRole = 'api' | 'orchestrator';

export interface DecodePolicy {
  /** Who must have signed a payload, by what it belongs to; undefined: anybody (decrypting is enough). */
  requiredSigners(context: SerializationContext | undefined): readonly SignerRole[] | undefined;
  /** An unencrypted payload: refused, or passed on (histories recorded before payloads were sealed). */
  plaintext: 'accept' | 'refuse';
}

/** The API (and its codec endpoint): it only reads what comes back, it runs nothing. */
export const readerPolicy: DecodePolicy = { requiredSigners: () => undefined, plaintext: 'accept' };

/**
 * The orchestrator's workflows: every input, signal, update and query (workflow context) must come
 * from the API or the orchestrator itself (the operations it starts on its own: scheduled reconciles
 * and their repair deploys); results of activities (activity context) come from agents, which hold no
 * signing key, and need only be sealed.
 */
export const workflowPolicy: DecodePolicy = {
  requiredSigners: (context) => (context?.type === 'activity' ? undefined : ['api', 'orchestrator']),
  plaintext: 'refuse',
};

/** Activity workers (agents, the orchestrator's control activities): only the orchestrator schedules work. */
export const activityPolicy: DecodePolicy = { requiredSigners: () => ['orchestrator'], plaintext: 'refuse' };

export interface TrustedKey extends VerifyingKey {
  role: SignerRole;
}

export interface CodecOptions {
  /** Seals with its first key, opens with any (GRAPHIUM_PAYLOAD_KEYS). */
  keyring: Keyring;
  /** The key this process signs everything it sends with; agents have none. */
  signer?: SigningKey | undefined;
  /** The public keys whose signatures count, with whose they are. */
  trusted?: readonly TrustedKey[];
  policy: DecodePolicy;
  log?: Logger | undefined;
}

const text = (value: string) => new TextEncoder().encode(value);
const readText = (value: Uint8Array | null | undefined) =>
  value ? new TextDecoder().decode(value) : undefined;

/** What a signature covers besides the sealed bytes: the signing key and what the payload belongs to. */
function signedMessage(signerId: string, context: SerializationContext | undefined, sealed: Uint8Array) {
  const scope =
    context === undefined
      ? ['none']
      : context.type === 'workflow'
        ? ['workflow', context.namespace, context.workflowId]
        : ['activity', context.namespace, context.workflowId ?? '', context.activityId ?? ''];
  return Buffer.concat([
    Buffer.from(`${JSON.stringify(['graphium-payload-v1', signerId, ...scope])}\n`),
    sealed,
  ]);
}

function describe(context: SerializationContext | undefined): Record<string, string | undefined> {
  if (!context) return {};
  return context.type === 'workflow'
    ? { workflowId: context.workflowId }
    : { workflowId: context.workflowId, activityId: context.activityId };
}

/** A payload refused on decode, as the value workflows and agents recognise (contracts/signed-work.ts). */
export function refusedPayload(reason: string): Payload {
  return {
    metadata: { encoding: text('json/plain') },
    data: text(JSON.stringify({ [REFUSED_PAYLOAD_KEY]: reason })),
  };
}

export class GraphiumPayloadCodec implements PayloadCodec {
  private readonly trusted: Map<string, TrustedKey>;

  constructor(private readonly options: CodecOptions) {
    this.trusted = new Map((options.trusted ?? []).map((key) => [key.id, key]));
  }

  async encode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    const { keyring, signer } = this.options;
    return payloads.map((payload) => {
      const sealed = keyring.seal(PayloadMessage.encode(payload).finish(), AAD);
      const metadata: Record<string, Uint8Array> = {
        encoding: text(SEALED_ENCODING),
        [META_KEY_ID]: text(keyring.activeKeyId),
      };
      if (signer) {
        metadata[META_SIGNER] = text(signer.id);
        metadata[META_SIGNATURE] = signBytes(signer, signedMessage(signer.id, context, sealed));
      }
      return { metadata, data: sealed };
    });
  }

  async decode(payloads: Payload[], context?: SerializationContext): Promise<Payload[]> {
    return payloads.map((payload) => {
      const result = this.open(payload, context);
      if (typeof result !== 'string') return result;
      // Debug only: what carries it logs the refusal (workflows and agents), and an agent's own heartbeat
      // details from an earlier attempt, unsigned by design, come back this way on every retry.
      this.options.log?.debug({ ...describe(context), reason: result }, 'refused a Temporal payload');
      return refusedPayload(result);
    });
  }

  /** The payload as it was before encode, or why it is refused. */
  private open(payload: Payload, context: SerializationContext | undefined): Payload | string {
    const { keyring, policy } = this.options;
    const metadata = payload.metadata ?? {};
    if (readText(metadata.encoding) !== SEALED_ENCODING) {
      return policy.plaintext === 'accept' ? payload : 'it is not encrypted, so it was not sent by Graphium';
    }
    const sealed = payload.data ?? new Uint8Array();
    const required = policy.requiredSigners(context);
    if (required) {
      const signerId = readText(metadata[META_SIGNER]);
      const signature = metadata[META_SIGNATURE];
      if (!signerId || !signature) return `it is not signed (only the ${required.join(' or ')} may send it)`;
      const key = this.trusted.get(signerId);
      if (!key || !required.includes(key.role)) {
        return `it is signed with key "${signerId}", which is not a trusted ${required.join(' or ')} key`;
      }
      if (!verifyBytes(key.publicKey, signedMessage(signerId, context, sealed), signature)) {
        return `its signature by key "${signerId}" does not match it (altered, or moved from another workflow or step)`;
      }
    }
    try {
      return PayloadMessage.decode(keyring.open(sealed, AAD));
    } catch (error) {
      return `it cannot be decrypted with key "${readText(metadata[META_KEY_ID])}": ${(error as Error).message}`;
    }
  }
}
