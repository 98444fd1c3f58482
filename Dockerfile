# syntax=docker/dockerfile:1
# gmc in a container: one Go binary built with CGO_ENABLED=0, run as a
# non-root user.
#
#   docker build -t gmc .                   # Debian slim: PocketSphinx speech works
#   docker build --target minimal -t gmc .  # distroless/base: no local speech-to-text
#
# The binary is NOT fully static: PocketSphinx is loaded at run time with
# purego's dlopen (no cgo), which links the binary against libc's dynamic
# loader (ldd shows libdl, libpthread). So even the minimal image needs a
# glibc (distroless/base, not distroless/static). The minimal image has no
# libpocketsphinx, so live speech and uploads are off there unless
# GMC_STT=whisper points at a whisper server.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd ./cmd
COPY internal ./internal
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/gmc ./cmd/gmc

# The minimal image: the binary, glibc, CA certificates and a non-root
# user (65532, "nonroot").
FROM gcr.io/distroless/base-debian12:nonroot AS minimal
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
