// Every workflow type the orchestrator runs. Adding a type is one export line here (and one
// entry in registry.ts if the API should start it). Workflow code only: the process that runs
// these is orchestrator/.
export { deleteStackWorkflow } from './delete-stack.js';
export { deployStackWorkflow } from './deploy-stack.js';
export { hostDeployWorkflow } from './host-deploy.js';
export { probeHostsWorkflow } from './probe-hosts.js';
export { reconcileStacksWorkflow, reconcileStackWorkflow } from './reconcile-stack.js';
export { startStackWorkflow, stopStackWorkflow } from './stop-start-stack.js';
