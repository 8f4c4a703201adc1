#!/usr/bin/env bash
# Installs the peers some integration tests and benchmarks run against, beside
# kglink on 127.0.0.1: Oxigraph's own server (PyPI package `oxigraph`, a binary
# also named `oxigraph`) and headless Chromium (Debian's `chromium`, driven
# through `chromedriver` from `chromium-driver`). Tests that
# need one skip with a message where it is missing; CI installs both. Safe to run
# again.
set -euo pipefail
OXIGRAPH_VERSION=0.5.13
if ! command -v oxigraph >/dev/null 2>&1; then
    echo "test-tools: installing the oxigraph server $OXIGRAPH_VERSION (PyPI)" >&2
    python3 -m pip install -q "oxigraph==$OXIGRAPH_VERSION"
fi
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    echo "test-tools: installing chromium and chromium-driver (Debian) for the web page test" >&2
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if ! command -v openssl >/dev/null 2>&1; then
    echo "test-tools: installing openssl (Debian) to make certificates for the HTTPS store test" >&2
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openssl >/dev/null
fi
