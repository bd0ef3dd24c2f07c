# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# The remote execution commands against doc/cli.md: action seal/open and event seal/open,
# cross-checked with Python `cryptography` (ECDH, AES-GCM-SIV) and Google's protobuf runtime
# (python3-protobuf, messages built from a FileDescriptorProto: no protoc needed).
import hashlib
import os
import subprocess
import sys
import tempfile
import unittest

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCMSIV
from cryptography.x509.oid import ExtendedKeyUsageOID

from clitest import CliTestCase, main
from test_keys import NOENC, PEM, PKCS8, SPKI, Files, ed_to_x_private, ed_to_x_public, exchange, issue, pem_of

NOW = 1800000000   # 2027-01-15, inside the certificates' validity

# Google's protobuf runtime: this Python's, or Debian's python3-protobuf for /usr/bin/python3.
PROTO_HELPER = r'''
import sys
from google.protobuf import descriptor_pb2, descriptor_pool, duration_pb2
try:
    from google.protobuf import message_factory
    def cls(pool, name):
        d = pool.FindMessageTypeByName(name)
        if hasattr(message_factory, "GetMessageClass"):
            return message_factory.GetMessageClass(d)
        return message_factory.MessageFactory(pool).GetPrototype(d)
except ImportError:
    raise

def file_descriptor():
    f = descriptor_pb2.FileDescriptorProto()
    f.name = "bonanza.build/pkg/proto/encryptedaction/encryptedaction.proto"
    f.package = "bonanza.encryptedaction"
    f.syntax = "proto3"
    f.dependency.append("google/protobuf/duration.proto")
    B = descriptor_pb2.FieldDescriptorProto
    def field(m, name, number, type_, label=B.LABEL_OPTIONAL, type_name=None):
        x = m.field.add(); x.name = name; x.number = number; x.type = type_; x.label = label
        if type_name: x.type_name = type_name
    a = f.message_type.add(); a.name = "Action"
    field(a, "platform_pkix_public_key", 1, B.TYPE_BYTES)
    field(a, "client_certificate_chain", 2, B.TYPE_BYTES, B.LABEL_REPEATED)
    field(a, "nonce", 3, B.TYPE_BYTES)
    field(a, "additional_data", 4, B.TYPE_MESSAGE, type_name=".bonanza.encryptedaction.Action.AdditionalData")
    field(a, "ciphertext", 5, B.TYPE_BYTES)
    ad = a.nested_type.add(); ad.name = "AdditionalData"
    field(ad, "stable_fingerprint", 1, B.TYPE_BYTES)
    field(ad, "execution_timeout", 2, B.TYPE_MESSAGE, type_name=".google.protobuf.Duration")
    e = f.message_type.add(); e.name = "Event"
    field(e, "nonce", 1, B.TYPE_BYTES)
    field(e, "ciphertext", 2, B.TYPE_BYTES)
    return f

pool = descriptor_pool.DescriptorPool()
dur = descriptor_pb2.FileDescriptorProto()
duration_pb2.DESCRIPTOR.CopyToProto(dur)
pool.Add(dur)
pool.Add(file_descriptor())
Action = cls(pool, "bonanza.encryptedaction.Action")
Event = cls(pool, "bonanza.encryptedaction.Event")
'''


def find_protobuf_python():
    for exe in (sys.executable, "/usr/bin/python3"):
        if exe and os.path.exists(exe) and subprocess.run(
                [exe, "-c", "import google.protobuf"], capture_output=True).returncode == 0:
            return exe
    return None


PROTO_PYTHON = find_protobuf_python()


def protobuf(script, *args):
    """Runs `script` after PROTO_HELPER in a Python that has google.protobuf; returns stdout."""
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(PROTO_HELPER + script)
    try:
        p = subprocess.run([PROTO_PYTHON, f.name, *map(str, args)], capture_output=True, timeout=60)
    finally:
        os.unlink(f.name)
    if p.returncode != 0:
        raise AssertionError(p.stderr.decode())
    return p.stdout


# Parse with protobuf, check every field against the expectations passed as hex, and print
# the deterministic re-serialization (hex).
REENCODE = r'''
a = Action()
data = bytes.fromhex(sys.argv[1])
a.ParseFromString(data)
print(a.SerializeToString(deterministic=True).hex())
print(a.platform_pkix_public_key.hex())
print(len(a.client_certificate_chain))
print(a.nonce.hex())
print(a.additional_data.stable_fingerprint.hex())
print(a.additional_data.execution_timeout.seconds, a.additional_data.execution_timeout.nanos)
print(a.additional_data.SerializeToString(deterministic=True).hex())
print(a.ciphertext.hex())
'''

EVENT_REENCODE = r'''
e = Event()
e.ParseFromString(bytes.fromhex(sys.argv[1]))
print(e.SerializeToString(deterministic=True).hex())
print(e.nonce.hex())
print(e.ciphertext.hex())
'''

# Build an Action in Python: platform key, chain (comma-separated hex), nonce, fingerprint,
# seconds, nanos ("-" to leave the timeout unset), ciphertext.
BUILD = r'''
a = Action()
a.platform_pkix_public_key = bytes.fromhex(sys.argv[1])
for c in sys.argv[2].split(","):
    a.client_certificate_chain.append(bytes.fromhex(c))
a.nonce = bytes.fromhex(sys.argv[3])
a.additional_data.stable_fingerprint = bytes.fromhex(sys.argv[4])
if sys.argv[5] != "-":
    a.additional_data.execution_timeout.SetInParent()  # present even when zero
    a.additional_data.execution_timeout.seconds = int(sys.argv[5])
    a.additional_data.execution_timeout.nanos = int(sys.argv[6])
a.ciphertext = bytes.fromhex(sys.argv[7])
print(a.SerializeToString(deterministic=True).hex())
print(a.additional_data.SerializeToString(deterministic=True).hex())
'''


class Execution(CliTestCase):
    def setUp(self):
        self.files = Files(self)
        self.root_key = ed25519.Ed25519PrivateKey.generate()
        self.root = issue("client CA", self.root_key, ca=True)
        self.client_key = ed25519.Ed25519PrivateKey.generate()
        self.client = issue("alice", self.client_key, self.root, self.root_key, eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
        self.ca = self.files.write("ca.pem", pem_of(self.root))
        self.chain = self.files.write("chain.pem", pem_of(self.client))
        self.client_pem = self.files.write("client.pem", self.client_key.private_bytes(PEM, PKCS8, NOENC))
        self.platform = x25519.X25519PrivateKey.generate()
        self.platform_priv = self.files.write("platform.pem", self.platform.private_bytes(PEM, PKCS8, NOENC))
        self.platform_pub = self.files.write("platform.pub", self.platform.public_key().public_bytes(PEM, SPKI))

    def seal(self, plaintext, *extra, platform_pub=None):
        return self.ok("action", "seal", "--platform-key", platform_pub or self.platform_pub,
                       "--client-cert", self.chain, "--client-key", self.client_pem, *extra, stdin=plaintext).out

    def open_args(self, platform_priv=None, ca=None, at=NOW):
        return ("action", "open", "--platform-key", platform_priv or self.platform_priv, "--ca", ca or self.ca,
                "--at", at)

    def action_file(self, data, name="action.bin"):
        return self.files.write(name, data)

    def test_round_trip_and_python_decrypts(self):
        action = self.seal(b"build //foo:bar", "--fingerprint", "0733201c4ae9d692", "--timeout", "600")
        self.assertEqual(self.ok(*self.open_args(), stdin=action).out, b"build //foo:bar")
        # Decrypt independently: the parsed fields, ECDH in Python, AES-GCM-SIV in Python.
        if PROTO_PYTHON:
            lines = protobuf(REENCODE, action.hex()).decode().splitlines()
            self.assertEqual(lines[0], action.hex(), "not protobuf's deterministic serialization")
            pkix = bytes.fromhex(lines[1])
            self.assertEqual(pkix, self.platform.public_key().public_bytes(serialization.Encoding.DER, SPKI))
            self.assertEqual(lines[2], "1")
            self.assertEqual(lines[3], "00" * 12)
            self.assertEqual(lines[4], "0733201c4ae9d692")
            self.assertEqual(lines[5], "600 0")
            secret = exchange(ed_to_x_private(self.client_key), self.platform.public_key())
            key = bytes([secret[0] ^ 1]) + secret[1:]
            plain = AESGCMSIV(key).decrypt(bytes(12), bytes.fromhex(lines[7]), bytes.fromhex(lines[6]))
            self.assertEqual(plain, b"build //foo:bar")

    def test_zero_timeout_is_valid(self):
        action = self.seal(b"no time at all", "--timeout", "0")
        self.assertEqual(self.ok(*self.open_args(), stdin=action).out, b"no time at all")

    def test_nonce_policies(self):
        a1, a2 = self.seal(b"x"), self.seal(b"x")
        self.assertEqual(a1, a2, "the zero nonce is deterministic (in-flight deduplication)")
        r1, r2 = self.seal(b"x", "--nonce", "random"), self.seal(b"x", "--nonce", "random")
        self.assertNotEqual(r1, r2)
        h = self.seal(b"x", "--nonce", "000102030405060708090A0B")
        self.assertIn(bytes.fromhex("1a0c000102030405060708090a0b"), h)
        for a in (r1, r2, h):
            self.assertEqual(self.ok(*self.open_args(), stdin=a).out, b"x")
        self.fails(2, "action", "seal", "--platform-key", self.platform_pub, "--client-cert", self.chain,
                   "--client-key", self.client_pem, "--nonce", "0001", stdin=b"x")

    def test_tampering_is_detected(self):
        action = self.seal(b"payload", "--fingerprint", "aa")
        # Every byte outside the certificate, and a sample of the certificate's bytes (each
        # run starts a process).
        cert = self.client.public_bytes(serialization.Encoding.DER)
        start = action.index(cert)
        positions = [i for i in range(len(action)) if not start <= i < start + len(cert) or i % 16 == 0]
        for i in positions:
            bad = bytearray(action)
            bad[i] ^= 0x01
            r = self.run_open(bytes(bad))
            self.assertIn(r.code, (1, 2), f"byte {i} flipped: exit {r.code}")

    def run_open(self, data, **kw):
        from clitest import run
        r = run(*self.open_args(**kw), stdin=data)
        return r

    def test_ciphertext_or_additional_data_changed_is_exit_1(self):
        action = self.seal(b"payload", "--fingerprint", "aabb", "--timeout", "60")
        # The last byte is in the tag; a byte of the fingerprint is in the additional data.
        bad = bytearray(action)
        bad[-1] ^= 0x80
        self.assertIn(b"authentication failed", self.fails(1, *self.open_args(), stdin=bytes(bad)).err)
        i = action.index(bytes.fromhex("0a02aabb"))
        bad = bytearray(action)
        bad[i + 3] ^= 1
        self.fails(1, *self.open_args(), stdin=bytes(bad))

    def test_wrong_ca_expired_and_wrong_platform_key(self):
        action = self.seal(b"payload")
        other_key = ed25519.Ed25519PrivateKey.generate()
        other_ca = self.files.write("other.pem", pem_of(issue("other", other_key, ca=True)))
        self.fails(1, *self.open_args(ca=other_ca), stdin=action)
        err = self.fails(1, *self.open_args(at=NOW + 400 * 86400), stdin=action).err
        self.assertIn(b"expired", err)
        self.fails(1, *self.open_args(at=NOW - 40 * 86400), stdin=action)
        other = x25519.X25519PrivateKey.generate()
        other_priv = self.files.write("other_platform.pem", other.private_bytes(PEM, PKCS8, NOENC))
        self.fails(1, *self.open_args(platform_priv=other_priv), stdin=action)

    def test_key_rotation(self):
        old = x25519.X25519PrivateKey.generate()
        old_priv = self.files.write("old.pem", old.private_bytes(PEM, PKCS8, NOENC))
        old_pub = self.files.write("old.pub", old.public_key().public_bytes(PEM, SPKI))
        action = self.seal(b"rotated", platform_pub=old_pub)
        self.ok("action", "open", "--platform-key", self.platform_priv, "--platform-key", old_priv,
                "--ca", self.ca, "--at", NOW, stdin=action)
        self.fails(1, *self.open_args(), stdin=action)

    def test_ed25519_platform_key_is_named_as_x25519(self):
        ed = ed25519.Ed25519PrivateKey.generate()
        ed_priv = self.files.write("ed.pem", ed.private_bytes(PEM, PKCS8, NOENC))
        ed_pub = self.files.write("ed.pub", ed.public_key().public_bytes(PEM, SPKI))
        action = self.seal(b"on ed25519", platform_pub=ed_pub)
        converted = ed_to_x_public(ed.public_key()).public_bytes(serialization.Encoding.DER, SPKI)
        self.assertTrue(action.startswith(b"\x0a" + bytes([len(converted)]) + converted))
        self.assertEqual(self.ok(*self.open_args(platform_priv=ed_priv), stdin=action).out, b"on ed25519")
        # The worker's events open for the client.
        path = self.action_file(action)
        ev = self.ok("event", "seal", "--action", path, "--platform-key", ed_priv, "--completion",
                     stdin=b"done").out
        self.assertEqual(self.ok("event", "open", "--action", path, "--client-key", self.client_pem,
                                 "--completion", stdin=ev).out, b"done")

    def test_p256_keys(self):
        plat = ec.generate_private_key(ec.SECP256R1())
        ck = ec.generate_private_key(ec.SECP256R1())
        cert = issue("bob", ck, self.root, self.root_key, eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
        chain = self.files.write("p256chain.pem", pem_of(cert))
        ckey = self.files.write("p256client.pem", ck.private_bytes(PEM, PKCS8, NOENC))
        ppub = self.files.write("p256.pub", plat.public_key().public_bytes(PEM, SPKI))
        ppriv = self.files.write("p256.pem", plat.private_bytes(PEM, PKCS8, NOENC))
        action = self.ok("action", "seal", "--platform-key", ppub, "--client-cert", chain, "--client-key", ckey,
                         stdin=b"p256").out
        self.assertEqual(self.ok(*self.open_args(platform_priv=ppriv), stdin=action).out, b"p256")
        # An X25519 client against a P-256 platform cannot agree: bad input.
        self.fails(2, "action", "seal", "--platform-key", ppub, "--client-cert", self.chain,
                   "--client-key", self.client_pem, stdin=b"x")

    def test_events_open_only_for_their_action_and_purpose(self):
        a1 = self.action_file(self.seal(b"one"), "a1.bin")
        a2 = self.action_file(self.seal(b"two"), "a2.bin")
        ev = self.ok("event", "seal", "--action", a1, "--platform-key", self.platform_priv, stdin=b"running").out
        done = self.ok("event", "seal", "--action", a1, "--platform-key", self.platform_priv, "--completion",
                       stdin=b"result").out
        self.assertEqual(self.ok("event", "open", "--action", a1, "--client-key", self.client_pem, stdin=ev).out,
                         b"running")
        self.assertEqual(self.ok("event", "open", "--action", a1, "--client-key", self.client_pem, "--completion",
                                 stdin=done).out, b"result")
        # Another action, another purpose, another client key: exit 1.
        self.fails(1, "event", "open", "--action", a2, "--client-key", self.client_pem, stdin=ev)
        self.fails(1, "event", "open", "--action", a1, "--client-key", self.client_pem, "--completion", stdin=ev)
        self.fails(1, "event", "open", "--action", a1, "--client-key", self.client_pem, stdin=done)
        stranger = self.files.write("stranger.pem", x25519.X25519PrivateKey.generate().private_bytes(PEM, PKCS8, NOENC))
        self.fails(1, "event", "open", "--action", a1, "--client-key", stranger, stdin=ev)
        # Every flipped byte of an event is refused.
        for i in range(len(ev)):
            bad = bytearray(ev)
            bad[i] ^= 0x20
            from clitest import run
            r = run("event", "open", "--action", a1, "--client-key", self.client_pem, stdin=bytes(bad))
            self.assertIn(r.code, (1, 2), f"event byte {i}")
        # A random default nonce: two seals differ; an explicit nonce is used as given.
        ev2 = self.ok("event", "seal", "--action", a1, "--platform-key", self.platform_priv, stdin=b"running").out
        self.assertNotEqual(ev, ev2)
        fixed = self.ok("event", "seal", "--action", a1, "--platform-key", self.platform_priv,
                        "--nonce", "0c" * 12, stdin=b"running").out
        self.assertTrue(fixed.startswith(bytes.fromhex("0a0c" + "0c" * 12)))
        # Independently: AES-GCM-SIV with AD = SHA-256(action ciphertext), key = secret ^ 2.
        secret = exchange(self.platform, ed_to_x_public(self.client_key.public_key()))
        key = bytes([secret[0] ^ 2]) + secret[1:]
        with open(a1, "rb") as f:
            action = f.read()
        if PROTO_PYTHON:
            ct = bytes.fromhex(protobuf(REENCODE, action.hex()).decode().splitlines()[7])
            lines = protobuf(EVENT_REENCODE, fixed.hex()).decode().splitlines()
            self.assertEqual(lines[0], fixed.hex())
            self.assertEqual(AESGCMSIV(key).decrypt(bytes.fromhex(lines[1]), bytes.fromhex(lines[2]),
                                                    hashlib.sha256(ct).digest()), b"running")
        # The event seal refuses an action for another platform key.
        other = self.files.write("o.pem", x25519.X25519PrivateKey.generate().private_bytes(PEM, PKCS8, NOENC))
        self.fails(1, "event", "seal", "--action", a1, "--platform-key", other, stdin=b"x")

    def test_malformed_actions_are_exit_2(self):
        action = self.seal(b"payload")
        self.fails(2, *self.open_args(), stdin=b"")                       # no timeout, no nonce...
        self.fails(2, *self.open_args(), stdin=b"\xff")                   # truncated varint
        self.fails(2, *self.open_args(), stdin=action[:-3])               # truncated field
        self.fails(2, *self.open_args(), stdin=action + b"\x30\x01")      # unknown field 6
        self.fails(2, *self.open_args(), stdin=action + action[:2])       # truncated duplicate
        self.fails(2, *self.open_args(), stdin=b"\x0b")                   # a group
        self.fails(2, *self.open_args(), stdin=b"\x0a\xff\xff\xff\xff\x0f")   # length beyond the input
        dup = action + b"\x1a\x0c" + bytes(12)                            # nonce twice
        self.assertIn(b"more than once", self.fails(2, *self.open_args(), stdin=dup).err)

    @unittest.skipUnless(PROTO_PYTHON, "google.protobuf is not installed (scripts/bootstrap installs python3-protobuf)")
    def test_python_built_actions(self):
        pkix = self.platform.public_key().public_bytes(serialization.Encoding.DER, SPKI)
        cert = self.client.public_bytes(serialization.Encoding.DER)
        secret = exchange(ed_to_x_private(self.client_key), self.platform.public_key())
        key = bytes([secret[0] ^ 1]) + secret[1:]

        def build(nonce, seconds, nanos, plaintext, fingerprint="beef"):
            # First get the AD bytes from protobuf, then encrypt, then build the full action.
            lines = protobuf(BUILD, pkix.hex(), cert.hex(), nonce.hex(), fingerprint, seconds, nanos, "").decode().split()
            ad = bytes.fromhex(lines[1])
            ct = AESGCMSIV(key).encrypt(nonce.ljust(12, b"\0"), plaintext, ad)
            return bytes.fromhex(protobuf(BUILD, pkix.hex(), cert.hex(), nonce.hex(), fingerprint, seconds, nanos,
                                          ct.hex()).decode().split()[0])

        nonce = os.urandom(12)
        action = build(nonce, 120, 500, b"from python")
        self.assertEqual(self.ok(*self.open_args(), stdin=action).out, b"from python")
        # The tool's own encoding of the same message is byte-identical to protobuf's.
        self.assertEqual(self.seal(b"from python", "--nonce", nonce.hex(), "--fingerprint", "beef", "--timeout", "120"),
                         build(nonce, 120, 0, b"from python"))
        # No execution timeout, or one above the maximum, or a negative one: exit 2.
        self.fails(2, *self.open_args(), stdin=build(nonce, "-", 0, b"x"))
        self.fails(2, *self.open_args(), stdin=build(nonce, 90000, 0, b"x"))
        self.fails(2, *self.open_args(), stdin=build(nonce, -5, 0, b"x"))
        self.ok("action", "open", "--platform-key", self.platform_priv, "--ca", self.ca, "--at", NOW,
                "--max-timeout", "100000", stdin=build(nonce, 90000, 0, b"x"))
        # A timeout that is present but zero is valid (Bonanza's worker runs it, and it times
        # out at once); the tool writes it as protobuf does, an empty Duration.
        zero = build(nonce, 0, 0, b"no time at all")
        self.assertIn(bytes.fromhex("1200"), zero)
        self.assertEqual(self.ok(*self.open_args(), stdin=zero).out, b"no time at all")
        self.assertEqual(self.seal(b"no time at all", "--nonce", nonce.hex(), "--fingerprint", "beef", "--timeout", "0"),
                         zero)
        # Bonanza's message for a missing nonce.
        err = self.fails(2, *self.open_args(), stdin=build(b"", 60, 0, b"x")).err
        self.assertIn(b"Nonce was 0 bytes in size, while 12 bytes were expected", err)

    @unittest.skipUnless(PROTO_PYTHON, "google.protobuf is not installed (scripts/bootstrap installs python3-protobuf)")
    def test_encoding_is_protobufs_deterministic_serialization(self):
        # Several shapes: with and without fingerprint, large timeouts (multi-byte varints).
        for extra in ((), ("--fingerprint", "00" * 40), ("--timeout", "315576000000"), ("--nonce", "random")):
            action = self.seal(b"p" * 300, *extra)
            self.assertEqual(protobuf(REENCODE, action.hex()).decode().splitlines()[0], action.hex(), extra)


if __name__ == "__main__":
    if PROTO_PYTHON is None:
        print("warning: google.protobuf not found; protobuf byte-equality tests are skipped", file=sys.stderr)
    main()
