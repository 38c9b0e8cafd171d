import { OpenAPIHono } from '@hono/zod-openapi';
import { defaultHook } from './error-handlers.js';
import type { AppEnv, AppRouter } from './types.js';

/** Every router shares the one validation hook, so every 400 looks the same. */
export function createRouter(): AppRouter {
  return new OpenAPIHono<AppEnv>({ defaultHook });
}
