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
step "example/aead: AES-GCM-SIV seal, open, deterministic use, dispatch paths"
"$build/example/example_aead"

step "sealpipe aead seal / aead open (AES-256-GCM-SIV, key and nonce as hex)"
key=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
nonce=000000000000000000000000
sealed=$(printf 'hello, untrusted world' | "$tool" aead seal --key "$key" --nonce "$nonce" --aad 7631 | "$tool" hex)
echo "sealed: $sealed"
printf '%s' "$sealed" | "$tool" hex --decode | "$tool" aead open --key "$key" --nonce "$nonce" --aad 7631; echo
if printf '%s' "$sealed" | "$tool" hex --decode | "$tool" aead open --key "$key" --nonce "$nonce" 2>/dev/null; then
  echo "opened without the right AAD?!"; exit 1
else
  echo "without the associated data: exit $? (authentication failed)"
fi

printf '\ndemo finished\n'
