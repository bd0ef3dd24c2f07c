# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# The JOSE commands against doc/cli.md and against sqooler's published algorithm
# (doc/protocol.md#signed-results), rebuilt here independently with pydantic and `cryptography`: keys made by
# the tool load and sign in Python, signatures made the sqooler way in Python verify with the tool, and
# the other way round; RFC 7515 compact and flattened forms are cross-checked too.
import base64
import json
import os
import subprocess
import tempfile
from typing import Literal, Optional

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel

import clitest
from clitest import CliTestCase, main


# --- sqooler's algorithm (doc/protocol.md#signed-results), written from doc/protocol.md ---------------------

class RefKey(BaseModel):
    """The JWK JSON sqooler writes: members in this order, x/d padded base64url text."""
    x: str
    key_ops: Literal["sign", "verify"]
    kid: str
    d: Optional[str] = None
    kty: Literal["OKP"] = "OKP"
    alg: Literal["EdDSA"] = "EdDSA"
    crv: Literal["Ed25519"] = "Ed25519"


class RefHeader(BaseModel):
    alg: str = "EdDSA"
    kid: str
    typ: str = "JWS"
    version: str = "0.1"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def b64_unpadded(data: bytes) -> str:
    return b64(data).rstrip("=")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sqooler_message(header: dict, payload: dict) -> bytes:
    header_json = RefHeader(**header).model_dump_json().encode()
    return base64.urlsafe_b64encode(header_json) + b"." + base64.urlsafe_b64encode(json.dumps(payload).encode())


def sqooler_sign(payload: dict, seed: bytes, kid: str) -> dict:
    header = RefHeader(kid=kid).model_dump()
    signature = Ed25519PrivateKey.from_private_bytes(seed).sign(sqooler_message(header, payload))
    return {"header": header, "payload": payload, "signature": b64(signature)}


def sqooler_verify(jws: dict, public_key: dict) -> bool:
    if public_key["key_ops"] != "verify":
        raise ValueError("not a verification key")
    key = Ed25519PublicKey.from_public_bytes(unb64(public_key["x"]))
    try:
        key.verify(unb64(jws["signature"]), sqooler_message(jws["header"], jws["payload"]))
        return True
    except InvalidSignature:
        return False


def new_key(kid="py"):
    seed = os.urandom(32)
    x = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    private = RefKey(x=b64(x), key_ops="sign", kid=kid, d=b64(seed))
    public = RefKey(x=b64(x), key_ops="verify", kid=kid)
    return seed, private, public


PAYLOAD = {"job_id": "6576e9b2", "status": "DONE", "success": True, "value": 0.1, "big": 1e16, "tiny": 1e-07,
           "n": -3, "u": 18446744073709551615, "text": "caf\u00e9 \U0001F600 \"q\"\n\t\x01", "none": None,
           "nested": {"z": [1.0, 2.5, [], {}], "a": "x"}}


class Jwk(CliTestCase):
    def test_generate_is_sqoolers_config_string(self):
        for kid in ("bob", "k\u00e9y \"1\" \\ \u2028", "\U0001F511", "tab\there\x01\x1f\x7f"):
            config = self.ok("jwk", "generate", "--kid", kid).text
            self.assertTrue(config.endswith("\n") and config.count("\n") == 1)
            raw = base64.urlsafe_b64decode(config.strip())        # padded base64url, as sqooler decodes
            self.assertEqual(b64(raw), config.strip())
            key = RefKey.model_validate_json(raw)
            self.assertEqual(key.model_dump_json().encode(), raw)  # byte for byte pydantic's JSON
            self.assertEqual(list(json.loads(raw)), ["x", "key_ops", "kid", "d", "kty", "alg", "crv"])
            self.assertEqual((key.key_ops, key.kid), ("sign", kid))
            seed = base64.urlsafe_b64decode(key.d)
            self.assertEqual(len(key.d), 44)
            self.assertEqual(Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw(),
                             base64.urlsafe_b64decode(key.x))

    def test_generate_needs_a_kid(self):
        self.fails(2, "jwk", "generate")
        self.fails(2, "jwk", "generate", "--kid", "")

    def test_public_from_config(self):
        config = self.ok("jwk", "generate", "--kid", "bob").out
        public = self.ok("jwk", "public", stdin=config).out
        private = RefKey.model_validate_json(base64.urlsafe_b64decode(config.strip()))
        expected = RefKey(x=private.x, key_ops="verify", kid="bob").model_dump_json()
        self.assertEqual(public, expected.encode() + b"\n")
        # a Python-made config string too, without its trailing newline
        _, py_private, py_public = new_key("py")
        config = b64(py_private.model_dump_json().encode()).encode()
        self.assertEqual(self.ok("jwk", "public", stdin=config).out, py_public.model_dump_json().encode() + b"\n")

    def test_public_rejects_bad_input(self):
        self.fails(2, "jwk", "public", stdin=b"not base64!")
        self.fails(2, "jwk", "public", stdin=base64.urlsafe_b64encode(b"{\"x\": 1}"))
        _, private, _ = new_key()
        wrong = private.model_copy(update={"x": b64(os.urandom(32))})
        self.fails(2, "jwk", "public", stdin=b64(wrong.model_dump_json().encode()).encode())


class SqoolerJws(CliTestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.config = self.ok("jwk", "generate", "--kid", "bob").text.strip()
        self.public = json.loads(self.ok("jwk", "public", stdin=self.config.encode()).out)
        self.public_file = self.write("public.json", json.dumps(self.public))

    def tearDown(self):
        self.dir.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_tool_signs_python_verifies(self):
        out = self.ok("jws", "sign", "--key", self.config, stdin=json.dumps(PAYLOAD).encode()).out
        jws = json.loads(out)
        self.assertEqual(out, json.dumps(jws).encode() + b"\n")   # stored as json.dump writes it
        self.assertEqual(jws["header"], {"alg": "EdDSA", "kid": "bob", "typ": "JWS", "version": "0.1"})
        self.assertEqual(jws["payload"], PAYLOAD)
        self.assertTrue(sqooler_verify(jws, self.public))
        # after a storage round trip (json.dump / json.load), as sqooler's verify_result does
        self.assertTrue(sqooler_verify(json.loads(json.dumps(jws)), self.public))
        # and with the key in a file
        key_file = self.write("key.txt", self.config + "\n")
        self.assertEqual(self.ok("jws", "sign", "--key", key_file, stdin=json.dumps(PAYLOAD).encode()).out, out)

    def test_python_signs_tool_verifies(self):
        seed, _, public = new_key("alice")
        key_file = self.write("alice.json", public.model_dump_json())
        jws = sqooler_sign(PAYLOAD, seed, "alice")
        stored = json.dumps(jws).encode()
        r = self.ok("jws", "verify", "--key", key_file, stdin=stored)
        self.assertEqual(r.out, json.dumps(PAYLOAD).encode())
        # any spacing and key order of the stored header
        jws2 = dict(jws, header={"version": "0.1", "typ": "JWS", "kid": "alice", "alg": "EdDSA"})
        self.ok("jws", "verify", "--key", key_file, stdin=json.dumps(jws2, indent=2).encode())

    def test_unusual_kids_both_ways(self):
        # the signed header is pydantic's JSON: raw UTF-8, escaped quotes and control characters
        for kid in ("k\u00e9y-\U0001F511", "q\"uote\\", "tab\there\x01\x7f"):
            seed, private, public = new_key(kid)
            key_file = self.write("unusual.json", public.model_dump_json())
            jws = sqooler_sign(PAYLOAD, seed, kid)
            self.assertEqual(self.ok("jws", "verify", "--key", key_file, stdin=json.dumps(jws).encode()).out,
                             json.dumps(PAYLOAD).encode())
            config = b64(private.model_dump_json().encode())
            out = json.loads(self.ok("jws", "sign", "--key", config, stdin=json.dumps(PAYLOAD).encode()).out)
            self.assertEqual(out["header"]["kid"], kid)
            self.assertTrue(sqooler_verify(out, json.loads(public.model_dump_json())))

    def test_tampering(self):
        seed, _, public = new_key("alice")
        key_file = self.write("alice.json", public.model_dump_json())
        jws = sqooler_sign(PAYLOAD, seed, "alice")
        self.ok("jws", "verify", "--key", key_file, stdin=json.dumps(jws).encode())
        for change in (lambda d: d["payload"].__setitem__("value", 0.2),
                       lambda d: d["payload"].__setitem__("extra", 1),
                       lambda d: d["payload"]["nested"].__setitem__("a", "y"),
                       lambda d: d["header"].__setitem__("alg", "none"),
                       lambda d: d["header"].__setitem__("version", "0.2"),
                       lambda d: d.__setitem__("signature", b64(os.urandom(64)))):
            bad = json.loads(json.dumps(jws))
            change(bad)
            self.fails(1, "jws", "verify", "--key", key_file, stdin=json.dumps(bad).encode())
        # a different key (same kid) and a different kid
        self.fails(1, "jws", "verify", "--key", self.public_file, stdin=json.dumps(sqooler_sign(PAYLOAD, seed, "bob")).encode())
        self.fails(1, "jws", "verify", "--key", key_file, stdin=json.dumps(sqooler_sign(PAYLOAD, seed, "eve")).encode())
        # malformed
        for text in (b"", b"{", b"{\"header\": {}}", json.dumps(dict(jws, signature="AAAA")).encode(),
                     json.dumps(dict(jws, payload=[1])).encode()):
            self.fails(2, "jws", "verify", "--key", key_file, stdin=text)
        self.fails(2, "jws", "verify", "--key", os.path.join(self.dir.name, "missing.json"), stdin=json.dumps(jws).encode())

    def test_repeated_keys_and_odd_spacing_verify_as_python_reads_them(self):
        # The streaming path hands repeated keys to the parser: Python keeps the first position
        # and the last value, and so does the tool.
        seed, _, public = new_key("alice")
        key_file = self.write("alice.json", public.model_dump_json())
        text = '{"payload": {"a": 1, "b": [1.50, -0, 1E400, "\\u00e9\\ud800"], "a": 2}, "header": ' \
               '{"kid": "alice"}, "signature": "%s"}'
        payload = json.loads('{"a": 1, "b": [1.50, -0, 1E400, "\\u00e9\\ud800"], "a": 2}')
        signature = sqooler_sign(payload, seed, "alice")["signature"]
        out = self.ok("jws", "verify", "--key", key_file, stdin=(text % signature).encode()).out
        self.assertEqual(out, json.dumps(payload).encode())
        without_repeat = text.replace('"a": 2}, "header"', '"c": 2}, "header"')
        payload2 = dict(payload, a=1, c=2)
        signature2 = sqooler_sign(payload2, seed, "alice")["signature"]
        self.assertEqual(self.ok("jws", "verify", "--key", key_file, stdin=(without_repeat % signature2).encode()).out,
                         json.dumps(payload2).encode())

    def test_verify_memory_is_bounded(self):
        # A 100 MB array took 2.0 GB: the input is bounded, and a JWSDict's payload is verified
        # as text instead of being built as values first.
        seed, _, public = new_key("alice")
        key_file = self.write("alice.json", public.model_dump_json())
        payload = {"a": [1] * 9_000_000}
        text = json.dumps(sqooler_sign(payload, seed, "alice")).encode()
        stdin_file = self.write("big.json", text.decode())
        with open(stdin_file, "rb") as stdin:
            p = subprocess.Popen([clitest.TOOL, "jws", "verify", "--key", key_file], stdin=stdin,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(p.pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, p.stderr.read())
        peak = usage.ru_maxrss * 1024
        self.assertLess(peak, 10 * len(text), "peak RSS %d MB for %d MB of input" % (peak >> 20, len(text) >> 20))
        # more than 64 MiB: refused before anything is parsed
        r = self.fails(2, "jws", "verify", "--key", key_file, stdin=b" " * (64 << 20) + b"{}")
        self.assertIn(b"larger than", r.err)

    def test_keys_of_small_order_are_refused(self):
        # Under the identity, R = identity and S = 0 verify any payload: OpenSSL accepts it,
        # libsodium refuses, and so does the tool, when the key is read.
        identity = b"\x01" + b"\x00" * 31
        forged = b"\x01" + b"\x00" * 63
        public = {"x": b64(identity), "key_ops": "verify", "kid": "nobody", "d": None, "kty": "OKP",
                  "alg": "EdDSA", "crv": "Ed25519"}
        key_file = self.write("identity.json", json.dumps(public))
        header = {"alg": "EdDSA", "kid": "nobody", "typ": "JWS", "version": "0.1"}
        jws = {"header": header, "payload": {"anything": True}, "signature": b64(forged)}
        r = self.fails(2, "jws", "verify", "--key", key_file, stdin=json.dumps(jws).encode())
        self.assertIn(b"small order", r.err)
        # the same under RFC 8037's form and in compact serialization
        rfc = {"kty": "OKP", "crv": "Ed25519", "x": b64_unpadded(identity)}
        self.fails(2, "jws", "verify", "--key", self.write("identity8037.json", json.dumps(rfc)),
                   stdin=(b64_unpadded(b'{"alg":"EdDSA"}') + "." + b64_unpadded(b"x") + "." + b64_unpadded(forged)).encode())

    def test_sign_rejects_non_objects(self):
        self.fails(2, "jws", "sign", "--key", self.config, stdin=b"[1, 2]")
        self.fails(2, "jws", "sign", "--key", self.config, stdin=b"{\"a\": ")
        self.fails(2, "jws", "sign", "--key", "not-a-key", stdin=b"{}")
        self.fails(2, "jws", "sign", "--key", self.config, "--format", "jwt", stdin=b"{}")


class Rfc7515(CliTestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.seed, self.private, self.public = new_key("carol")
        self.config = b64(self.private.model_dump_json().encode())
        self.key_file = os.path.join(self.dir.name, "carol.json")
        with open(self.key_file, "w") as f:
            f.write(self.public.model_dump_json())
        self.pk = Ed25519PrivateKey.from_private_bytes(self.seed).public_key()

    def tearDown(self):
        self.dir.cleanup()

    def python_verify_compact(self, text):
        protected, payload, signature = text.split(".")
        self.pk.verify(unb64(signature), (protected + "." + payload).encode())
        self.assertEqual(json.loads(unb64(protected)), {"alg": "EdDSA", "kid": "carol"})
        return unb64(payload)

    def test_compact_both_ways(self):
        data = os.urandom(1000) + b"\n\x00"
        out = self.ok("jws", "sign", "--key", self.config, "--format", "compact", stdin=data).text
        self.assertTrue(out.endswith("\n") and "=" not in out)
        self.assertEqual(self.python_verify_compact(out.strip()), data)
        self.assertEqual(self.ok("jws", "verify", "--key", self.key_file, stdin=out.encode()).out, data)
        # Python signs
        protected = b64_unpadded(json.dumps({"alg": "EdDSA", "kid": "carol"}).encode())
        signing_input = protected + "." + b64_unpadded(data)
        sig = Ed25519PrivateKey.from_private_bytes(self.seed).sign(signing_input.encode())
        self.assertEqual(self.ok("jws", "verify", "--key", self.key_file,
                                 stdin=(signing_input + "." + b64_unpadded(sig)).encode()).out, data)
        # tampered payload, alg none, padded parts
        bad_payload = protected + "." + b64_unpadded(data + b"!") + "." + b64_unpadded(sig)
        self.fails(1, "jws", "verify", "--key", self.key_file, stdin=bad_payload.encode())
        none = b64_unpadded(b'{"alg":"none","kid":"carol"}') + "." + b64_unpadded(data) + "."
        self.fails(1, "jws", "verify", "--key", self.key_file, stdin=(none + b64_unpadded(sig)).encode())
        self.fails(2, "jws", "verify", "--key", self.key_file, stdin=(signing_input + "." + b64(sig) + "x").encode())

    def test_flattened_both_ways(self):
        data = b'{"hello": "world"}'
        out = self.ok("jws", "sign", "--key", self.config, "--format", "flattened", stdin=data).out
        flat = json.loads(out)
        self.assertEqual(sorted(flat), ["payload", "protected", "signature"])
        self.assertEqual(self.python_verify_compact(".".join([flat["protected"], flat["payload"], flat["signature"]])), data)
        self.assertEqual(self.ok("jws", "verify", "--key", self.key_file, stdin=out).out, data)
        compact = self.ok("jws", "sign", "--key", self.config, "--format", "compact", stdin=data).text.strip()
        self.assertEqual(compact, ".".join([flat["protected"], flat["payload"], flat["signature"]]))
        flat["header"] = {"kid": "carol"}
        self.fails(2, "jws", "verify", "--key", self.key_file, stdin=json.dumps(flat).encode())

    def test_rfc8037_key_file_and_appendix_a4(self):
        # RFC 8037 A.2 public key and A.4 JWS
        key = os.path.join(self.dir.name, "rfc.json")
        with open(key, "w") as f:
            json.dump({"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}, f)
        a4 = ("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
              "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg")
        self.assertEqual(self.ok("jws", "verify", "--key", key, stdin=a4.encode()).out, b"Example of Ed25519 signing")
        self.fails(1, "jws", "verify", "--key", self.key_file, stdin=a4.encode())
        # a private JWK is not accepted where a public one is expected
        with open(key, "w") as f:
            f.write(self.private.model_dump_json())
        self.fails(2, "jws", "verify", "--key", key, stdin=a4.encode())


if __name__ == "__main__":
    main()
