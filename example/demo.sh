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

step "example/jose: sqooler-compatible signed results (JWK, JWS, typed documents)"
"$build/example/example_jose"

step "sealpipe jwk / jws: a key, a signed JSON object, its verification"
jose_dir=$(mktemp -d)
trap 'rm -rf "$jose_dir"' EXIT
"$tool" jwk generate --kid demo-key > "$jose_dir/key.txt"
"$tool" jwk public < "$jose_dir/key.txt" > "$jose_dir/public.json"
cat "$jose_dir/public.json"
printf '{"job_id": "j1", "value": 0.1}' | "$tool" jws sign --key "$jose_dir/key.txt" > "$jose_dir/signed.json"
cat "$jose_dir/signed.json"
"$tool" jws verify --key "$jose_dir/public.json" < "$jose_dir/signed.json"
printf '\n'
sed 's/0.1/0.2/' "$jose_dir/signed.json" | "$tool" jws verify --key "$jose_dir/public.json" \
  || echo "tampered copy rejected (exit $?)"

printf '\ndemo finished\n'
