# shardis in a container: docker build -t shardis . && docker run -p 6379:6379 -p 7379:7379 -v shardis-data:/data shardis
# (deploy/compose.yaml: a primary, two replicas and Sentinel; deploy/k8s/: a StatefulSet)

# build: the dev dependencies (TypeScript) compile src/ into dist/. --ignore-scripts: the image's Node 24 runs the
# build, the pinned `node` devDependency need not fetch a second one
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN node scripts/build.ts

# runtime: production dependencies (pure JavaScript, no install scripts needed) and the compiled server
FROM node:24-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY proto ./proto
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
# RESP, and HTTP (REST, WebSocket, /healthz, /readyz, /metrics): the RESP port + 1000 by default
EXPOSE 6379 7379
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:7379/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--max-semi-space-size=2", "dist/main.js", "--bind", "0.0.0.0", "--dir", "/data", "--protected-mode", "no"]
