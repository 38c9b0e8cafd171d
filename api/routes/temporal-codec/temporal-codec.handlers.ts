import type { Payload } from '@temporalio/common';
import type { AppRouteHandler } from '../../lib/types.js';
import type * as routes from './temporal-codec.routes.js';

interface JsonPayload {
  metadata?: Record<string, string> | undefined;
  data?: string | undefined;
}

const fromJson = (payload: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
  ),
  data: Buffer.from(payload.data ?? '', 'base64'),
});

const toJson = (payload: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value).toString('base64'),
    ]),
  ),
  data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
});

async function decodePayloads(
  codec: { decode(p: Payload[]): Promise<Payload[]> },
  body: { payloads: JsonPayload[] },
) {
  return { payloads: (await codec.decode(body.payloads.map(fromJson))).map(toJson) };
}

export const decode: AppRouteHandler<typeof routes.decode> = async (c) =>
  c.json(await decodePayloads(c.var.deps.payloadCodec, c.req.valid('json')), 200);

export const decodeWithPathToken: AppRouteHandler<typeof routes.decodeWithPathToken> = async (c) =>
  c.json(await decodePayloads(c.var.deps.payloadCodec, c.req.valid('json')), 200);
