#!/usr/bin/env bash
# Configures and builds one of the project's build flavours in its own folder under build/.
#
#   scripts/build.sh release   gcc, optimised, no tests            -> build/release
#   scripts/build.sh gcc       gcc, -Werror, with tests            -> build/ci-gcc
#   scripts/build.sh asan      clang, ASan+UBSan, -Werror, tests   -> build/ci-asan
#   scripts/build.sh fuzz      clang, libFuzzer targets            -> build/fuzz
#
# Further arguments go to cmake's configure step. Dependencies: scripts/deps.sh test.
set -euo pipefail
cd "$(dirname "$0")/.."

flavour=${1:-}
[ $# -gt 0 ] && shift

case $flavour in
release)
    dir=build/release
    cc=gcc
    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF)
    ;;
gcc)
    dir=build/ci-gcc
    cc=gcc
    args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DSM_WERROR=ON)
    ;;
asan)
    dir=build/ci-asan
    cc=clang
    args=(-DCMAKE_BUILD_TYPE=Debug -DSM_SANITIZE=ON -DSM_WERROR=ON)
    ;;
fuzz)
    dir=build/fuzz
    cc=clang
    args=(-DCMAKE_BUILD_TYPE=Debug -DSM_FUZZ=ON -DBUILD_TESTING=OFF)
    ;;
*)
    echo "usage: scripts/build.sh release|gcc|asan|fuzz [cmake arguments]" >&2
    exit 2
    ;;
esac

jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$dir" -DCMAKE_C_COMPILER="$cc" "${args[@]}" "$@" >/dev/null
cmake --build "$dir" -j "$jobs"
