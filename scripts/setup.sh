#!/usr/bin/env bash
# Installs what building kglink needs beyond Rust and gcc: libclang, which
# RocksDB's bindings (bindgen) use at build time. Safe to run again.
set -euo pipefail
have_libclang() {
    ls /usr/lib/llvm-*/lib/libclang*.so* /usr/lib/x86_64-linux-gnu/libclang*.so* >/dev/null 2>&1
}
if ! have_libclang; then
    echo "setup: installing libclang-dev (needed to build RocksDB's bindings)" >&2
    SUDO=""
    if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libclang-dev >/dev/null
fi
if ! command -v cargo >/dev/null 2>&1; then
    echo "setup: cargo is missing; install Rust from https://rustup.rs" >&2
    exit 1
fi
