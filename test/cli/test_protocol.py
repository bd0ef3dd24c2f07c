# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# The worked examples of doc/protocol.md, byte for byte: each value is produced by the tool
# (and, where a second computation is cheap, by Python's hashlib and `cryptography`), and
# must appear in the page as written there, so that the page and the code cannot drift apart.
import base64
import hashlib
import os
import pathlib
import re
import tempfile

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from clitest import CliTestCase, main

PAGE = (pathlib.Path(__file__).resolve().parents[2] / "doc" / "protocol.md").read_text(encoding="utf-8")
TMP = tempfile.mkdtemp(prefix="sealpipe-protocol-")

# RFC 7748 section 6.1 and RFC 8032 section 7.1, test 1.
ALICE_X25519 = bytes.fromhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
BOB_X25519 = bytes.fromhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
ED25519_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")


def spaced(hex_text):
    """'a6746f' -> 'a6 74 6f', the way the page writes byte strings."""
    return " ".join(hex_text[i:i + 2] for i in range(0, len(hex_text), 2))


def write(name, data):
    path = os.path.join(TMP, name)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    return path


class WorkedExamples(CliTestCase):
    def on_page(self, text):
        self.assertTrue(text in PAGE, f"doc/protocol.md does not show {text!r}")

    def test_reference_of_a_one_byte_object(self):
        ref = self.ok("object", "ref", stdin=b"a").text.strip()
        self.assertEqual(ref[:64], hashlib.sha256(b"a").hexdigest())
        self.on_page(f"{ref[:64]} {ref[64:70]} {ref[70:72]} {ref[72:76]} {ref[76:80]}")
        human = self.ok("object", "inspect", ref).text.strip()
        self.assertEqual(human, f"SHA256={ref[:64]}:S=1:H=0:D=0:M=0")

    def test_largest_reference(self):
        block = re.search(r"\n  (37ddcf55[0-9a-f]{56}) (\w{6}) (\w{2}) (\w{4}) (\w{4})\n", PAGE)
        self.assertIsNotNone(block)
        human = self.ok("object", "inspect", "".join(block.groups())).text.strip()
        self.assertTrue(human.endswith(":S=2097152:H=255:D=52428:M=532676608"), human)

    def test_simple_lzw(self):
        chain = write("lzw.json", '[{"lzwCompressing": {}}]')
        raw = self.ok("encode", "--encoders", chain, stdin=b"ABCDEF").out
        self.assertEqual(raw, b"\x80ABCDEF")
        self.on_page(spaced(raw.hex()))
        text = b"to be or not to be, to be or not to be"
        packed = self.ok("encode", "--encoders", chain, stdin=text).out
        self.assertEqual(len(text), 38)
        self.on_page(spaced(packed.hex()))
        self.assertEqual(self.ok("decode", "--encoders", chain, stdin=packed).out, text)

    def test_additional_data_messages(self):
        for message in ("", "0801", "0802", "12020a00"):
            digest = hashlib.sha256(bytes.fromhex(message)).hexdigest()
            self.on_page(f"`{digest[:8]}…{digest[-8:]}`")

    def test_purpose_keys_and_verification_zeros(self):
        alice = X25519PrivateKey.from_private_bytes(ALICE_X25519)
        bob = X25519PrivateKey.from_private_bytes(BOB_X25519)
        alice_pem = write("alice.pem", alice.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption()))
        bob_pub = write("bob.pub", bob.public_key().public_bytes(serialization.Encoding.PEM,
                                                                serialization.PublicFormat.SubjectPublicKeyInfo))
        secret = self.ok("key", "ecdh", "--private", alice_pem, "--peer", bob_pub).text.strip()
        self.assertEqual(bytes.fromhex(secret), alice.exchange(bob.public_key()))
        self.on_page(f"| shared secret | `{secret}` |")
        for purpose, tweak in (("action", 1), ("execution-event", 2), ("completion-event", 3)):
            key = self.ok("key", "ecdh", "--private", alice_pem, "--peer", bob_pub, "--purpose", purpose).text.strip()
            self.assertEqual(key, f"{int(secret[:2], 16) ^ tweak:02x}{secret[2:]}")
            self.on_page(f"(`^ {tweak}`) | `{key}` |")
        zeros = self.ok("key", "verification-zeros", "--private", alice_pem, "--peer", bob_pub).text.strip()
        encryptor = Cipher(algorithms.AES(bytes.fromhex(secret)), modes.ECB()).encryptor()
        self.assertEqual(bytes.fromhex(zeros), encryptor.update(bytes(16)) + encryptor.finalize())
        self.on_page(f"`{zeros}`")

    def test_jwk_jwsdict_and_compact_jws(self):
        jwk = re.search(r'private JWK `(\{"x":[^`]+\})`', PAGE).group(1)
        config = write("key.config", base64.urlsafe_b64encode(jwk.encode()).decode())
        self.assertIn(f'"d":"{base64.urlsafe_b64encode(ED25519_SEED).decode()}"', jwk)
        stored = self.ok("jws", "sign", "--key", config, stdin=b'{"job_id": "1", "counts": [1.0, 2]}').text.strip()
        self.on_page(f"stored       {stored}\n")
        compact = self.ok("jws", "sign", "--key", config, "--format", "compact", stdin=b"hello").text.strip()
        self.on_page(compact)
        public = write("key.pub", self.ok("jwk", "public", stdin=open(config, "rb").read()).out)
        self.ok("jws", "verify", "--key", public, stdin=stored.encode())
        self.ok("jws", "verify", "--key", public, stdin=compact.encode())


if __name__ == "__main__":
    main()
