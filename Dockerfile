# syntax=docker/dockerfile:1
# tsm-bridge: one image for every role (ROLE=api | worker | all) and for the sandbox simulators.
# Not built on the development machines (no Docker engine there): kept correct by reading.

# ---- build: all dependencies, TypeScript → dist/ ----------------------------------------------
FROM node:20-bookworm-slim AS build
# libxmljs2 falls back to node-gyp when no prebuilt binary can be fetched.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsc -p tsconfig.build.json
# Data files the code finds with shippedFile() (seeds, code lists, districts, XSDs): tsc does not
# copy them into dist/, so collect them with their paths relative to the project root.
RUN mkdir /shipped \
    && find src adapters queues schemas -type f \( -name '*.json' -o -name '*.xsd' \) -exec cp --parents {} /shipped/ \;

# ---- production dependencies only (built with the toolchain, which the runtime image lacks) ------
FROM node:20-bookworm-slim AS deps
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# ---- runtime ------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --chown=root:root package.json package-lock.json ./
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --from=build --chown=root:root /shipped/ ./
# The code is read-only for the service user; only DATA_DIR (audit files, MedCom drop folders) is writable.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# Liveness of the api role (the worker and sandbox have no HTTP server: compose disables this there).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "require('http').get({host:'127.0.0.1',port:process.env.PORT||3000,path:'/health/live',timeout:2000},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
CMD ["node", "dist/src/cli.js", "start"]
