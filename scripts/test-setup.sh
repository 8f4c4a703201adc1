#!/usr/bin/env bash
# Tests what scripts/setup.sh decides, on fake file-system roots, so a
# detection that takes the wrong library for libclang fails on any machine:
# clang's C++ library (libclang-cpp.so.N) is not libclang; Debian's
# libclang-N.so.M, a libclang.so link and LIBCLANG_PATH are.
set -euo pipefail
cd "$(dirname "$0")/.."
setup=./scripts/setup.sh
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect NAME WANT [LIBCLANG_PATH] -- FILES...: a root holding FILES must be
# reported WANT ("found" or "missing")
expect() {
    local name=$1 want=$2 lcp=$3
    shift 4
    local root="$tmp/$name"
    mkdir -p "$root"
    for f in "$@"; do
        mkdir -p "$root/$(dirname "$f")"
        : >"$root/$f"
    done
    local got
    got=$(LIBCLANG_PATH="$lcp" "$setup" --detect-libclang --root "$root" || true)
    if [ "${got%% *}" = "$want" ]; then
        echo "test-setup: ok: $name: $got"
    else
        echo "test-setup: FAILED: $name: expected $want, got '$got'" >&2
        fails=$((fails + 1))
    fi
}

expect cpp-only missing "" -- usr/lib/llvm-14/lib/libclang-cpp.so.14 usr/lib/x86_64-linux-gnu/libclang-cpp.so.14
expect debian-runtime found "" -- usr/lib/llvm-14/lib/libclang-cpp.so.14 usr/lib/x86_64-linux-gnu/libclang-14.so.1
expect debian-dev found "" -- usr/lib/llvm-14/lib/libclang.so
expect versioned-so found "" -- usr/lib64/libclang.so.17
expect local-llvm found "" -- usr/local/llvm16/lib/libclang-16.so
expect empty missing "" --
expect other-libs missing "" -- usr/lib/libclangBasic.a usr/lib/x86_64-linux-gnu/libclang-cpp.so
expect libclang-path found /opt/llvm/lib -- opt/llvm/lib/libclang.so
expect libclang-path-wrong missing /opt/llvm/lib -- opt/llvm/lib/libclang-cpp.so.17

# what setup.sh decides on each kind of system, without installing anything
release() {
    printf 'ID=%s\nID_LIKE="%s"\n' "$2" "$3" >"$tmp/$1.os-release"
    echo "$tmp/$1.os-release"
}
# decides NAME WANT ARGS...: setup.sh with ARGS must print WANT, within 10 s
decides() {
    local name=$1 want=$2
    shift 2
    local out started
    started=$(date +%s)
    out=$(timeout 10 "$setup" "$@" 2>&1 || true)
    if [[ $out == *"$want"* ]] && [ $(($(date +%s) - started)) -lt 10 ]; then
        echo "test-setup: ok: $name: ${out##*$'\n'}"
    else
        echo "test-setup: FAILED: $name: expected '$want' in: $out" >&2
        fails=$((fails + 1))
    fi
}
decides fedora "dnf install clang-devel" --root "$tmp/cpp-only" --os-release "$(release fedora fedora "")"
decides rocky "dnf install clang-devel" --root "$tmp/cpp-only" --os-release "$(release rocky rocky "rhel centos fedora")"
decides arch "pacman -S clang" --root "$tmp/cpp-only" --os-release "$(release arch arch "")"
decides alpine "libclang development package" --root "$tmp/cpp-only" --os-release "$(release alpine alpine "")"
decides debian "would install libclang-dev with apt-get" --dry-run --root "$tmp/cpp-only" --os-release "$(release debian debian "")"
decides ubuntu "would install libclang-dev with apt-get" --dry-run --root "$tmp/cpp-only" --os-release "$(release ubuntu ubuntu debian)"
decides debian-found "found libclang $tmp/debian-runtime/" --dry-run --root "$tmp/debian-runtime" --os-release "$(release debian2 debian "")"
decides debian-check "libclang is missing" --check --root "$tmp/cpp-only" --os-release "$(release debian3 debian "")"

# without cargo and a C++ compiler on PATH, --check says so
mkdir -p "$tmp/bin"
for t in bash uname id date timeout sed; do
    ln -sf "$(command -v "$t")" "$tmp/bin/$t"
done
out=$(PATH="$tmp/bin" CXX="" "$tmp/bin/bash" "$setup" --check --root "$tmp/debian-dev" 2>&1 || true)
if [[ $out == *"cargo is missing"* && $out == *"C++ compiler is missing"* ]]; then
    echo "test-setup: ok: no cargo, no C++ compiler: named"
else
    echo "test-setup: FAILED: without cargo and c++ on PATH, --check said: $out" >&2
    fails=$((fails + 1))
fi

if [ "$fails" != 0 ]; then
    echo "test-setup: $fails failed" >&2
    exit 1
fi
echo "test-setup: all passed"
