// The Compose loader's surface for the API, the CLI and tests. Workflows never import it.
export { ComposeError, type ComposeIssue } from './compose-errors.js';
export { formatPath } from './compose-issues.js';
export { jsonSyntaxMessage } from './json-syntax.js';
export { normalizeCompose, parseComposeText, parseStackDefinition } from './parse.js';
