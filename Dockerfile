# One image for every Belofte process; docker-compose.yml picks the command.
FROM node:20-bookworm-slim
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
ENV NODE_ENV=production
USER node
CMD ["npx", "tsx", "services/api/src/main.ts"]
