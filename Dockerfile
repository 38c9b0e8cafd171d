# Graphium's one image for its three processes; the command picks which one runs:
#   node --import tsx api/main.ts            the HTTP API (the default)
#   node --import tsx orchestrator/main.ts      the orchestrator
#   node --import tsx worker-agent/main.ts   an agent (`npm run agent` works too)
# Like the npm scripts it runs the TypeScript sources with tsx: there is no compile step to drift.
FROM node:20-slim

WORKDIR /app
ENV NODE_ENV=production

# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json ./
# npm ci's postinstall fetches the Compose Specification schema with this script.
COPY scripts/fetch-compose-schema.ts scripts/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .

# Bundled once here instead of by webpack at every orchestrator start; a workflow that imports
# something non-deterministic fails this build instead of the first deploy.
RUN node --import tsx scripts/bundle-workflows.ts /app/workflow-bundle.js
ENV GRAPHIUM_WORKFLOW_BUNDLE=/app/workflow-bundle.js

# The api and orchestrator need no privileges. An agent runs with `--user root` (compose: `user:
# root`) because the Docker socket it mounts is root-only, and root-equivalent anyway.
USER node
EXPOSE 3000
# Node itself as PID 1 (not npm), so `docker stop`'s SIGTERM reaches the graceful shutdown directly.
CMD ["node", "--import", "tsx", "api/main.ts"]
