// The public surface of stack/: pure, so workflows, the API and the CLI can all import it.
export {
  ComposeError,
  type ComposeIssue,
  PlacementError,
  type PlacementErrorReason,
} from './compose-errors.js';
export { formatPath } from './compose-issues.js';
export { parseDuration } from './duration.js';
export { jsonSyntaxMessage } from './json-syntax.js';
export {
  composeNamePattern,
  containerName,
  LABEL_CONFIG_HASH,
  LABEL_DEPLOYMENT,
  LABEL_HOST,
  LABEL_REPLICA,
  LABEL_SERVICE,
  LABEL_STACK,
  networkName,
  RESERVED_LABEL_PREFIX,
  stackNamePattern,
  volumeName,
} from './names.js';
export { normalizeCompose, parseComposeText, parseStackDefinition } from './parse.js';
export { placeContainers, satisfies } from './placement.js';
export type * from './types.js';
export { dependencyWaves } from './waves.js';
