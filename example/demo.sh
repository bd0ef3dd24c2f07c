#!/usr/bin/env bash
# The main demo, end to end: runs each example program, then the sealpipe tool.
# Usage: example/demo.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: example/demo.sh BUILD_DIR}
tool=$build/tools/sealpipe
step() { printf '\n== %s\n' "$*"; }

step "example/hello: core utilities"
"$build/example/example_hello"

step "sealpipe --version"
"$tool" --version

step "sealpipe digest (SHA-256 of a message)"
printf 'hello, untrusted world' | "$tool" digest

printf '\ndemo finished\n'
