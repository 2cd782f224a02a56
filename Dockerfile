# salesflow as a container image, for the Cloud Run job and service in
# terraform/runtime.tf (they pass the subcommand as arguments).
# Build: docker build -t REGION-docker.pkg.dev/PROJECT/salesflow/salesflow:TAG .
#
# Stage 1 builds the package exactly as it is released (npm ci, the compiled
# dist/, npm pack); stage 2 installs that tarball alone, without dev
# dependencies or sources, and runs it as an unprivileged user.

ARG NODE_VERSION=24

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /src
# Dependencies first, so a source change does not reinstall them.
COPY package.json package-lock.json ./
COPY scripts/ scripts/
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
  && mkdir /pkg \
  && npm pack --pack-destination /pkg \
  && mv /pkg/salesflow-*.tgz /pkg/salesflow.tgz

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
COPY --from=build /pkg/salesflow.tgz /tmp/salesflow.tgz
RUN npm install --global --omit=dev --no-audit --no-fund /tmp/salesflow.tgz \
  && rm /tmp/salesflow.tgz \
  && npm cache clean --force
# The node image's unprivileged user (uid 1000); nothing in the image is writable by it but its home.
USER node
WORKDIR /home/node
ENTRYPOINT ["salesflow"]
CMD ["--help"]
