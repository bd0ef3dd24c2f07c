# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# `encoders new`: the chain it prints or writes (every option, the defaults), the file it
# creates (mode 0600 whatever the umask, never over an existing file or through a symlink),
# usage errors, fresh keys, and that its output is what `encode`, `decode`, `store put` and
# `store get` read (checked against Python's AES-GCM-SIV too).
import base64
import hashlib
import json
import os
import stat
import subprocess
import tempfile

import clitest
from clitest import CliTestCase, main, run

from cryptography.hazmat.primitives.ciphers.aead import AESGCMSIV


def padme(n):
    e = n.bit_length() - 1
    s = e - e.bit_length()
    return ((n >> s) + 1) << s


class EncodersNew(CliTestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def chain(self, *options):
        r = self.ok("encoders", "new", *options)
        self.assertTrue(r.out.endswith(b"\n") and r.out.count(b"\n") == 1, r.out)
        return json.loads(r.out), r

    def key_of(self, chain):
        return base64.b64decode(chain[-1]["encrypting"]["encryptionKey"], validate=True)

    def test_defaults(self):
        chain, r = self.chain()
        self.assertEqual(r.err, b"")
        self.assertEqual(len(chain), 2)
        self.assertEqual(chain[0], {"lzwCompressing": {}})
        self.assertEqual(list(chain[1]), ["encrypting"])
        self.assertEqual(list(chain[1]["encrypting"]), ["encryptionKey"])   # AES-GCM-SIV: no "aead"
        self.assertEqual(len(self.key_of(chain)), 32)
        # Exactly the documented form, byte for byte.
        key = chain[1]["encrypting"]["encryptionKey"]
        self.assertEqual(r.out.decode(), '[{"lzwCompressing": {}}, {"encrypting": {"encryptionKey": "%s"}}]\n' % key)

    def test_each_option(self):
        self.assertEqual(self.chain("--compress", "lzw")[0][0], {"lzwCompressing": {}})
        self.assertEqual(self.chain("--compress", "zstd")[0][0], {"zstdCompressing": {"level": 3}})
        self.assertEqual(self.chain("--compress", "zstd:19")[0][0], {"zstdCompressing": {"level": 19}})
        self.assertEqual(self.chain("--compress=zstd:-5")[0][0], {"zstdCompressing": {"level": -5}})
        none, _ = self.chain("--compress", "none")
        self.assertEqual(len(none), 1)
        self.assertIn("encrypting", none[0])
        siv, r = self.chain("--aead", "aes-gcm-siv")
        self.assertNotIn("aead", siv[1]["encrypting"])
        self.assertEqual(r.err, b"")
        gcm, r = self.chain("--aead", "aes-gcm")
        self.assertEqual(gcm[1]["encrypting"]["aead"], "AES_GCM")
        self.assertIn(b"randomized mode", r.err)   # a note, not an error: exit 0
        self.assertEqual(len(self.key_of(self.chain("--key-bits", "128")[0])), 16)
        self.assertEqual(len(self.key_of(self.chain("--key-bits", "256")[0])), 32)
        both, _ = self.chain("--compress", "none", "--aead", "aes-gcm", "--key-bits", "128")
        self.assertEqual(len(both), 1)
        self.assertEqual(len(self.key_of(both)), 16)

    def test_two_runs_give_different_keys(self):
        keys = {self.key_of(self.chain()[0]) for _ in range(3)}
        self.assertEqual(len(keys), 3)

    def test_out_creates_a_private_file(self):
        out = self.path("encoders.json")
        # A permissive umask must not widen the mode; nothing goes to stdout.
        p = subprocess.run([clitest.TOOL, "encoders", "new", "--out", out], capture_output=True,
                           preexec_fn=lambda: os.umask(0))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, b"")
        st = os.stat(out)
        self.assertTrue(stat.S_ISREG(st.st_mode))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o600)
        with open(out, "rb") as f:
            text = f.read()
        chain = json.loads(text)
        self.assertTrue(text.endswith(b"\n"))
        self.assertEqual(chain[0], {"lzwCompressing": {}})
        self.assertEqual(len(self.key_of(chain)), 32)
        # A restrictive umask does not take the owner's access away either.
        out2 = self.path("strict.json")
        p = subprocess.run([clitest.TOOL, "encoders", "new", "--out", out2], capture_output=True,
                           preexec_fn=lambda: os.umask(0o377))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(out2).st_mode), 0o600)

    def test_out_refuses_to_overwrite(self):
        out = self.path("encoders.json")
        self.ok("encoders", "new", "--out", out)
        with open(out, "rb") as f:
            before = f.read()
        r = self.fails(2, "encoders", "new", "--out", out)
        self.assertIn(b"already exists", r.err)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), before)
        # Not through a symlink either, even a dangling one: its target is not created.
        target = self.path("target.json")
        link = self.path("link.json")
        os.symlink(target, link)
        self.fails(2, "encoders", "new", "--out", link)
        self.assertFalse(os.path.exists(target))
        # A directory that does not exist: exit 2, nothing created.
        self.fails(2, "encoders", "new", "--out", self.path("missing/encoders.json"))

    def test_bad_options_are_usage_errors(self):
        for args in (["--compress", "gzip"], ["--compress", "zstd:"], ["--compress", "zstd:x"],
                     ["--compress", "zstd:99"], ["--compress", "zstd:3x"], ["--compress", "LZW"],
                     ["--aead", "chacha20"], ["--aead", "AES_GCM"], ["--key-bits", "192"], ["--key-bits", "0x100"],
                     ["--out"], ["--colour", "blue"], ["positional"], ["--key-bits", "256", "--key-bits", "128"]):
            with self.subTest(args=args):
                r = self.fails(2, "encoders", "new", *args)
                self.assertIn(b"sealpipe: error: ", r.err)
        self.assertEqual(os.listdir(self.dir), [])

    def test_the_file_works_with_store_put_and_get(self):
        enc = self.path("encoders.json")
        self.ok("encoders", "new", "--out", enc)
        tree = self.path("tree")
        os.makedirs(os.path.join(tree, "sub"))
        with open(os.path.join(tree, "a.txt"), "wb") as f:
            f.write(b"stored with a chain from `encoders new`\n" * 100)
        with open(os.path.join(tree, "sub", "b.bin"), "wb") as f:
            f.write(os.urandom(5000))
        uri = "sqlite:" + self.path("objects.db")
        link = self.ok("store", "put", "--store", uri, "--encoders", enc, tree).text.strip()
        self.assertRegex(link, r"^[0-9a-f]{80}\.[0-9a-f]{32}$")
        out = self.path("restored")
        self.ok("store", "get", "--store", uri, "--encoders", enc, link, "--out", out)
        for rel in ("a.txt", os.path.join("sub", "b.bin")):
            with open(os.path.join(tree, rel), "rb") as f1, open(os.path.join(out, rel), "rb") as f2:
                self.assertEqual(f1.read(), f2.read())
        # Another fresh chain does not open what this one stored.
        other = self.path("other.json")
        self.ok("encoders", "new", "--out", other)
        self.fails(1, "store", "get", "--store", uri, "--encoders", other, link, "--out", self.path("nope"))

    def test_the_key_is_the_one_encode_uses(self):
        # [encrypting] alone, deterministic: AES-GCM-SIV under the file's key, zero nonce, and
        # the additional data SHA-256 of the empty message.
        enc = self.path("encoders.json")
        self.ok("encoders", "new", "--compress", "none", "--out", enc)
        with open(enc) as f:
            key = self.key_of(json.load(f))
        params = self.path("params.txt")
        data = b"checked in Python"
        sealed = self.ok("encode", "--encoders", enc, "--params-out", params, stdin=data).out
        with open(params) as f:
            tag = bytes.fromhex(f.read().strip())
        padded = AESGCMSIV(key).decrypt(bytes(12), sealed + tag, hashlib.sha256(b"").digest())
        self.assertEqual(padded, data + b"\x80" + bytes(padme(len(data)) - len(data) - 1))
        # The AES-GCM chain in randomized mode, as the note says.
        gcm = self.path("gcm.json")
        self.ok("encoders", "new", "--aead", "aes-gcm", "--compress", "zstd:1", "--out", gcm)
        sealed = self.ok("encode", "--encoders", gcm, "--mode", "randomized", "--params-out", params, stdin=data).out
        with open(params) as f:
            p = f.read().strip()
        self.assertEqual(self.ok("decode", "--encoders", gcm, "--mode", "randomized", "--params", p,
                                 stdin=sealed).out, data)
        self.fails(2, "encode", "--encoders", gcm, stdin=data)   # deterministic: AES-GCM refused


if __name__ == "__main__":
    main()
