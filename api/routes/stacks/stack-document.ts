import type { z } from '@hono/zod-openapi';
import {
  type BundleEntry,
  ComposeError,
  type ComposeIssue,
  type LoadedProject,
  loadComposeDocument,
  loadProject,
  memoryReader,
  type RolePolicy,
} from '../../../compose/index.js';
import type { StackFormat } from '../../../contracts/vocabulary.js';
import type { Database } from '../../../db/client.js';
import { readBlobs } from '../../../db/repositories/blobs.js';
import type { StackProject, StackVersionRow } from '../../../db/schema.js';
import type { Keyring } from '../../../lib/encryption.js';
import { newStackNamePattern, reservedStackName, stackNamePattern } from '../../../stack/index.js';
import type { StackSpec } from '../../../stack/types.js';
import { ApiError, badRequest } from '../../lib/errors.js';
import { isJsonMediaType, mediaTypeOf } from '../../lib/json-body.js';
import type { projectUpload, stackJsonRequest } from './stacks.routes.js';

// The ways to send a stack (docs/http-api.md): Compose YAML as the body with `?name=`; JSON
// `{name, compose}` where compose is an object or YAML text; or JSON `{name, project}`, a whole project
// (its Compose files and every file they reference) as `graphium stack create` uploads it. All of them
// are loaded by the same loader, with the stack's variables, into a spec and a bundle of files.

export const YAML_MEDIA_TYPES = ['application/yaml', 'text/yaml', 'application/x-yaml'];

type StackJsonRequest = z.infer<typeof stackJsonRequest>;
type ProjectUpload = z.infer<typeof projectUpload>;

/**
 * The largest project upload, decoded: its files travel to every host through Temporal, whose
 * histories must stay small. Build contexts larger than this belong in an image registry.
 */
export const MAX_BUNDLE_BYTES = 10 * 1024 * 1024;

export interface StackDocument {
  /** The name the client gave: the JSON `name`, else `?name=`. */
  explicitName: string | undefined;
  /** The explicit name, else the Compose top-level `name:`; undefined when neither is set. */
  name: string | undefined;
  /** Stored as sent: YAML text, or the JSON object serialised. */
  source: string;
  format: StackFormat;
  spec: StackSpec;
  /** Ignored keys, unset variables... (see compose/policy.ts). */
  warnings: ComposeIssue[];
  /** Admin-only keys the document uses; the handler refuses them to other roles. */
  adminOnly: ComposeIssue[];
  /** Every file of the stack version, to be stored content-addressed. */
  files: Map<string, BundleEntry>;
  project: StackProject;
}

/** Reads the body the Content-Type announces; the route already refused undeclared types. */
export async function readStackDocument(
  contentType: string | undefined,
  json: () => StackJsonRequest,
  text: () => Promise<string>,
  queryName: string | undefined,
  /** The stack's variables (an update): they interpolate like a shell environment. */
  variables: Record<string, string> = {},
  /** Who may use which keys here (GRAPHIUM_COMPOSE_POLICY). */
  policy?: RolePolicy,
): Promise<StackDocument> {
  const mediaType = mediaTypeOf(contentType);
  if (YAML_MEDIA_TYPES.includes(mediaType)) return fromYaml(await text(), queryName, variables, policy);
  if (!isJsonMediaType(mediaType)) {
    throw badRequest(
      'send the Compose document with Content-Type: application/yaml (and ?name=), ' +
        'or as application/json {"name": …, "compose": …}',
    );
  }
  const { name, compose, project } = json();
  const explicitName = name ?? queryName;
  if (project) return fromProject(project, explicitName, variables, policy);
  if (typeof compose === 'string') return fromYaml(compose, explicitName, variables, policy);
  if (typeof compose !== 'object' || compose === null || Array.isArray(compose)) {
    throw new ComposeError([{ path: '', message: 'a Compose document must be a mapping with "services"' }]);
  }
  const loaded = loadComposeDocument(compose as Record<string, unknown>, 'json', variables, policy);
  return document(loaded, explicitName, JSON.stringify(compose, null, 2), 'json');
}

// One document is a one-file project (compose/single-document.ts): the same loader as a whole project.
function fromYaml(
  source: string,
  explicitName: string | undefined,
  variables: Record<string, string>,
  policy: RolePolicy | undefined,
) {
  return document(loadComposeDocument(source, 'yaml', variables, policy), explicitName, source, 'yaml');
}

function fromProject(
  upload: ProjectUpload,
  explicitName: string | undefined,
  variables: Record<string, string>,
  policy: RolePolicy | undefined,
): StackDocument {
  const files: Record<string, { content: Uint8Array; mode: number }> = {};
  let total = 0;
  for (const file of upload.files) {
    if (files[file.path]) throw badRequest(`project file ${file.path} is sent twice`);
    const content = new Uint8Array(Buffer.from(file.content, 'base64'));
    total += content.length;
    files[file.path] = { content, mode: file.mode ?? 0o644 };
  }
  if (total > MAX_BUNDLE_BYTES) {
    throw new ApiError(
      413,
      'payload_too_large',
      `the project's files add up to ${total} bytes, over the ${MAX_BUNDLE_BYTES}-byte limit of a stack ` +
        'version: keep large build contexts out with .dockerignore, or build the image in CI and use image:',
    );
  }
  const missing = upload.composeFiles.filter((path) => !files[path]);
  if (missing.length > 0)
    throw badRequest(`the Compose files ${missing.join(', ')} are not among the files sent`);
  const loaded = loadProject(memoryReader(files), {
    files: upload.composeFiles,
    envFiles: upload.envFiles,
    profiles: upload.profiles,
    variables,
    ...(policy ? { policy } : {}),
  });
  const source = new TextDecoder().decode(files[upload.composeFiles[0]!]!.content);
  return document(loaded, explicitName, source, 'yaml', {
    composeFiles: upload.composeFiles,
    envFiles: upload.envFiles ?? [],
    profiles: upload.profiles ?? [],
  });
}

function document(
  loaded: LoadedProject,
  explicitName: string | undefined,
  source: string,
  format: StackFormat,
  project: StackProject = {
    composeFiles: [format === 'json' ? 'compose.json' : 'compose.yaml'],
    envFiles: [],
    profiles: [],
  },
): StackDocument {
  const { spec, warnings, adminOnly, files } = loaded;
  return {
    explicitName,
    name: explicitName ?? spec.name,
    source,
    format,
    spec,
    warnings,
    adminOnly,
    files,
    project,
  };
}

/**
 * A stored version loaded again with other variables: its project from the stored files (or its one
 * document), so a change of variables makes a new version of the same project.
 */
export async function reloadVersion(
  db: Database,
  keyring: Keyring,
  version: StackVersionRow,
  variables: Record<string, string>,
  policy?: RolePolicy,
): Promise<StackDocument> {
  const manifest = version.spec.bundle;
  if (!manifest || version.project.composeFiles.length === 0 || version.format === 'json') {
    const loaded =
      version.format === 'json'
        ? loadComposeDocument(
            JSON.parse(version.source) as Record<string, unknown>,
            'json',
            variables,
            policy,
          )
        : loadComposeDocument(version.source, 'yaml', variables, policy);
    return document(loaded, undefined, version.source, version.format);
  }
  const contents = await readBlobs(
    db,
    keyring,
    manifest.files.map((file) => file.digest),
  );
  const files = Object.fromEntries(
    manifest.files.map((file) => [
      file.path,
      { content: new Uint8Array(contents.get(file.digest)!), mode: file.mode },
    ]),
  );
  const loaded = loadProject(memoryReader(files), {
    ...version.project,
    files: version.project.composeFiles,
    variables,
    ...(policy ? { policy } : {}),
  });
  return document(loaded, undefined, version.source, version.format, version.project);
}

/**
 * The name of a new stack. It prefixes the Docker names of everything the stack creates
 * (`<stack>_<key>`), so it may not contain "_": `shop_db`'s volume `data` would be `shop`'s `db_data`.
 * Names of infrastructure projects are reserved: their networks and volumes are not a stack's.
 */
export function requireNewStackName(name: string | undefined, reserved: readonly string[] = []): string {
  if (name === undefined) {
    throw badRequest(
      'a stack name is required: pass ?name= (YAML body), "name" (JSON body), or set the Compose top-level name',
    );
  }
  if (name.includes('_') && stackNamePattern.test(name)) {
    const [stack, ...rest] = name.split('_');
    throw badRequest(
      `"${name}" cannot name a new stack: "_" separates a stack's name from the names of its networks and ` +
        `volumes, so its volume "data" would be named like stack "${stack}"'s volume "${[...rest, 'data'].join('_')}"; ` +
        `use "-" instead ("${name.replaceAll('_', '-')}")`,
    );
  }
  if (!newStackNamePattern.test(name)) {
    throw badRequest(
      `"${name}" is not a valid stack name: 1-63 lower-case letters, digits or "-", starting with a letter or digit`,
    );
  }
  const reason = reservedStackName(name, reserved);
  if (reason) throw badRequest(`the stack name "${name}" is reserved: ${reason}`);
  return name;
}

/**
 * A `?name=` that is no stack name is refused even when the body names the stack itself: a malformed
 * parameter is an error, not something to ignore.
 */
export function checkQueryName(name: string | undefined): void {
  if (name !== undefined && !stackNamePattern.test(name)) {
    throw badRequest(
      `"${name}" is not a valid stack name: 1-63 lower-case letters, digits, "-" or "_", starting with a letter or digit`,
    );
  }
}
