# One image for every Belofte process; docker-compose.yml picks the command.
#
# Stage 1 installs everything and builds: the web pages (web/dist) and one plain-JavaScript
# bundle per process (dist/*.js, see scripts/build.ts). Stage 2 holds only what runs: the
# production dependencies, the bundles, the pages and the Lua scripts, as the unprivileged
# `node` user; no TypeScript, tsx, esbuild, vitest or browser in it.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY services/shared/package.json services/shared/
COPY services/collector/package.json services/collector/
COPY services/api/package.json services/api/
COPY services/simulator/package.json services/simulator/
COPY web/package.json web/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY services services
COPY web web
COPY scripts scripts
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY services/shared/package.json services/shared/
COPY services/collector/package.json services/collector/
COPY services/api/package.json services/api/
COPY services/simulator/package.json services/simulator/
COPY web/package.json web/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
# The bundles read the Lua scripts at their places in the source tree (scripts/build.ts).
COPY --from=build /app/services services
COPY --from=build /app/web/dist web/dist
COPY --from=build /app/dist dist
USER node
EXPOSE 8080 9464
CMD ["node", "dist/api.js"]
