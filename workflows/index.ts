// Every workflow type the orchestrator runs. Adding a type is one export line here (and one entry in
// operations.ts for the API to start it). Workflow code only: the process that runs these is
// orchestrator/.

// Frozen: the workflows these types ran before the kit. Runs started then finish with them, and
// their recorded histories replay (replay.test.ts); nothing starts them any more.
export { deleteStackWorkflow } from './delete-stack.js';
export { deployStackWorkflow } from './deploy-stack.js';
export { hostDeployWorkflow } from './host-deploy.js';
export { blueGreenWorkflow } from './operations/blue-green.js';
export { deleteWorkflow } from './operations/delete.js';
export { deployWorkflow } from './operations/deploy.js';
export { startWorkflow, stopWorkflow } from './operations/stop-start.js';
export { probeHostsWorkflow } from './probe-hosts.js';
export { startStackWorkflow, stopStackWorkflow } from './stop-start-stack.js';
