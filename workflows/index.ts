// Every workflow type the orchestrator runs. Adding a type is one export line here.
export { probeHostsWorkflow } from './probe-hosts.js';
