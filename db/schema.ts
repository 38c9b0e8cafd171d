import { type SQL, sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigserial,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  activeDeploymentStatuses,
  type DeploymentStatus,
  type DriftKind,
  deploymentStatuses,
  type Operation,
  type ReconcileMode,
  reconcileModes,
  type StackFormat,
  stackFormats,
  type TokenRole,
  tokenRoles,
} from '../contracts/vocabulary.js';
import type { StackSpec } from '../stack/types.js';
import type { ContainerProgress } from '../workflows/progress-types.js';

/** `column in ('a', 'b')`: the enum arrays stay the single source of allowed values. */
const oneOf = (column: AnyPgColumn, values: readonly string[]): SQL =>
  sql`${column} in (${sql.raw(values.map((value) => `'${value}'`).join(', '))})`;

/** PostgreSQL bytea as a Buffer, from postgres.js (Buffer) and PGlite (Uint8Array) alike. */
const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => Buffer.from(value),
});

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true }).notNull().defaultNow();

export const hosts = pgTable('hosts', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  labels: jsonb('labels').$type<Record<string, string>>().notNull().default({}),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const stacks = pgTable(
  'stacks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    currentVersion: integer('current_version').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    /** Set through the API: overrides the Compose file's `x-graphium.reconcile`; null follows the file. */
    reconcileMode: text('reconcile_mode').$type<ReconcileMode>(),
  },
  // A deleted stack keeps its history; its name becomes free again.
  (t) => [
    uniqueIndex('stacks_live_name_key').on(t.name).where(sql`${t.deletedAt} is null`),
    check('stacks_reconcile_mode_check', oneOf(t.reconcileMode, reconcileModes)),
  ],
);

export const stackVersions = pgTable(
  'stack_versions',
  {
    stackId: uuid('stack_id')
      .notNull()
      .references(() => stacks.id),
    version: integer('version').notNull(),
    /** The Compose document exactly as the client sent it. */
    source: text('source').notNull(),
    format: text('format').$type<StackFormat>().notNull(),
    /** The validated, normalized form every operation works from. */
    spec: jsonb('spec').$type<StackSpec>().notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    /** How the project was loaded: its Compose files in -f order, env files and profiles. */
    project: jsonb('project')
      .$type<StackProject>()
      .notNull()
      .default({ composeFiles: [], envFiles: [], profiles: [] }),
    /** What the loader warned about (ignored keys, unset variables): shown with the version. */
    warnings: jsonb('warnings').$type<StackWarning[]>().notNull().default([]),
  },
  (t) => [
    primaryKey({ columns: [t.stackId, t.version] }),
    check('stack_versions_format_check', oneOf(t.format, stackFormats)),
  ],
);

export const deployments = pgTable(
  'deployments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    stackId: uuid('stack_id')
      .notNull()
      .references(() => stacks.id),
    /** Per-stack sequence number; part of the workflow ID (`deploy-shop-3`). */
    sequence: integer('sequence').notNull(),
    operation: text('operation').$type<Operation>().notNull(),
    version: integer('version'),
    status: text('status').$type<DeploymentStatus>().notNull().default('pending'),
    progress: integer('progress').notNull().default(0),
    error: text('error'),
    hostIds: jsonb('host_ids').$type<string[]>().notNull().default([]),
    /** Last known per-container state; the workflow's progress query is fresher while it runs. */
    containers: jsonb('containers').$type<ContainerProgress[]>().notNull().default([]),
    workflowId: text('workflow_id').notNull(),
    runId: text('run_id'),
    requestedBy: text('requested_by').notNull(),
    idempotencyKey: text('idempotency_key'),
    /** SHA-256 of what the keyed request asked (version, options): a reused key with another body is refused. */
    requestHash: text('request_hash'),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('deployments_workflow_id_key').on(t.workflowId),
    uniqueIndex('deployments_stack_sequence_key').on(t.stackId, t.sequence),
    // One operation at a time per stack, enforced by the database itself.
    uniqueIndex('deployments_one_active_per_stack')
      .on(t.stackId)
      .where(oneOf(t.status, activeDeploymentStatuses)),
    uniqueIndex('deployments_idempotency_key')
      .on(t.requestedBy, t.idempotencyKey)
      .where(sql`${t.idempotencyKey} is not null`),
    index('deployments_stack_created_idx').on(t.stackId, t.createdAt),
    check('deployments_status_check', oneOf(t.status, deploymentStatuses)),
    check('deployments_progress_check', sql`${t.progress} between 0 and 100`),
  ],
);

/**
 * The files of stack bundles, content-addressed by the SHA-256 of their plain content, so a file
 * shared by many versions is stored once. Secret files are sealed (lib/encryption.ts): `key_id`
 * names the key, and the content is the sealed box.
 */
export const blobs = pgTable('blobs', {
  digest: text('digest').primaryKey(),
  size: integer('size').notNull(),
  content: bytea('content').notNull(),
  keyId: text('key_id'),
  createdAt: createdAt(),
});

/** Stack variables: they interpolate the stack's Compose files like a shell environment. Sealed. */
export const stackVariables = pgTable(
  'stack_variables',
  {
    stackId: uuid('stack_id')
      .notNull()
      .references(() => stacks.id),
    name: text('name').notNull(),
    value: bytea('value').notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.stackId, t.name] })],
);

/** Credentials agents pull with, by registry host. The password is sealed and never returned. */
export const registries = pgTable('registries', {
  host: text('host').primaryKey(),
  username: text('username').notNull(),
  password: bytea('password').notNull(),
  createdBy: text('created_by').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Which container of which stack runs on which host, as last verified against Docker. */
export const placements = pgTable(
  'placements',
  {
    stackId: uuid('stack_id')
      .notNull()
      .references(() => stacks.id),
    hostId: text('host_id').notNull(),
    name: text('name').notNull(),
    service: text('service').notNull(),
    replica: integer('replica').notNull(),
    containerId: text('container_id').notNull(),
    image: text('image').notNull(),
    state: text('state').notNull(),
    deploymentId: text('deployment_id'),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.stackId, t.hostId, t.name] }), index('placements_host_idx').on(t.hostId)],
);

/** One drift item: a container of the stack that is not as its deployed version says. */
export interface DriftItem {
  hostId: string;
  container: string;
  kind: DriftKind;
  /** What differs, in a few words (`environment differs`, `exited (137)`, `replica placed on vm2`). */
  detail?: string;
}

/** The latest reconcile of each stack: what it found, and the repair it started, if any. */
export const stackDrift = pgTable('stack_drift', {
  stackId: uuid('stack_id')
    .primaryKey()
    .references(() => stacks.id),
  checkedAt: timestamp('checked_at', { withTimezone: true }).notNull(),
  /** The reconcile operation that checked. */
  deploymentId: uuid('deployment_id').references(() => deployments.id),
  mode: text('mode').$type<ReconcileMode>().notNull(),
  /** The version the containers were compared with: the one the last successful deploy put in place. */
  version: integer('version'),
  items: jsonb('items').$type<DriftItem[]>().notNull().default([]),
  /** The deploy a repair started, or why it could not start. */
  repairDeploymentId: uuid('repair_deployment_id').references(() => deployments.id),
  repairError: text('repair_error'),
});

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    role: text('role').$type<TokenRole>().notNull(),
    /** SHA-256 of the secret; the secret itself is shown once and never stored. */
    tokenHash: text('token_hash').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('api_tokens_hash_key').on(t.tokenHash),
    check('api_tokens_role_check', oneOf(t.role, tokenRoles)),
  ],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    target: text('target'),
    status: integer('status').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_log_at_idx').on(t.at)],
);

/** A loader warning: the key path and what Graphium does about it. */
export interface StackWarning {
  path: string;
  message: string;
}

export interface StackProject {
  composeFiles: string[];
  envFiles: string[];
  profiles: string[];
}

export type HostRow = typeof hosts.$inferSelect;
export type BlobRow = typeof blobs.$inferSelect;
export type RegistryRow = typeof registries.$inferSelect;
export type StackRow = typeof stacks.$inferSelect;
export type StackVersionRow = typeof stackVersions.$inferSelect;
export type DeploymentRow = typeof deployments.$inferSelect;
export type PlacementRow = typeof placements.$inferSelect;
export type StackDriftRow = typeof stackDrift.$inferSelect;
export type ApiTokenRow = typeof apiTokens.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
