# syntax=docker/dockerfile:1
# gmc in a container: one static Go binary (CGO_ENABLED=0) run as a
# non-root user.
#
#   docker build -t gmc .                  # Debian slim: PocketSphinx speech works
#   docker build --target static -t gmc .  # distroless/static: no speech-to-text
#
# PocketSphinx is loaded at run time (purego's dlopen, no cgo), so the same
# binary recognises speech where libpocketsphinx is installed and says
# "speech off" where it is not. The default image installs it; the static
# image has no C library to load it with, so live speech and recording
# uploads are off there (GMC_STT=whisper with a whisper server still works).

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd ./cmd
COPY internal ./internal
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/gmc ./cmd/gmc

# The static image: nothing but the binary, CA certificates and a non-root
# user (65532, "nonroot").
FROM gcr.io/distroless/static-debian12:nonroot AS static
COPY --from=build /out/gmc /gmc
ENV GMC_ADDR=0.0.0.0:8080 GMC_DATA_DIR=/data GMC_LOG_FORMAT=json GMC_STT=off
WORKDIR /data
VOLUME /data
EXPOSE 8080
USER nonroot
ENTRYPOINT ["/gmc"]
CMD ["serve"]

# The default image, last so that a plain `docker build` makes it.
FROM debian:bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates pocketsphinx pocketsphinx-en-us \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin gmc \
 && mkdir -p /data && chown gmc:gmc /data && chmod 0700 /data
COPY --from=build /out/gmc /usr/local/bin/gmc
ENV GMC_ADDR=0.0.0.0:8080 GMC_DATA_DIR=/data GMC_LOG_FORMAT=json
WORKDIR /data
VOLUME /data
EXPOSE 8080
USER gmc
ENTRYPOINT ["gmc"]
CMD ["serve"]
