import { createRouter } from '../lib/create-router.js';
import { auditRouter } from './audit/audit.index.js';
import { containersRouter } from './containers/containers.index.js';
import { deploymentActionsRouter } from './deployment-actions/deployment-actions.index.js';
import { deploymentsRouter } from './deployments/deployments.index.js';
import { driftRouter } from './drift/drift.index.js';
import { healthRouter } from './health/health.index.js';
import { hostsRouter } from './hosts/hosts.index.js';
import { meRouter } from './me/me.index.js';
import { operationsRouter } from './operations/operations.index.js';
import { registriesRouter } from './registries/registries.index.js';
import { stackVariablesRouter } from './stack-variables/stack-variables.index.js';
import { stacksRouter } from './stacks/stacks.index.js';
import { temporalCodecRouter } from './temporal-codec/temporal-codec.index.js';
import { tokensRouter } from './tokens/tokens.index.js';

// Every resource router, mounted under /api/v1 by createApp. A new resource is one folder and one
// line here. One chain, not a list, so the type of every route reaches `ApiRoutes` (and from there
// the CLI's typed client).
export const apiRoutes = createRouter()
  .route('/', healthRouter)
  .route('/', meRouter)
  .route('/', tokensRouter)
  .route('/', hostsRouter)
  .route('/', stacksRouter)
  .route('/', stackVariablesRouter)
  .route('/', driftRouter)
  .route('/', operationsRouter)
  .route('/', deploymentsRouter)
  .route('/', deploymentActionsRouter)
  .route('/', registriesRouter)
  .route('/', containersRouter)
  .route('/', auditRouter)
  .route('/', temporalCodecRouter);
