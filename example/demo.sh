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

step "example/encoding: typed pipelines in three modes, and a run-time chain"
"$build/example/example_encoding"

step "sealpipe encode / decode ([lzwCompressing, encrypting], deterministic)"
demo_dir=$(mktemp -d)
trap 'rm -rf "$demo_dir"' EXIT
key=$(head -c 32 /dev/urandom | base64)
printf '[{"lzwCompressing": {}}, {"encrypting": {"encryptionKey": "%s"}}]' "$key" > "$demo_dir/chain.json"
printf 'an object for untrusted storage, an object for untrusted storage' |
  "$tool" encode --encoders "$demo_dir/chain.json" --params-out "$demo_dir/tag" > "$demo_dir/object"
echo "stored $(wc -c < "$demo_dir/object") bytes; tag $(cat "$demo_dir/tag")"
"$tool" decode --encoders "$demo_dir/chain.json" --params "$(cat "$demo_dir/tag")" < "$demo_dir/object"
echo

printf '\ndemo finished\n'
