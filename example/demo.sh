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

step "example/storage: a verified store, reachability and garbage collection"
store_dir=$(mktemp -d)
trap 'rm -rf "$store_dir" /tmp/sealpipe-example-direct' EXIT
root=$("$build/example/example_storage" "sqlite:$store_dir/objects.db" | tee /dev/stderr | tail -n 1)

step "sealpipe store check / store gc (the example's root)"
"$tool" store check --store "sqlite:$store_dir/objects.db" "$root"
"$tool" store gc --store "sqlite:$store_dir/objects.db" --keep "$root"

printf '\ndemo finished\n'
