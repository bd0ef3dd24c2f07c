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

step "example/execution: client, untrusted scheduler and worker in one process"
"$build/example/example_execution"

step "sealpipe action seal / action open / event seal / event open"
python3 - "$tmp" <<'PY'
# A throwaway client CA and Alice's certificate (Python cryptography).
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
