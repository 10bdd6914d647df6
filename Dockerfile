# syntax=docker/dockerfile:1
# One image for the four services, the migrations and the seed CLI; docker-compose.yml picks the
# entry point with `command:` (node dist/<service>/src/main.js).

# ---- build: install everything, compile TypeScript, then drop the dev dependencies
FROM node:26-slim AS build
WORKDIR /app
ENV CI=true NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
# --ignore-scripts: no dependency needs an install script (mysql2, grpc-js and protobufjs are plain
# JavaScript). npm ci only: a lockfile it refuses fails the build.
RUN npm ci --ignore-scripts
# Sources (tsconfig, protos, db, common, the four services); .dockerignore keeps out node_modules,
# dist, tests and local state.
COPY . .
RUN npm run build && npm prune --omit=dev --ignore-scripts

# ---- runtime: compiled JavaScript, production dependencies, protos and migrations only
FROM node:26-slim AS runtime
ENV NODE_ENV=production
# Outside a container every service binds 127.0.0.1 by default; in one, the published or networked
# ports must be reachable from outside it (the compose network, a published port, Prometheus).
ENV HOST=0.0.0.0 OPS_HOST=0.0.0.0 GRPC_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/protos ./protos
COPY --from=build /app/db/migrations ./db/migrations
USER node
# The services shut down cleanly on SIGTERM (stop consuming, finish or requeue in-flight work).
STOPSIGNAL SIGTERM
EXPOSE 5003 9100
# The default is the gateway, with its node options (tools/lib/services.ts, GATEWAY_NODE_ARGS).
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=20", "dist/api-gateway/src/main.js"]
