# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# The `provider` commands against doc/cli.md, and against sqooler's local folder layout
# (doc/protocol.md#storage-provider-layout) rebuilt here independently with `cryptography` and json: files the
# tool writes are read and verified the sqooler way, and files written the sqooler way verify with the tool.
import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from clitest import CliTestCase, main, run


# --- sqooler's folder layout and signing (doc/protocol.md#signed-results), written from doc/protocol.md -----

def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def compact(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def message(header: dict, payload: dict) -> bytes:
    header_json = compact({"alg": header["alg"], "kid": header["kid"], "typ": header["typ"],
                           "version": header["version"]}).encode()
    return base64.urlsafe_b64encode(header_json) + b"." + base64.urlsafe_b64encode(json.dumps(payload).encode())


class RefKey:
    def __init__(self, kid):
        self.kid = kid
        self.seed = os.urandom(32)
        self.x = Ed25519PrivateKey.from_private_bytes(self.seed).public_key().public_bytes_raw()

    def private_jwk(self):
        return {"x": b64(self.x), "key_ops": "sign", "kid": self.kid, "d": b64(self.seed),
                "kty": "OKP", "alg": "EdDSA", "crv": "Ed25519"}

    def public_jwk(self):
        return {"x": b64(self.x), "key_ops": "verify", "kid": self.kid, "d": None,
                "kty": "OKP", "alg": "EdDSA", "crv": "Ed25519"}

    def config_string(self):
        return b64(compact(self.private_jwk()).encode())

    def sign(self, payload: dict) -> dict:
        header = {"alg": "EdDSA", "kid": self.kid, "typ": "JWS", "version": "0.1"}
        sig = Ed25519PrivateKey.from_private_bytes(self.seed).sign(message(header, payload))
        return {"header": header, "payload": payload, "signature": b64(sig)}


class RefFolder:
    """sqooler's LocalProviderExtended file layout, reading and writing with json."""

    def __init__(self, base):
        self.base = base

    def path(self, *parts):
        return os.path.join(self.base, *parts)

    def dump(self, rel, obj):
        full = self.path(rel + ".json")
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            json.dump(obj, f)

    def load(self, rel):
        with open(self.path(rel + ".json"), encoding="utf-8") as f:
            return json.load(f)

    def upload_public_key(self, key: RefKey):
        full = self.path("backends", "public_keys", key.kid + ".json")
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as f:
            f.write(compact(key.public_jwk()))

    def upload_config(self, name, config, key: RefKey):
        config = dict(config, kid=key.kid, sign=True)
        self.dump("backends/configs/" + name, key.sign(config))

    def upload_result(self, name, job_id, result, key: RefKey):
        self.dump("results/%s/%s" % (name, job_id), key.sign(result))

    def verify_result(self, name, job_id) -> bool:
        config = self.load("backends/configs/" + name)
        config = config.get("payload", config)
        public = self.load("backends/public_keys/" + config["kid"])
        if public["key_ops"] != "verify" or public["d"] is not None:
            raise ValueError("not a public key")
        jws = self.load("results/%s/%s" % (name, job_id))
        try:
            Ed25519PublicKey.from_public_bytes(unb64(public["x"])).verify(
                unb64(jws["signature"]), message(jws["header"], jws["payload"]))
            return True
        except InvalidSignature:
            return False


CONFIG = {"description": "Fermions in a tweezer \u00e9\U0001F600", "version": "0.1.2", "display_name": "fermions",
          "cold_atom_type": "fermion", "gates": [], "max_experiments": 1000, "max_shots": 1000000,
          "simulator": True, "supported_instructions": ["load", "measure"], "num_wires": 8,
          "wire_order": "interleaved", "num_species": 2, "pending_jobs": None, "status_msg": None,
          "last_queue_check": None, "sign": True, "kid": None}


def result_doc(job_id, memory="1 0", weight=0.1):
    return {"backend_name": None, "display_name": "fermions", "backend_version": "0.1.2", "job_id": job_id,
            "qobj_id": None, "success": True, "status": "DONE", "header": {"weight": weight, "tiny": 1e-07},
            "results": [{"header": {"name": "experiment_0"}, "shots": 1, "success": True,
                         "data": {"memory": [memory], "instructions": None}}]}


def dumps(obj) -> bytes:
    return json.dumps(obj).encode()


class ProviderCommands(CliTestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="sealpipe-provider-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def tool_key(self, kid):
        config = self.ok("jwk", "generate", "--kid", kid).text.strip()
        public = self.ok("jwk", "public", stdin=config.encode()).out
        return config, public

    def publish_and_sign(self, uri, kid="bob"):
        config, public = self.tool_key(kid)
        self.ok("provider", "public-key", "upload", "--provider", uri, stdin=public)
        self.ok("provider", "config", "upload", "--provider", uri, "--display-name", "fermions", "--key", config,
                stdin=dumps(CONFIG))
        self.ok("provider", "result", "upload", "--provider", uri, "--display-name", "fermions", "--job-id", "j1",
                "--key", config, stdin=dumps(result_doc("j1")))
        return config, public

    def check_backend(self, uri):
        config, public = self.publish_and_sign(uri)
        out = self.ok("provider", "result", "verify", "--provider", uri, "--display-name", "fermions",
                      "--job-id", "j1").out
        self.assertEqual(json.loads(out), result_doc("j1"))
        self.assertEqual(out, dumps(result_doc("j1")) + b"\n")
        # a different key under the published kid: exit 1; the same key again: fine
        _, other_public = self.tool_key("bob")
        self.fails(1, "provider", "public-key", "upload", "--provider", uri, stdin=other_public)
        self.ok("provider", "public-key", "upload", "--provider", uri, stdin=public)
        # a config update by another key: exit 1; by the owner: exit 0
        other_config, _ = self.tool_key("bob")
        updated = dict(CONFIG, description="taken over")
        self.fails(1, "provider", "config", "update", "--provider", uri, "--display-name", "fermions",
                   "--key", other_config, stdin=dumps(updated))
        self.fails(1, "provider", "config", "update", "--provider", uri, "--display-name", "fermions",
                   stdin=dumps(updated))
        self.ok("provider", "config", "update", "--provider", uri, "--display-name", "fermions", "--key", config,
                stdin=dumps(updated))
        # uploading a config twice is refused; a signing config needs --key
        self.fails(2, "provider", "config", "upload", "--provider", uri, "--display-name", "fermions",
                   "--key", config, stdin=dumps(CONFIG))
        self.fails(2, "provider", "config", "upload", "--provider", uri, "--display-name", "bosons",
                   stdin=dumps(CONFIG))
        # missing result, unknown backend: exit 1
        self.fails(1, "provider", "result", "verify", "--provider", uri, "--display-name", "fermions",
                   "--job-id", "nothere")
        self.fails(1, "provider", "result", "verify", "--provider", uri, "--display-name", "nobody",
                   "--job-id", "j1")
        # malformed input: exit 2
        self.fails(2, "provider", "result", "upload", "--provider", uri, "--display-name", "fermions",
                   "--job-id", "j2", "--key", config, stdin=b"{not json")
        self.fails(2, "provider", "result", "upload", "--provider", uri, "--display-name", "fermions",
                   "--job-id", "../x", "--key", config, stdin=dumps(result_doc("x")))

    def test_dir_backend(self):
        self.check_backend("dir:" + self.tmp)

    def test_sqlite_backend(self):
        self.check_backend("sqlite:" + os.path.join(self.tmp, "provider.db"))

    def test_redis_backend(self):
        server = shutil.which("redis-server")
        self.assertIsNotNone(server, "redis-server is required")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", "--dir", self.tmp], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            for _ in range(200):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                    break
                except OSError:
                    time.sleep(0.025)
            self.check_backend("redis://127.0.0.1:%d/0" % port)
        finally:
            proc.terminate()
            proc.wait(timeout=10)

    def test_sqooler_reads_what_the_tool_writes(self):
        self.publish_and_sign("dir:" + self.tmp)
        ref = RefFolder(self.tmp)
        # the files are where sqooler looks, and hold json.dump's bytes
        for rel in ("backends/configs/fermions", "results/fermions/j1"):
            with open(ref.path(rel + ".json"), "rb") as f:
                raw = f.read()
            self.assertEqual(raw, dumps(json.loads(raw)), rel)
        config = ref.load("backends/configs/fermions")
        self.assertEqual(config["payload"]["kid"], "bob")
        self.assertTrue(config["payload"]["sign"])
        self.assertEqual(config["header"], {"alg": "EdDSA", "kid": "bob", "typ": "JWS", "version": "0.1"})
        self.assertEqual(ref.load("backends/public_keys/bob")["key_ops"], "verify")
        self.assertTrue(ref.verify_result("fermions", "j1"))
        # the config's own signature verifies the sqooler way too
        public = ref.load("backends/public_keys/bob")
        Ed25519PublicKey.from_public_bytes(unb64(public["x"])).verify(
            unb64(config["signature"]), message(config["header"], config["payload"]))
        # altered in storage: sqooler's check fails as well as the tool's
        doc = ref.load("results/fermions/j1")
        doc["payload"]["results"][0]["data"]["memory"] = ["0 1"]
        ref.dump("results/fermions/j1", doc)
        self.assertFalse(ref.verify_result("fermions", "j1"))
        self.fails(1, "provider", "result", "verify", "--provider", "dir:" + self.tmp, "--display-name",
                   "fermions", "--job-id", "j1")

    def test_tool_verifies_what_sqooler_writes(self):
        ref = RefFolder(self.tmp)
        bob = RefKey("bob-py")
        ref.upload_public_key(bob)
        ref.upload_config("fermions", CONFIG, bob)
        ref.upload_result("fermions", "j1", result_doc("j1", weight=1e16), bob)
        uri = "dir:" + self.tmp
        out = self.ok("provider", "result", "verify", "--provider", uri, "--display-name", "fermions",
                      "--job-id", "j1").out
        self.assertEqual(json.loads(out), result_doc("j1", weight=1e16))
        # the owner (Python's key, as a config string) may update the config; another may not
        updated = dict(CONFIG, description="updated")
        self.fails(1, "provider", "config", "update", "--provider", uri, "--display-name", "fermions",
                   "--key", RefKey("bob-py").config_string(), stdin=dumps(updated))
        self.ok("provider", "config", "update", "--provider", uri, "--display-name", "fermions",
                "--key", bob.config_string(), stdin=dumps(updated))
        self.assertEqual(ref.load("backends/configs/fermions")["payload"]["description"], "updated")
        # a result signed by another key under the same kid: refused
        ref.upload_result("fermions", "j2", result_doc("j2"), RefKey("bob-py"))
        self.fails(1, "provider", "result", "verify", "--provider", uri, "--display-name", "fermions",
                   "--job-id", "j2")
        # an unsigned result: refused
        ref.dump("results/fermions/j3", result_doc("j3"))
        self.fails(1, "provider", "result", "verify", "--provider", uri, "--display-name", "fermions",
                   "--job-id", "j3")

    def test_usage(self):
        self.fails(2, "provider", "result", "verify", "--provider", "ftp://x", "--display-name", "a",
                   "--job-id", "b")
        self.fails(2, "provider", "result", "verify", "--display-name", "a", "--job-id", "b")


if __name__ == "__main__":
    main()
