# One image for the three services; the command picks which one runs.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# argon2 builds its native addon from source when its prebuilt one does not load.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.base.json tsconfig.json ./
COPY packages packages
COPY apps apps
COPY services services
COPY test test
RUN npm ci --no-audit --no-fund && npx tsc -b && npm run build -w apps/web && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
# The gateways' shared file store when no S3_URL is set (docker-compose mounts one volume
# here in every gateway): owned by the service's user, as a new volume takes it over.
RUN mkdir -p /var/lib/im-files && chown node:node /var/lib/im-files
USER node
EXPOSE 8080 8081 8082
CMD ["node", "services/gateway/dist/main.js"]
