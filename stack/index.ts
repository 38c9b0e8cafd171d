// The surface of stack/ that the API and tests import; pure, so workflows may import stack/ too.
export { ComposeError, PlacementError } from './compose-errors.js';
export { formatPath } from './compose-issues.js';
export { jsonSyntaxMessage } from './json-syntax.js';
export { stackNamePattern } from './names.js';
export { normalizeCompose, parseComposeText, parseStackDefinition } from './parse.js';
export { placeContainers } from './placement.js';
