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

step "example/keys: key types, ECDH, purpose keys, proof of possession, Ed25519"
"$build/example/example_keys"

step "sealpipe key: generate two keys, agree, derive the action key, prove possession"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$tool" key generate --type ed25519 > "$tmp/worker.pem"
"$tool" key generate --type x25519 > "$tmp/scheduler.pem"
"$tool" key public < "$tmp/worker.pem" > "$tmp/worker.pub"
"$tool" key public < "$tmp/scheduler.pem" > "$tmp/scheduler.pub"
cat "$tmp/worker.pub"
"$tool" key ecdh --private "$tmp/scheduler.pem" --peer "$tmp/worker.pub" --purpose action
"$tool" key verification-zeros --private "$tmp/worker.pem" --peer "$tmp/scheduler.pub"
"$tool" key verification-zeros --private "$tmp/scheduler.pem" --peer "$tmp/worker.pub"

printf '\ndemo finished\n'
