#!/usr/bin/env node
// The `graphium` bin: plain JavaScript so Node can start it anywhere, then tsx runs the TypeScript
// sources directly (no build step), whatever the working directory.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('./main.ts');
const code = await runCli(process.argv.slice(2), {
  out: process.stdout,
  err: process.stderr,
  stdin: process.stdin,
});
// Exit now rather than waiting for idle keep-alive sockets; stdout and stderr writes to files,
// pipes and terminals are synchronous on Linux, so nothing printed is lost.
process.exit(code);
