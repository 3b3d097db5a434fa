# Nexora Queue: `docker build -t nexora-queue .` then `docker compose up -d` (see README).
# Configuration comes from the environment at run time; nothing secret is copied or set here.

# --- deps: production dependencies only, exactly as locked ------------------------------------
FROM oven/bun:1.4.5-slim AS deps
WORKDIR /app
COPY package.json bun.lock ./
# Peers are left out: every package the server imports is a direct dependency, and an optional peer
# (TypeScript, through valibot) would otherwise come along.
RUN bun install --frozen-lockfile --production --omit=peer

# --- runtime: the sources and those dependencies, run as the image's non-root `bun` user ---------
FROM oven/bun:1.4.5-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0
# Owned by root, so the process cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json bun.lock tsconfig.json ./
COPY src ./src
USER bun
EXPOSE 3000
# No curl in the image: Bun itself asks /healthz.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bun", "-e", "fetch(`http://127.0.0.1:${process.env.PORT || 3000}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Exec form: the base image's entrypoint execs it, so Bun is PID 1 and receives SIGTERM itself;
# it stops taking requests, finishes deliveries in flight (SHUTDOWN_TIMEOUT_MS) and exits 0.
STOPSIGNAL SIGTERM
CMD ["bun", "src/index.ts"]
