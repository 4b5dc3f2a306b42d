# The orders service, built from this package. Used by docker-compose.yml; on its own:
#   docker build -t orders . && docker run -p 8080:8080 -e ORDERS_ADMIN_TOKEN=<long random> -e ES_URL=... orders
# It listens on 0.0.0.0, so it needs credentials to start: ORDERS_ADMIN_TOKEN is an admin key;
# make narrower keys with `docker exec <container> orders keys create --name NAME --role writer`.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-dev libcurl4-openssl-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# The binary and SwiftPM's resource bundles (`orders_OrdersAPI.resources` holds openapi.json):
# `Bundle.module` looks for them beside the binary, and the server stops at start without them.
RUN swift build -c release --product orders --static-swift-stdlib \
    && bin="$(swift build -c release --show-bin-path)" \
    && mkdir -p /install \
    && cp "$bin/orders" /install/orders \
    && cp -R "$bin"/*.resources /install/

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-0 libcurl4 zlib1g ca-certificates curl tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /data orders && mkdir -p /data && chown orders /data
COPY --from=build /install/ /usr/local/bin/
# Found by the binary beside it (../share/orders/index-mappings).
COPY index-mappings /usr/local/share/orders/index-mappings
USER orders
WORKDIR /data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/orders"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080", "--db", "/data/orders.sqlite", "--read-db", "/data/read.sqlite"]
