import type { Context } from 'hono';
import type { Role } from '../../../contracts/vocabulary.js';
import type { Database } from '../../../db/client.js';
import { readStackVariables, replaceStackVariables } from '../../../db/repositories/stack-variables.js';
import {
  addStackVersion,
  createStack,
  findLiveStack,
  getStackVersion,
  listLiveStacks,
  listStackVersions,
  type StackWithVersion,
  type VersionSummary,
} from '../../../db/repositories/stacks.js';
import type { StackRow, StackVersionRow } from '../../../db/schema.js';
import type { StackSpec } from '../../../stack/types.js';
import { currentPrincipal } from '../../lib/auth.js';
import { badRequest, conflict, notFound } from '../../lib/errors.js';
import { isJsonMediaType, mediaTypeOf } from '../../lib/json-body.js';
import { iso } from '../../lib/schemas.js';
import type { AppEnv, AppRouteHandler } from '../../lib/types.js';
import { requireAdminForHostAccess, storedVersion } from '../../services/stack-versions.js';
import { checkQueryName, readStackDocument, requireNewStackName } from './stack-document.js';
import type * as routes from './stacks.routes.js';

export const REDACTED = '***';

const maskValues = (record: Record<string, string>) =>
  Object.fromEntries(Object.keys(record).map((key) => [key, REDACTED]));
const maskWords = (words: string[] | undefined) => words?.map(() => REDACTED);

/**
 * What a role may read of a stack document. Compose files keep passwords in environment values, but
 * also in build args, command lines (`--password=…`, a healthcheck's `curl -u`) and logging driver
 * options (a log shipper's key), and volume and network driver options (a share's password), so a viewer gets those keys and word counts with every value masked,
 * and not the source text at all (it holds the same values). Deployers and admins, who may change the
 * document, read it whole.
 */
function documentFor(role: Role, version: StackVersionRow): { source?: string; spec: StackSpec } {
  if (role !== 'viewer') return { source: version.source, spec: version.spec };
  return {
    spec: {
      ...version.spec,
      services: version.spec.services.map((service) => ({
        ...service,
        environment: maskValues(service.environment),
        ...(service.command && { command: maskWords(service.command) }),
        ...(service.entrypoint && { entrypoint: maskWords(service.entrypoint) }),
        ...(service.healthcheck && {
          // The CMD/CMD-SHELL/NONE form word stays: it says what kind of check it is.
          healthcheck: {
            ...service.healthcheck,
            test: service.healthcheck.test.map((word, i) => (i === 0 ? word : REDACTED)),
          },
        }),
        ...(service.build && { build: { ...service.build, args: maskValues(service.build.args) } }),
        ...(service.logging?.options && {
          logging: { ...service.logging, options: maskValues(service.logging.options) },
        }),
      })),
      // An admin's CIFS or NFS volume carries its share's password in its options.
      volumes: version.spec.volumes.map((volume) =>
        volume.driverOpts ? { ...volume, driverOpts: maskValues(volume.driverOpts) } : volume,
      ),
      networks: version.spec.networks.map((network) =>
        network.driverOpts ? { ...network, driverOpts: maskValues(network.driverOpts) } : network,
      ),
    },
  };
}

function toSummary({ stack, version }: StackWithVersion) {
  return {
    id: stack.id,
    name: stack.name,
    version: stack.currentVersion,
    createdAt: iso(stack.createdAt),
    updatedAt: iso(stack.updatedAt),
    services: version.spec.services.map((service) => service.name),
  };
}

function toDetail(current: StackWithVersion, versions: VersionSummary[], role: Role) {
  const { version } = current;
  return {
    ...toSummary(current),
    format: version.format,
    ...documentFor(role, version),
    warnings: version.warnings,
    createdBy: version.createdBy,
    versions: versions.map((v) => ({
      version: v.version,
      createdAt: iso(v.createdAt),
      createdBy: v.createdBy,
    })),
  };
}

async function requireLiveStack(db: Database, idOrName: string): Promise<StackRow> {
  const stack = await findLiveStack(db, idOrName);
  if (!stack) throw notFound(`no stack "${idOrName}"`);
  return stack;
}

async function currentVersion(db: Database, stack: StackRow): Promise<StackVersionRow> {
  const version = await getStackVersion(db, stack.id, stack.currentVersion);
  // The schema writes both rows in one transaction, so a missing current version is a bug.
  if (!version) throw new Error(`stack ${stack.id} has no version ${stack.currentVersion}`);
  return version;
}

/** JSON bodies may carry stack variables; YAML bodies carry none. */
const isJsonBody = (c: Context<AppEnv>) => isJsonMediaType(mediaTypeOf(c.req.header('content-type')));

export const create: AppRouteHandler<typeof routes.create> = async (c) => {
  const variables = isJsonBody(c) ? c.req.valid('json').variables : undefined;
  checkQueryName(c.req.valid('query').name);
  const document = await readStackDocument(
    c.req.header('content-type'),
    () => c.req.valid('json'),
    () => c.req.text(),
    c.req.valid('query').name,
    variables,
    c.var.deps.composePolicy,
  );
  const { role, name: createdBy } = currentPrincipal(c);
  const name = requireNewStackName(document.name, c.var.deps.reservedStackNames);
  requireAdminForHostAccess(role, document, name, c.var.deps.composePolicy);
  const { db } = c.var.deps;
  const created = await createStack(db, name, await storedVersion(c.var.deps, document, createdBy));
  if (!created) throw conflict(`a stack named "${name}" already exists`);
  if (variables) await replaceStackVariables(db, c.var.deps.keyring, created.stack.id, variables);
  c.set('auditTarget', created.stack.id);
  c.set('auditDetails', { name, version: 1 });
  return c.json(toDetail(created, await listStackVersions(db, created.stack.id), role), 201);
};

export const list: AppRouteHandler<typeof routes.list> = async (c) => {
  const stacks = await listLiveStacks(c.var.deps.db);
  return c.json({ items: stacks.map(toSummary) }, 200);
};

export const get: AppRouteHandler<typeof routes.get> = async (c) => {
  const { db } = c.var.deps;
  const stack = await requireLiveStack(db, c.req.valid('param').id);
  const version = await currentVersion(db, stack);
  const { role } = currentPrincipal(c);
  return c.json(toDetail({ stack, version }, await listStackVersions(db, stack.id), role), 200);
};

export const getVersion: AppRouteHandler<typeof routes.getVersion> = async (c) => {
  const { id, version: number } = c.req.valid('param');
  const { db } = c.var.deps;
  const stack = await requireLiveStack(db, id);
  const version = await getStackVersion(db, stack.id, number);
  if (!version) throw notFound(`stack "${stack.name}" has no version ${number}`);
  return c.json(
    {
      stackId: stack.id,
      version: version.version,
      format: version.format,
      ...documentFor(currentPrincipal(c).role, version),
      warnings: version.warnings,
      createdAt: iso(version.createdAt),
      createdBy: version.createdBy,
    },
    200,
  );
};

export const update: AppRouteHandler<typeof routes.update> = async (c) => {
  const { db } = c.var.deps;
  const stack = await requireLiveStack(db, c.req.valid('param').id);
  c.set('auditTarget', stack.id);
  const variables = isJsonBody(c) ? c.req.valid('json').variables : undefined;
  checkQueryName(c.req.valid('query').name);
  const document = await readStackDocument(
    c.req.header('content-type'),
    () => c.req.valid('json'),
    () => c.req.text(),
    c.req.valid('query').name,
    variables ?? (await readStackVariables(db, c.var.deps.keyring, stack.id)),
    c.var.deps.composePolicy,
  );
  const { role, name: createdBy } = currentPrincipal(c);
  requireAdminForHostAccess(role, document, stack.name, c.var.deps.composePolicy);
  // Only an explicit name can conflict: a Compose `name:` is a default for new stacks, not a rename.
  const { explicitName } = document;
  if (explicitName !== undefined && explicitName !== stack.name) {
    throw badRequest(`renaming a stack is not supported ("${stack.name}" → "${explicitName}")`);
  }
  const saved = await addStackVersion(db, stack.id, await storedVersion(c.var.deps, document, createdBy));
  if (!saved) throw notFound(`no stack "${stack.name}"`);
  if (variables) await replaceStackVariables(db, c.var.deps.keyring, stack.id, variables);
  c.set('auditDetails', { name: stack.name, version: saved.stack.currentVersion, created: saved.created });
  return c.json(toDetail(saved, await listStackVersions(db, stack.id), role), 200);
};
