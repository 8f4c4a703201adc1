#!/usr/bin/env bash
# Checks, before any build starts, for what building kglink needs beyond Rust:
# cargo, a C++ compiler (RocksDB is C++) and libclang, the C library that
# RocksDB's bindings generator (bindgen, through clang-sys) loads at build time.
# Installs libclang on Debian-like systems; elsewhere stops at once with one line
# naming the package. Says what it found and what it did. Safe to run again.
#
#   scripts/setup.sh                      check, and install what is missing
#   scripts/setup.sh --check              check only; exit 1 if anything is missing
#   scripts/setup.sh --dry-run            say what it would install, install nothing
#   scripts/setup.sh --detect-libclang    print "found PATH" or "missing"; exit 0/1
#
# For tests: --root DIR looks for libclang under DIR instead of /, and
# --os-release FILE reads the system's kind from FILE instead of
# /etc/os-release (scripts/test-setup.sh runs both on fake roots).
#
# libclang is searched where clang-sys searches: $LIBCLANG_PATH, `llvm-config
# --libdir`, then /usr/local/llvm*/lib*, /usr/local/lib*[/*[/*]], /usr/lib*[/*[/*]]
# (and Homebrew's llvm on macOS). A file counts if it is libclang.so,
# libclang.so.N, libclang-N.so or libclang-N.so.M (libclang.dylib on macOS).
# libclang-cpp.so.N is clang's C++ library, which bindgen cannot use: it does not
# count, and mistaking it for libclang once made this script install nothing.
set -euo pipefail

say() { echo "setup: $*" >&2; }

# Prints the first libclang found in directory $1, if any.
libclang_in_dir() {
    local dir=$1 f name
    [ -d "$dir" ] || return 1
    for f in "$dir"/libclang.so "$dir"/libclang.so.[0-9]* "$dir"/libclang-[0-9]*.so \
        "$dir"/libclang-[0-9]*.so.* "$dir"/libclang.dylib; do
        [ -e "$f" ] || continue
        name=${f##*/}
        case $name in *-cpp.*) continue ;; esac
        echo "$f"
        return 0
    done
    return 1
}

# Prints where libclang is under root $1 ("" for /), or returns 1.
find_libclang() {
    local root=$1 dir libdir
    shopt -s nullglob
    if [ -n "${LIBCLANG_PATH:-}" ]; then
        # bindgen takes LIBCLANG_PATH as a directory (or the file itself).
        if [ -f "$root$LIBCLANG_PATH" ]; then
            echo "$root$LIBCLANG_PATH"
            return 0
        fi
        libclang_in_dir "$root$LIBCLANG_PATH" && return 0
    fi
    if [ -z "$root" ] && command -v llvm-config >/dev/null 2>&1; then
        libdir=$(llvm-config --libdir 2>/dev/null || true)
        [ -n "$libdir" ] && libclang_in_dir "$libdir" && return 0
    fi
    for dir in "$root"/usr/local/llvm*/lib* "$root"/usr/local/lib*/*/* "$root"/usr/local/lib*/* \
        "$root"/usr/local/lib* "$root"/usr/lib*/*/* "$root"/usr/lib*/* "$root"/usr/lib* \
        "$root"/usr/local/opt/llvm*/lib "$root"/opt/homebrew/opt/llvm*/lib \
        "$root"/Library/Developer/CommandLineTools/usr/lib; do
        libclang_in_dir "$dir" && return 0
    done
    return 1
}

# The package manager's name for the system, from os-release: debian, fedora,
# arch, macos or unknown.
system_kind() {
    if [ -z "$os_release" ] && [ "$(uname -s)" = Darwin ]; then
        echo macos
        return
    fi
    local id="" like="" file=${os_release:-/etc/os-release}
    if [ -r "$file" ]; then
        # shellcheck disable=SC1090
        id=$(. "$file" && echo "${ID:-}")
        # shellcheck disable=SC1090
        like=$(. "$file" && echo "${ID_LIKE:-}")
    fi
    case " $id $like " in
    *" debian "* | *" ubuntu "*) echo debian ;;
    *" fedora "* | *" rhel "* | *" centos "*) echo fedora ;;
    *" arch "*) echo arch ;;
    *) echo unknown ;;
    esac
}

install_hint() {
    case $1 in
    debian) echo "run scripts/setup.sh (it installs libclang-dev with apt-get), or set LIBCLANG_PATH to the directory holding libclang.so" ;;
    fedora) echo "install it with 'sudo dnf install clang-devel', or set LIBCLANG_PATH to the directory holding libclang.so" ;;
    arch) echo "install it with 'sudo pacman -S clang', or set LIBCLANG_PATH to the directory holding libclang.so" ;;
    macos) echo "install it with 'brew install llvm' and 'export LIBCLANG_PATH=\$(brew --prefix llvm)/lib'" ;;
    *) echo "install your system's libclang development package (Debian: libclang-dev; Fedora: clang-devel; Arch: clang; macOS: brew install llvm), or set LIBCLANG_PATH to the directory holding libclang.so" ;;
    esac
}

mode=install
root=""
os_release=""
while [ $# -gt 0 ]; do
    case $1 in
    --check) mode=check ;;
    --dry-run) mode=dry-run ;;
    --detect-libclang) mode=detect ;;
    --root)
        root=${2:?--root needs a directory}
        root=${root%/}
        shift
        ;;
    --os-release)
        os_release=${2:?--os-release needs a file}
        shift
        ;;
    -h | --help)
        sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *)
        say "unknown argument '$1' (see --help)"
        exit 2
        ;;
    esac
    shift
done

if [ "$mode" = detect ]; then
    if found=$(find_libclang "$root"); then
        echo "found $found"
        exit 0
    fi
    echo "missing"
    exit 1
fi

missing=0
if command -v cargo >/dev/null 2>&1; then
    say "found $(cargo --version)"
else
    say "cargo is missing: install Rust from https://rustup.rs"
    missing=1
fi
cxx=""
for c in "${CXX:-}" c++ g++ clang++; do
    if [ -n "$c" ] && command -v "$c" >/dev/null 2>&1; then
        cxx=$c
        break
    fi
done
if [ -n "$cxx" ]; then
    say "found C++ compiler $(command -v "$cxx")"
else
    case $(system_kind) in
    debian) say "C++ compiler is missing: install it with 'sudo apt-get install g++'" ;;
    fedora) say "C++ compiler is missing: install it with 'sudo dnf install gcc-c++'" ;;
    arch) say "C++ compiler is missing: install it with 'sudo pacman -S gcc'" ;;
    macos) say "C++ compiler is missing: install it with 'xcode-select --install'" ;;
    *) say "C++ compiler is missing: install g++ or clang++ (RocksDB is C++)" ;;
    esac
    missing=1
fi

if found=$(find_libclang "$root"); then
    say "found libclang $found"
else
    kind=$(system_kind)
    if [ "$mode" = check ] || [ "$kind" != debian ]; then
        say "libclang is missing (RocksDB's bindings need it at build time): $(install_hint "$kind")"
        exit 1
    fi
    if [ "$mode" = dry-run ]; then
        say "libclang is missing; would install libclang-dev with apt-get"
        exit "$missing"
    fi
    say "libclang is missing; installing libclang-dev with apt-get"
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
        if ! command -v sudo >/dev/null 2>&1; then
            say "libclang is missing and this user cannot install packages: run 'apt-get install libclang-dev' as root"
            exit 1
        fi
        SUDO="sudo"
    fi
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libclang-dev >/dev/null
    if found=$(find_libclang "$root"); then
        say "installed libclang-dev: found libclang $found"
    else
        say "installed libclang-dev, but no libclang.so is where bindgen looks: set LIBCLANG_PATH to the directory holding it"
        exit 1
    fi
fi
if [ "$missing" != 0 ]; then
    exit 1
fi
say "ready to build: cargo build --release"
