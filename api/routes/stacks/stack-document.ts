import type { z } from '@hono/zod-openapi';
import { ComposeError, type ComposeIssue, loadComposeDocument } from '../../../compose/index.js';
import type { StackFormat } from '../../../contracts/vocabulary.js';
import { stackNamePattern } from '../../../stack/index.js';
import type { StackSpec } from '../../../stack/types.js';
import { badRequest } from '../../lib/errors.js';
import { isJsonMediaType, mediaTypeOf } from '../../lib/json-body.js';
import type { stackJsonRequest } from './stacks.routes.js';

// The two ways to send a stack (docs/architecture.md): Compose YAML as the body with `?name=`, or JSON
// `{name, compose}` where compose is an object or YAML text. Both end as one stored document.

export const YAML_MEDIA_TYPES = ['application/yaml', 'text/yaml', 'application/x-yaml'];

type StackJsonRequest = z.infer<typeof stackJsonRequest>;

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
}

/** Reads the body the Content-Type announces; the route already refused undeclared types. */
export async function readStackDocument(
  contentType: string | undefined,
  json: () => StackJsonRequest,
  text: () => Promise<string>,
  queryName: string | undefined,
): Promise<StackDocument> {
  const mediaType = mediaTypeOf(contentType);
  if (YAML_MEDIA_TYPES.includes(mediaType)) return fromYaml(await text(), queryName);
  if (!isJsonMediaType(mediaType)) {
    throw badRequest(
      'send the Compose document with Content-Type: application/yaml (and ?name=), ' +
        'or as application/json {"name": …, "compose": …}',
    );
  }
  const { name, compose } = json();
  const explicitName = name ?? queryName;
  if (typeof compose === 'string') return fromYaml(compose, explicitName);
  if (typeof compose !== 'object' || compose === null || Array.isArray(compose)) {
    throw new ComposeError([{ path: '', message: 'a Compose document must be a mapping with "services"' }]);
  }
  const { spec, warnings, adminOnly } = loadComposeDocument(compose as Record<string, unknown>, 'json');
  const source = JSON.stringify(compose, null, 2);
  return { explicitName, name: explicitName ?? spec.name, source, format: 'json', spec, warnings, adminOnly };
}

// One document is a one-file project (compose/single-document.ts): the same loader as a whole project.
function fromYaml(source: string, explicitName: string | undefined): StackDocument {
  const { spec, warnings, adminOnly } = loadComposeDocument(source, 'yaml');
  return { explicitName, name: explicitName ?? spec.name, source, format: 'yaml', spec, warnings, adminOnly };
}

/** A stack name becomes part of Docker container names, hence the strict rule. */
export function requireStackName(name: string | undefined): string {
  if (name === undefined) {
    throw badRequest(
      'a stack name is required: pass ?name= (YAML body), "name" (JSON body), or set the Compose top-level name',
    );
  }
  if (!stackNamePattern.test(name)) {
    throw badRequest(
      `"${name}" is not a valid stack name: 1-63 lower-case letters, digits, "_" or "-", starting with a letter or digit`,
    );
  }
  return name;
}
