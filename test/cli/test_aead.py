# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# `aead seal` / `aead open` against doc/cli.md: cross-checked with Python cryptography's
# AESGCMSIV (OpenSSL) on random inputs and with every Wycheproof AES-GCM-SIV case; exit codes.
import json
import os
import random

from clitest import CliTestCase, main, vectors

from cryptography.hazmat.primitives.ciphers.aead import AESGCMSIV


def wycheproof_cases():
    with open(vectors("wycheproof", "aes_gcm_siv_test.json")) as f:
        doc = json.load(f)
    for group in doc["testGroups"]:
        for t in group["tests"]:
            yield t


class AeadAgainstCryptography(CliTestCase):
    def test_random_messages_both_directions(self):
        rng = random.Random(8452)
        sizes = [0, 1, 15, 16, 17, 64, 255, 1024, 4096 + 3, 70000]
        for i, n in enumerate(sizes):
            key = rng.randbytes(16 if i % 2 else 32)
            nonce = rng.randbytes(12)
            aad = rng.randbytes(rng.randrange(0, 100)) if i % 3 else b""
            msg = rng.randbytes(n)
            ref = AESGCMSIV(key).encrypt(nonce, msg, aad or None)
            args = ["--key", key.hex(), "--nonce", nonce.hex()] + (["--aad", aad.hex()] if aad else [])
            with self.subTest(size=n, key_bytes=len(key)):
                self.assertEqual(self.ok("aead", "seal", *args, stdin=msg).out, ref)
                # What cryptography sealed, the tool opens; and what the tool sealed, cryptography opens.
                self.assertEqual(self.ok("aead", "open", *args, stdin=ref).out, msg)
                sealed = self.ok("aead", "seal", *args, stdin=msg).out
                self.assertEqual(AESGCMSIV(key).decrypt(nonce, sealed, aad or None), msg)

    def test_upper_case_hex_is_accepted(self):
        key, nonce = os.urandom(32), os.urandom(12)
        ref = AESGCMSIV(key).encrypt(nonce, b"hello", None)
        self.assertEqual(self.ok("aead", "seal", "--key", key.hex().upper(), "--nonce", nonce.hex().upper(),
                                 stdin=b"hello").out, ref)


class AeadWycheproof(CliTestCase):
    def test_every_case(self):
        count = 0
        for t in wycheproof_cases():
            args = ["--key", t["key"], "--nonce", t["iv"]] + (["--aad", t["aad"]] if t["aad"] else [])
            sealed = bytes.fromhex(t["ct"] + t["tag"])
            with self.subTest(tcId=t["tcId"]):
                if t["result"] == "valid":
                    self.assertEqual(self.ok("aead", "open", *args, stdin=sealed).out, bytes.fromhex(t["msg"]))
                    self.assertEqual(self.ok("aead", "seal", *args, stdin=bytes.fromhex(t["msg"])).out, sealed)
                else:
                    self.fails(1, "aead", "open", *args, stdin=sealed)
            count += 1
        self.assertEqual(count, 202)


class AeadExitCodes(CliTestCase):
    key = "00" * 32
    nonce = "00" * 12

    def test_authentication_failure_is_exit_1(self):
        sealed = self.ok("aead", "seal", "--key", self.key, "--nonce", self.nonce, stdin=b"secret").out
        for i in range(len(sealed)):
            bad = bytearray(sealed)
            bad[i] ^= 1
            r = self.fails(1, "aead", "open", "--key", self.key, "--nonce", self.nonce, stdin=bytes(bad))
            self.assertIn("authentication failed", r.err.decode())
        self.fails(1, "aead", "open", "--key", self.key, "--nonce", self.nonce, "--aad", "01", stdin=sealed)
        self.fails(1, "aead", "open", "--key", self.key, "--nonce", "01" + "00" * 11, stdin=sealed)

    def test_bad_lengths_are_exit_2(self):
        for key in ("00" * 15, "00" * 24, "00" * 33, ""):
            r = self.fails(2, "aead", "seal", "--key", key, "--nonce", self.nonce, stdin=b"x")
            self.assertIn("expected 16 or 32 bytes", r.err.decode())
            self.fails(2, "aead", "open", "--key", key, "--nonce", self.nonce, stdin=b"x" * 20)
        for nonce in ("00" * 11, "00" * 13, "00" * 16):
            r = self.fails(2, "aead", "seal", "--key", self.key, "--nonce", nonce, stdin=b"x")
            self.assertIn("expected 12 bytes", r.err.decode())
        self.fails(2, "aead", "open", "--key", self.key, "--nonce", self.nonce, stdin=b"x" * 15)   # shorter than a tag

    def test_usage_errors_are_exit_2(self):
        self.fails(2, "aead", "seal", "--nonce", self.nonce)                      # --key missing
        self.fails(2, "aead", "seal", "--key", self.key)                          # --nonce missing
        self.fails(2, "aead", "seal", "--key", "zz" * 16, "--nonce", self.nonce)  # not hex
        self.fails(2, "aead", "open", "--key", self.key, "--nonce", self.nonce, "--aad", "abc")
        self.fails(2, "aead", "frobnicate")


if __name__ == "__main__":
    main()
