import { readFileSync } from 'node:fs';
import { Client, Connection, type TLSConfig } from '@temporalio/client';
import type { DataConverter, SearchAttributeType } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { NativeConnection } from '@temporalio/worker';
import { graphiumSearchAttributes } from '../contracts/search-attributes.js';
import { type TemporalEnv, temporalTlsEnabled } from './env.js';

// Client-side only: the API imports this, and must not load the worker SDK (webpack, the native
// bridge). What needs @temporalio/worker lives in ./temporal-worker.ts.

type ConnectionLike = Pick<Connection, 'operatorService'> | Pick<NativeConnection, 'operatorService'>;

// @temporalio/proto is CommonJS without static named exports.
const { IndexedValueType } = proto.temporal.api.enums.v1;

const indexedValueType: Record<SearchAttributeType, proto.temporal.api.enums.v1.IndexedValueType> = {
  TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

/** TLS with the system's CAs when no CA file is given (a publicly trusted server), mutual with a cert pair. */
export function connectionOptions(env: TemporalEnv): { address: string; tls?: TLSConfig } {
  return {
    address: env.TEMPORAL_ADDRESS,
    tls: temporalTlsEnabled(env)
      ? {
          serverNameOverride: env.TEMPORAL_TLS_SERVER_NAME,
          serverRootCACertificate: env.TEMPORAL_TLS_CA ? readFileSync(env.TEMPORAL_TLS_CA) : undefined,
          clientCertPair:
            env.TEMPORAL_TLS_CERT && env.TEMPORAL_TLS_KEY
              ? { crt: readFileSync(env.TEMPORAL_TLS_CERT), key: readFileSync(env.TEMPORAL_TLS_KEY) }
              : undefined,
        }
      : undefined,
  };
}

/** A client whose payloads go through Graphium's codec (lib/payload-security.ts `payloadDataConverter`). */
export async function connectClient(env: TemporalEnv, dataConverter: DataConverter): Promise<Client> {
  const connection = await withConnectContext(env, () => Connection.connect(connectionOptions(env)));
  return new Client({ connection, namespace: env.TEMPORAL_NAMESPACE, dataConverter });
}

/**
 * A failed connection says where it tried and how: behind a TLS-terminating proxy a refused client
 * certificate surfaces as an HTTP status in a gRPC error, which names neither.
 */
export async function withConnectContext<T>(env: TemporalEnv, connect: () => Promise<T>): Promise<T> {
  try {
    return await connect();
  } catch (error) {
    const tls = temporalTlsEnabled(env)
      ? `TLS${env.TEMPORAL_TLS_CERT ? ` with client certificate ${env.TEMPORAL_TLS_CERT}` : ' without a client certificate'}`
      : 'plain gRPC';
    throw new Error(
      `cannot connect to Temporal at ${env.TEMPORAL_ADDRESS} (${tls}): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Adds Graphium's search attributes to the namespace when missing; idempotent, safe from several processes. */
export async function ensureSearchAttributes(
  connection: ConnectionLike,
  namespace: string,
): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = graphiumSearchAttributes.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, indexedValueType[key.type]])),
    });
  } catch (error) {
    // Another process registered them between our list and add.
    if (!/already exists/i.test(String((error as Error).message))) throw error;
  }
  return missing.map((key) => key.name);
}
