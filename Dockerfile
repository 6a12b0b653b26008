# One image for every part: `anxin hub`, `anxin gateway`, `anxin sim …` (see docker-compose.yml).
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY protocol/package.json protocol/
COPY devices/package.json devices/
COPY gateway/package.json gateway/
COPY hub/package.json hub/
COPY web/package.json web/
COPY cli/package.json cli/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
RUN mkdir -p /var/lib/anxin && chown node:node /var/lib/anxin
USER node
ENTRYPOINT ["node", "/app/cli/dist/main.js"]
CMD ["hub", "--config", "/app/config/hub.compose.yaml"]
