# freqtrade-chatops: built in the first stage, run from the second on a slim image with
# production dependencies only. See deploy/docker-compose.yml for running it beside Freqtrade.

# ---- build: dev dependencies and tsc, compiles src/ to dist/
FROM node:20-slim AS build
WORKDIR /build
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are here; the build is the next step.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- run: node, production dependencies, dist/; nothing else
FROM node:20-slim
ENV NODE_ENV=production \
    FTCHATOPS__STORE__PATH=/data/state.json \
    FTCHATOPS__HTTP__ENABLED=true \
    FTCHATOPS__HTTP__HOST=0.0.0.0 \
    FTCHATOPS__HTTP__PORT=9464
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds, and needs the dev dependencies this stage leaves out.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /build/dist ./dist
COPY config.example.json README.md LICENSE ./
# The state file lives in a volume owned by the unprivileged `node` user of the base image.
RUN mkdir /data && chown node:node /data
VOLUME ["/data"]
USER node
EXPOSE 9464
# Slim images have no curl: node asks the bot's own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself (no shell in between); it stops gracefully
# within 5 s, well inside docker's 10 s before SIGKILL.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "--max-semi-space-size=4", "/app/dist/cli.js"]
CMD ["--config", "/config/config.json"]
