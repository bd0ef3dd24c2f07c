#!/usr/bin/env bash
# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# The main demo, end to end. First the project's main job (remote execution over an encrypted
# DAG in SQLite, then a signed result), narrated step by step; then a tour of every area
# through its example program and the sealpipe tool.
# Usage: example/demo.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: example/demo.sh BUILD_DIR}
tool=$build/tools/sealpipe
step() { printf '\n== %s\n' "$*"; }
# The steps across processes, in a build with the network commands (component grpc).
net_step() { step "$@"; }
# A throwaway client CA, and Alice's certificate and key signed by it (Python cryptography):
# ca.pem, alice.crt and alice.pem in the directory $1.
client_pki() {
    python3 - "$1" <<'PY'
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
d = sys.argv[1]
now = datetime.datetime.now(datetime.timezone.utc)
def cert(cn, key, issuer, issuer_key, ca):
    name = lambda n: x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, n)])
    b = (x509.CertificateBuilder().subject_name(name(cn)).issuer_name(name(issuer))
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    return b.sign(issuer_key, None).public_bytes(serialization.Encoding.PEM)
ca_key, alice = ed25519.Ed25519PrivateKey.generate(), ed25519.Ed25519PrivateKey.generate()
open(f"{d}/ca.pem", "wb").write(cert("demo CA", ca_key, "demo CA", ca_key, True))
open(f"{d}/alice.crt", "wb").write(cert("alice", alice, "demo CA", ca_key, False))
open(f"{d}/alice.pem", "wb").write(alice.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
PY
}
# One scratch directory for every step, removed at exit (a second `trap ... EXIT` would
# replace the first).
work=$(mktemp -d)
trap 'rm -rf "$work" /tmp/sealpipe-example-direct' EXIT

step "THE MAIN JOB: Alice has Bob's worker count words in files she stored encrypted"
"$build/example/example_remote_execution"

if "$tool" help scheduler serve >/dev/null 2>&1; then
net=$work/network
mkdir -p "$net/alice"
net_step "THE MAIN JOB ACROSS PROCESSES: keys, and a client CA that Bob's worker trusts"
"$tool" key generate --type x25519 > "$net/platform.pem"
"$tool" key public < "$net/platform.pem" > "$net/platform.pub"
client_pki "$net"
echo "Bob's worker holds platform.pem and ca.pem; Alice holds alice.pem, alice.crt and platform.pub;"
echo "the scheduler holds nothing."

net_step "Process 1: sealpipe scheduler serve (Bonanza's Execution and OperationQueue services) on loopback"
mkfifo "$net/scheduler.out"
"$tool" scheduler serve --listen 127.0.0.1:0 > "$net/scheduler.out" &
scheduler_pid=$!
exec 3< "$net/scheduler.out"
read -r listening <&3
echo "scheduler (pid $scheduler_pid): $listening"
url="grpc://${listening#listening on }"

net_step "Process 2: sealpipe storage serve (Bonanza's storage services) shares one SQLite store on loopback"
mkfifo "$net/storage.out"
"$tool" storage serve --listen 127.0.0.1:0 --store "sqlite:$net/objects.db" --instance demo > "$net/storage.out" &
storage_pid=$!
exec 4< "$net/storage.out"
read -r storage_listening <&4
store="grpc://${storage_listening#listening on }/demo"
echo "storage server (pid $storage_pid): $storage_listening; Alice and Bob use --store $store"
echo "(it checks every object against its reference; it never sees a key or a plaintext)"

net_step "Process 3: sealpipe worker run (Bob) proves its platform key and waits for work"
"$tool" worker run --scheduler "$url" --platform-key "$net/platform.pem" --ca "$net/ca.pem" \
  --worker-id name=bob -- sh "$(dirname "$0")/remote_execution_grpc/count_words.sh" "$tool" "$store" &
worker_pid=$!
echo "worker (pid $worker_pid) runs count_words.sh once per action it can open"

net_step "Alice stores her input as an encrypted DAG through the storage server"
"$tool" encoders new --out "$net/alice/encoders.json"
printf 'Work on infrastructure you do not trust.\nThe scheduler routes; it learns nothing.\n' > "$net/alice/input.txt"
input=$("$tool" store put --store "$store" --encoders "$net/alice/encoders.json" "$net/alice/input.txt" 2>/dev/null)
echo "input link: $input"

net_step "Process 4: sealpipe execute (Alice) seals the link and her key into an action, runs it, reads the report"
# Until Bob's worker has proved its key the scheduler answers FAILED_PRECONDITION: try again.
for attempt in $(seq 1 200); do
  if output=$({ printf '%s\n' "$input"; tr -d '\n' < "$net/alice/encoders.json"; printf '\n'; } |
              "$tool" execute --scheduler "$url" --platform-key "$net/platform.pub" \
                --client-cert "$net/alice.crt" --client-key "$net/alice.pem" --nonce random --timeout 60 \
                2> "$net/execute.err"); then
    break
  fi
  grep -q FAILED_PRECONDITION "$net/execute.err" || { cat "$net/execute.err"; exit 1; }
  sleep 0.05
done
cat "$net/execute.err"
echo "the worker's answer (a link to the report it stored): $output"
printf 'Alice reads the report: '
"$tool" store get --store "$store" --encoders "$net/alice/encoders.json" "$output" --out "$net/alice/report.txt" 2>/dev/null
cat "$net/alice/report.txt"

net_step "Anyone can check the report's DAG in the shared store, without a key"
"$tool" store check --store "$store" "$output"

net_step "SIGTERM ends the worker, the scheduler and the storage server cleanly"
kill -TERM "$worker_pid"; wait "$worker_pid"; echo "worker exited with status $?"
kill -TERM "$scheduler_pid"; wait "$scheduler_pid"; echo "scheduler exited with status $?"
kill -TERM "$storage_pid"; wait "$storage_pid"; echo "storage server exited with status $?"
exec 3<&- 4<&-
fi

step "A tree stored as an encrypted DAG in SQLite, checked without a key, restored"
"$build/example/example_store_tree"

if [ -x "$build/example/example_remote_storage" ]; then
net_step "example/remote_storage: a store shared over gRPC (a storage server and the Remote backend)"
mkdir -p "$work/remote_storage"
"$build/example/example_remote_storage" "$work/remote_storage"
fi

step "example/hello: core utilities"
"$build/example/example_hello"

step "example/objects: a small DAG of objects, verified, and Simple LZW"
"$build/example/example_objects"

step "sealpipe --version"
"$tool" --version

step "sealpipe digest (SHA-256 of a message)"
printf 'hello, untrusted world' | "$tool" digest

step "sealpipe object ref / inspect / verify (SHA256_V1 references)"
leaf=$(printf 'hello' | "$tool" object ref)
echo "leaf   $leaf"
root=$(printf 'a directory' | "$tool" object ref --child "$leaf")
"$tool" object inspect "$root"
{ printf '%s' "$leaf" | "$tool" hex --decode; printf 'a directory'; } | "$tool" object verify "$root" && echo "verify: the data matches the root reference"
if ! printf 'tampered' | "$tool" object verify "$leaf" 2>/dev/null; then echo "verify: tampered data is refused (exit 1)"; fi
step "example/storage: a verified store, reachability and garbage collection"
store_dir=$work/storage
mkdir "$store_dir"
# Shown, then its last line kept. (Not `tee /dev/stderr`: tee opens that path anew, which
# truncates a log file that stdout and stderr were redirected to, losing what came before.)
"$build/example/example_storage" "sqlite:$store_dir/objects.db" > "$store_dir/example_storage.out"
cat "$store_dir/example_storage.out"
root=$(tail -n 1 "$store_dir/example_storage.out")

step "sealpipe store check / store gc (the example's root)"
"$tool" store check --store "sqlite:$store_dir/objects.db" "$root"
"$tool" store gc --store "sqlite:$store_dir/objects.db" --keep "$root"
step "example/jose: sqooler-compatible signed results (JWK, JWS, typed documents)"
"$build/example/example_jose"

step "sealpipe jwk / jws: a key, a signed JSON object, its verification"
jose_dir=$work/jose
mkdir "$jose_dir"
"$tool" jwk generate --kid demo-key > "$jose_dir/key.txt"
"$tool" jwk public < "$jose_dir/key.txt" > "$jose_dir/public.json"
cat "$jose_dir/public.json"
printf '{"job_id": "j1", "value": 0.1}' | "$tool" jws sign --key "$jose_dir/key.txt" > "$jose_dir/signed.json"
cat "$jose_dir/signed.json"
"$tool" jws verify --key "$jose_dir/public.json" < "$jose_dir/signed.json"
printf '\n'
sed 's/0.1/0.2/' "$jose_dir/signed.json" | "$tool" jws verify --key "$jose_dir/public.json" \
  || echo "tampered copy rejected (exit $?)"
step "example/signed_results: a sqooler storage provider; tampering and a takeover are caught"
"$build/example/example_signed_results"

step "sealpipe provider: publish a key, a signed config and a result in sqooler's folder layout; verify"
"$tool" provider public-key upload --provider "dir:$jose_dir/storage" < "$jose_dir/public.json"
printf '{"description": "demo", "version": "0.1", "display_name": "demo", "cold_atom_type": "spin", "gates": [], "max_experiments": 1, "max_shots": 10, "simulator": true, "supported_instructions": [], "num_wires": 1, "wire_order": "interleaved", "num_species": 1, "sign": true}' \
  | "$tool" provider config upload --provider "dir:$jose_dir/storage" --display-name demo --key "$jose_dir/key.txt"
printf '{"display_name": "demo", "backend_version": "0.1", "job_id": "j1", "success": true, "status": "DONE", "header": {}, "results": []}' \
  | "$tool" provider result upload --provider "dir:$jose_dir/storage" --display-name demo --job-id j1 --key "$jose_dir/key.txt"
"$tool" provider result verify --provider "dir:$jose_dir/storage" --display-name demo --job-id j1
find "$jose_dir/storage" -type f | sort
step "example/keys: key types, ECDH, purpose keys, proof of possession, Ed25519"
"$build/example/example_keys"

step "sealpipe key: generate two keys, agree, derive the action key, prove possession"
tmp=$work/keys
mkdir "$tmp"
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

step "example/encoding: typed pipelines in three modes, and a run-time chain"
"$build/example/example_encoding"

step "sealpipe encode / decode ([lzwCompressing, encrypting], deterministic)"
demo_dir=$work/encoding
mkdir "$demo_dir"
key=$(head -c 32 /dev/urandom | base64)
printf '[{"lzwCompressing": {}}, {"encrypting": {"encryptionKey": "%s"}}]' "$key" > "$demo_dir/chain.json"
printf 'an object for untrusted storage, an object for untrusted storage' |
  "$tool" encode --encoders "$demo_dir/chain.json" --params-out "$demo_dir/tag" > "$demo_dir/object"
echo "stored $(wc -c < "$demo_dir/object") bytes; tag $(cat "$demo_dir/tag")"
"$tool" decode --encoders "$demo_dir/chain.json" --params "$(cat "$demo_dir/tag")" < "$demo_dir/object"
echo
step "example/execution: client, untrusted scheduler and worker in one process"
"$build/example/example_execution"

step "sealpipe action seal / action open / event seal / event open"
client_pki "$tmp"
# The worker's platform key is $tmp/worker.pem (Ed25519, announced as X25519).
printf 'run //:wordcount' | "$tool" action seal --platform-key "$tmp/worker.pub" --client-cert "$tmp/alice.crt" \
  --client-key "$tmp/alice.pem" --fingerprint cafe --timeout 60 > "$tmp/action.bin"
echo "action: $(wc -c < "$tmp/action.bin") bytes"
printf 'worker opened: '; "$tool" action open --platform-key "$tmp/worker.pem" --ca "$tmp/ca.pem" < "$tmp/action.bin"; echo
printf '3 words' | "$tool" event seal --action "$tmp/action.bin" --platform-key "$tmp/worker.pem" --completion > "$tmp/done.bin"
printf 'alice opened the completion event: '
"$tool" event open --action "$tmp/action.bin" --client-key "$tmp/alice.pem" --completion < "$tmp/done.bin"; echo
if "$tool" action open --platform-key "$tmp/scheduler.pem" --ca "$tmp/ca.pem" < "$tmp/action.bin" 2>/dev/null; then
  echo "opened with the wrong platform key?!"; exit 1
else
  echo "with another platform key: exit $? (unknown platform key)"
fi

printf '\ndemo finished\n'
