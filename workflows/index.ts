// Every workflow type, registered by one line here: its workflow function (the orchestrator runs
// the functions exported from this file, by name) and its OperationType (workflows/operations.ts
// offers every one exported from this file). Workflow code only: the process that runs these is
// orchestrator/.
//
// deleteStackWorkflow, deployStackWorkflow, hostDeployWorkflow, startStackWorkflow and
// stopStackWorkflow are frozen: the workflows of before the kit. Runs started then finish with them,
// and their recorded histories replay (replay.test.ts); nothing starts them any more.
export { deleteStackWorkflow } from './delete-stack.js';
export { deployStackWorkflow } from './deploy-stack.js';
export { hostDeployWorkflow } from './host-deploy.js';
export { blueGreen, blueGreenWorkflow } from './operations/blue-green.js';
export { canary, canaryWorkflow } from './operations/canary.js';
export { deleteWorkflow, remove } from './operations/delete.js';
export { deploy, deployWorkflow } from './operations/deploy.js';
export { start, startWorkflow, stop, stopWorkflow } from './operations/stop-start.js';
export { probeHostsWorkflow } from './probe-hosts.js';
export { reconcile, reconcileStacksWorkflow, reconcileStackWorkflow } from './reconcile-stack.js';
export { startStackWorkflow, stopStackWorkflow } from './stop-start-stack.js';
