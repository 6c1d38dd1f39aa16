# syntax=docker/dockerfile:1
#
# The offline Stytch SMS OTP emulator (`sms-otp emulator`) as a container image.
#
#   docker build -t sms-otp-emulator .
#   docker run --rm -p 127.0.0.1:8080:8080 sms-otp-emulator            # extra flags go last:
#   docker run --rm -p 127.0.0.1:8080:8080 sms-otp-emulator --seed 1
#
# Publish the port on the host's loopback only (127.0.0.1:8080:8080, never a bare -p
# 8080:8080): the emulator's admin API (/_emulator/v1/: inbox, users, faults, clock, reset)
# has no authentication. The admin API also answers loopback clients only, and a client
# coming through a published port is not one; reach it from a container that shares the
# emulator's network (docker run --network container:NAME …) or run with --network host.
# Clients authenticate with project-test-00000000-0000-0000-0000-000000000000 /
# secret-test-emulator unless --project-id / --secret say otherwise.

FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
# The target dir is a build cache mount, so the binary is copied out in the same step.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p sms-otp-cli \
    && cp target/release/sms-otp /usr/local/bin/sms-otp

FROM debian:bookworm-slim
# ca-certificates: `sms-otp send` against the real Stytch API verifies TLS with the
# system's roots (rustls-platform-verifier); the emulator itself needs none.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /usr/local/bin/sms-otp /usr/local/bin/sms-otp
USER 65534:65534
EXPOSE 8080
ENTRYPOINT ["sms-otp", "emulator", "--host", "0.0.0.0", "--port", "8080"]
