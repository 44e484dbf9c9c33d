# colt-relay on Node 24 LTS. docs/deploying.md.
# test/packaging/container-steps.test.ts performs the runtime stage's steps (the COPY lines,
# `npm ci`, ENV, CMD, HEALTHCHECK) in a scratch folder: keep them parseable one per line.

# Build: dev dependencies and the TypeScript compiler, sources → dist/.
FROM node:24.21.0-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts off: `prepare` would build before the sources are here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime: production dependencies and the compiled JavaScript only.
FROM node:24.21.0-slim
WORKDIR /app
ENV NODE_ENV=production
ENV PORT=8080
ENV DATA_DIR=/data
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY drizzle ./drizzle
COPY bin/colt-relay.mjs ./bin/colt-relay.mjs
COPY LICENSE README.md ./
# The embedded database (PGlite) when DATABASE_URL is not set; owned by the unprivileged user.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8080
# No curl in the slim image: Node's fetch. /readyz is 200 once the store answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=8", "--heap-growing-percent=20", "--liftoff-only", "bin/colt-relay.mjs", "serve"]
