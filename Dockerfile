# syntax=docker/dockerfile:1
# The control plane image. One image runs the web app (default CMD: apply migrations, then
# `next start`) and the worker (docker-compose.yml overrides the command). Non-root at run time.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- deps: every dependency, exactly as locked ------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
COPY package.json package-lock.json ./
# --ignore-scripts: nothing may download at install time (air-gapped builds; see
# CONTRIBUTING). Prisma's client is generated from the schema in the build stage instead.
RUN npm ci --ignore-scripts

# ---- build: Prisma client, Next.js build, then drop dev dependencies ----------------------
FROM deps AS build
ENV NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
COPY . .
RUN npx prisma generate \
 && npx next build \
 && node scripts/build-worker.mjs \
 && npm prune --omit=dev --ignore-scripts \
 && rm -rf .next/cache \
 && mkdir -p public

# ---- runtime ------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# HOME and every cache point at paths that are writable under `read_only: true` (tmpfs /tmp).
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOME=/home/traider \
    NPM_CONFIG_CACHE=/tmp/.npm \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    CHECKPOINT_DISABLE=1 \
    PRISMA_HIDE_UPDATE_MESSAGE=1
RUN groupadd --system --gid 10001 traider \
 && useradd --system --uid 10001 --gid traider --home-dir /home/traider --create-home --shell /usr/sbin/nologin traider
WORKDIR /app
# Application files stay owned by root: the running user can read them, not change them.
COPY --from=build /app /app
# Next.js writes its runtime cache here (a tmpfs in docker-compose.yml).
RUN mkdir -p /app/.next/cache && chown traider:traider /app/.next/cache

USER traider:traider
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Migrations run before the web app starts (prisma migrate deploy is idempotent).
CMD ["sh", "-c", "node_modules/.bin/prisma migrate deploy && exec node_modules/.bin/next start"]
