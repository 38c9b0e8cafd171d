# Graphium's one image for its three processes; the command picks which one runs:
#   node --import tsx api/main.ts            the HTTP API (the default)
#   node --import tsx orchestrator/main.ts      the orchestrator
#   node --import tsx worker-agent/main.ts   an agent (`npm run agent` works too)
# Like the npm scripts it runs the TypeScript sources with tsx: there is no compile step to drift.

# The web dashboard, built by Vite (a devDependency) in a stage of its own: the image keeps only the
# built files, which the API serves at /.
FROM node:20-slim AS dashboard
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY web ./web
RUN npm run build:web

FROM node:20-slim

WORKDIR /app
ENV NODE_ENV=production

# Dependencies first, so a source change does not reinstall them. --ignore-scripts skips our own
# `prepare` (the dashboard build, which needs the devDependencies and is done above) and
# `postinstall`; `npm rebuild` then runs the dependencies' own install scripts, and the Compose
# Specification schema (what postinstall would fetch) is fetched explicitly.
COPY package.json package-lock.json ./
COPY scripts/fetch-compose-schema.ts scripts/
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm rebuild \
  && npm run fetch-compose-schema && npm cache clean --force

COPY . .
COPY --from=dashboard /app/web/dist ./web/dist

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
