import type { AppRouter } from '../lib/types.js';
import { auditRouter } from './audit/audit.index.js';
import { deploymentsRouter } from './deployments/deployments.index.js';
import { healthRouter } from './health/health.index.js';
import { hostsRouter } from './hosts/hosts.index.js';
import { operationsRouter } from './operations/operations.index.js';
import { stacksRouter } from './stacks/stacks.index.js';
import { tokensRouter } from './tokens/tokens.index.js';

// Every resource router, mounted under /api/v1 by createApp. A new resource is one folder and one
// entry here.
export const routers: AppRouter[] = [
  healthRouter,
  tokensRouter,
  hostsRouter,
  stacksRouter,
  operationsRouter,
  deploymentsRouter,
  auditRouter,
];
