# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# The `provider` commands against doc/cli.md, and against sqooler's local folder layout (doc/protocol.md,
# "Storage provider layout") rebuilt here independently with `cryptography` and json: files the tool writes are read
# and verified the sqooler way, and files written the sqooler way verify with the tool.
# Races run as many concurrent `sealpipe provider` processes released at once, on every
# backend (folder, SQLite, Redis), repeated.
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

import clitest
from clitest import CliTestCase, Result, main, run


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


JOB = {"experiment_0": {"instructions": [{"name": "load", "wires": [0], "params": []}], "num_wires": 1, "shots": 4,
                        "wire_order": "sequential", "seed": None}}


def config_for(name, sign=True, **changes):
    return dict(CONFIG, display_name=name, sign=sign, **changes)


def status_doc(job_id, status="RUNNING"):
    return {"job_id": job_id, "status": status, "detail": "detail", "error_message": "None"}


# --- one Redis server for the module, on loopback ------------------------------------------

REDIS = {}


def setUpModule():
    server = shutil.which("redis-server")
    if server is None:
        raise RuntimeError("redis-server is required")
    REDIS["dir"] = tempfile.mkdtemp(prefix="sealpipe-provider-redis-")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    REDIS["proc"] = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--dir", REDIS["dir"]], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
    for _ in range(400):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.025)
    REDIS["port"] = port


def tearDownModule():
    if "proc" in REDIS:
        REDIS["proc"].terminate()
        REDIS["proc"].wait(timeout=10)
    shutil.rmtree(REDIS.get("dir", ""), ignore_errors=True)


_REDIS_DB = [0]


def fresh_redis_uri():
    """An emptied database of the module's server (16 of them, used in turn)."""
    _REDIS_DB[0] += 1
    db = _REDIS_DB[0] % 16
    subprocess.run(["redis-cli", "-p", str(REDIS["port"]), "-n", str(db), "FLUSHDB"], capture_output=True, check=True)
    return "redis://127.0.0.1:%d/%d" % (REDIS["port"], db)


def check_conventions(args, r):
    if r.code != 0:
        assert r.code in (1, 2), f"{args}: exit code {r.code} is not 0, 1 or 2: {r.err!r}"
        assert r.out == b"", f"{args}: wrote {r.out[:80]!r} to stdout on failure"
        lines = r.err.decode(errors="replace").splitlines()
        assert len(lines) == 1 and lines[0].startswith("sealpipe: error: "), \
            f"{args}: stderr must be one 'sealpipe: error:' line, got {r.err!r}"


class ProviderTestCase(CliTestCase):
    def setUp(self):
        # in memory where there is a tmpfs: the folder store syncs every write
        shm = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
        self.tmp = tempfile.mkdtemp(prefix="sealpipe-provider-", dir=shm)
        self._keys = 0

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def backends(self):
        """(label, URI) of a fresh store on each backend."""
        n = len(os.listdir(self.tmp))
        yield "dir", "dir:" + os.path.join(self.tmp, "store%d" % n)
        yield "sqlite", "sqlite:" + os.path.join(self.tmp, "store%d.db" % n)
        yield "redis", fresh_redis_uri()

    def tool_key(self, kid):
        """A new key: (config string, public JWK bytes, a file holding the private key)."""
        config = self.ok("jwk", "generate", "--kid", kid).text.strip()
        public = self.ok("jwk", "public", stdin=config.encode()).out
        self._keys += 1
        path = os.path.join(self.tmp, "key%d" % self._keys)
        with open(path, "w") as f:
            f.write(config + "\n")
        os.chmod(path, 0o600)
        return config, public, path

    def publish(self, uri, kid):
        config, public, path = self.tool_key(kid)
        self.ok("provider", "public-key", "upload", "--provider", uri, stdin=public)
        return path

    def race(self, calls):
        """Runs every (args, stdin) at once: each process waits for a line on stdin, and all
        get theirs only when all have started."""
        procs = []
        for args, stdin in calls:
            p = subprocess.Popen(["sh", "-c", 'read _ && exec "$@"', "sh", clitest.TOOL, *map(str, args)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            procs.append((p, args, stdin))
        for p, _, stdin in procs:
            p.stdin.write(b"go\n" + stdin)
        for p, _, _ in procs:
            p.stdin.close()
            p.stdin = None
        results = []
        for p, args, _ in procs:
            out, err = p.communicate(timeout=120)
            r = Result(p.returncode, out, err)
            check_conventions(args, r)
            results.append(r)
        return results


class ProviderCommands(ProviderTestCase):
    def publish_and_sign(self, uri, kid="bob"):
        key = self.publish(uri, kid)
        self.ok("provider", "config", "upload", "--provider", uri, "--display-name", "fermions", "--key", key,
                stdin=dumps(CONFIG))
        self.ok("provider", "result", "upload", "--provider", uri, "--display-name", "fermions", "--job-id", "j1",
                "--key", key, stdin=dumps(result_doc("j1")))
        return key

    def check_backend(self, uri):
        key = self.publish_and_sign(uri)
        public = self.ok("provider", "public-key", "get", "--provider", uri, "--kid", "bob").out
        out = self.ok("provider", "result", "verify", "--provider", uri, "--display-name", "fermions",
                      "--job-id", "j1").out
        self.assertEqual(json.loads(out), result_doc("j1"))
        self.assertEqual(out, dumps(result_doc("j1")) + b"\n")
        # a different key under the published kid: exit 1; the same key again: fine
        _, other_public, other_key = self.tool_key("bob")
        self.fails(1, "provider", "public-key", "upload", "--provider", uri, stdin=other_public)
        self.ok("provider", "public-key", "upload", "--provider", uri, stdin=public)
        # a config update by another key: exit 1; to an unsigned config without key: exit 1;
        # by the owner: exit 0
        updated = dict(CONFIG, description="taken over")
        self.fails(1, "provider", "config", "update", "--provider", uri, "--display-name", "fermions",
                   "--key", other_key, stdin=dumps(updated))
        self.fails(1, "provider", "config", "update", "--provider", uri, "--display-name", "fermions",
                   stdin=dumps(dict(updated, sign=False)))
        self.ok("provider", "config", "update", "--provider", uri, "--display-name", "fermions", "--key", key,
                stdin=dumps(updated))
        # one rule for conflicts with what is stored: exit 1 (a second config, like a second key)
        self.fails(1, "provider", "config", "upload", "--provider", uri, "--display-name", "fermions",
                   "--key", key, stdin=dumps(CONFIG))
        # a signing config needs a key: exit 2
        self.fails(2, "provider", "config", "upload", "--provider", uri, "--display-name", "bosons",
                   stdin=dumps(config_for("bosons")))
        # missing result, unknown backend: exit 1, and the message says it is missing
        r = self.fails(1, "provider", "result", "verify", "--provider", uri, "--display-name", "fermions",
                       "--job-id", "nothere")
        self.assertIn(b"missing", r.err)
        r = self.fails(1, "provider", "result", "verify", "--provider", uri, "--display-name", "nobody",
                       "--job-id", "j1")
        self.assertIn(b"missing", r.err)
        # malformed input: exit 2
        self.fails(2, "provider", "result", "upload", "--provider", uri, "--display-name", "fermions",
                   "--job-id", "j2", "--key", key, stdin=b"{not json")
        self.fails(2, "provider", "result", "upload", "--provider", uri, "--display-name", "fermions",
                   "--job-id", "../x", "--key", key, stdin=dumps(result_doc("x")))

    def test_dir_backend(self):
        self.check_backend("dir:" + self.tmp)

    def test_sqlite_backend(self):
        self.check_backend("sqlite:" + os.path.join(self.tmp, "provider.db"))

    def test_redis_backend(self):
        self.check_backend(fresh_redis_uri())

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
        r = self.fails(1, "provider", "result", "verify", "--provider", "dir:" + self.tmp, "--display-name",
                       "fermions", "--job-id", "j1")
        self.assertIn(b"does not verify", r.err)

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
        # the owner (Python's key, as a config string in a file) may update the config; another may not
        updated = dict(CONFIG, description="updated")
        stranger = os.path.join(self.tmp, "stranger")
        with open(stranger, "w") as f:
            f.write(RefKey("bob-py").config_string())
        self.fails(1, "provider", "config", "update", "--provider", uri, "--display-name", "fermions",
                   "--key", stranger, stdin=dumps(updated))
        os.environ["SEALPIPE_TEST_BOB_KEY"] = bob.config_string()
        try:
            self.ok("provider", "config", "update", "--provider", uri, "--display-name", "fermions",
                    "--key-env", "SEALPIPE_TEST_BOB_KEY", stdin=dumps(updated))
        finally:
            del os.environ["SEALPIPE_TEST_BOB_KEY"]
        self.assertEqual(ref.load("backends/configs/fermions")["payload"]["description"], "updated")
        # a result signed by another key under the same kid: refused
        ref.upload_result("fermions", "j2", result_doc("j2"), RefKey("bob-py"))
        self.fails(1, "provider", "result", "verify", "--provider", uri, "--display-name", "fermions",
                   "--job-id", "j2")
        # an unsigned result: refused
        ref.dump("results/fermions/j3", result_doc("j3"))
        r = self.fails(1, "provider", "result", "verify", "--provider", uri, "--display-name", "fermions",
                       "--job-id", "j3")
        self.assertIn(b"not signed", r.err)

    def test_usage(self):
        self.fails(2, "provider", "result", "verify", "--provider", "ftp://x", "--display-name", "a",
                   "--job-id", "b")
        self.fails(2, "provider", "result", "verify", "--display-name", "a", "--job-id", "b")


class ProviderWorkflow(ProviderTestCase):
    """Item 12: every provider operation from the command line, as a sqooler user runs it."""

    def test_whole_workflow_on_every_backend(self):
        for label, uri in self.backends():
            with self.subTest(backend=label):
                self.workflow(uri)

    def workflow(self, uri):
        bob_config, bob_public, bob = self.tool_key("bob")
        self.ok("provider", "public-key", "upload", "--provider", uri, stdin=bob_public)
        self.ok("provider", "config", "upload", "--provider", uri, "--display-name", "fermions", "--key", bob,
                stdin=dumps(CONFIG))
        self.ok("provider", "config", "upload", "--provider", uri, "--display-name", "bosons",
                stdin=dumps(config_for("bosons", sign=False)))
        self.assertEqual(json.loads(self.ok("provider", "backends", "list", "--provider", uri).out),
                         ["bosons", "fermions"])
        config = json.loads(self.ok("provider", "config", "get", "--provider", uri, "--display-name", "fermions").out)
        self.assertEqual(config["kid"], "bob")
        verified = json.loads(self.ok("provider", "config", "verify", "--provider", uri,
                                      "--display-name", "fermions").out)
        self.assertEqual(verified, config)
        self.fails(1, "provider", "config", "verify", "--provider", uri, "--display-name", "bosons")
        for by in (["--kid", "bob"], ["--display-name", "fermions"]):
            self.assertEqual(self.ok("provider", "public-key", "get", "--provider", uri, *by).out.strip(),
                             bob_public.strip())
        self.fails(2, "provider", "public-key", "get", "--provider", uri)
        # Alice queues two jobs; Bob takes them, posts a status, finishes one DONE and one ERROR.
        ids = [json.loads(self.ok("provider", "job", "upload", "--provider", uri, "--display-name", "fermions",
                                  stdin=dumps(JOB)).out)["job_id"] for _ in range(2)]
        self.ok("provider", "status", "upload", "--provider", uri, "--display-name", "fermions", "--key", bob,
                stdin=dumps(status_doc(ids[0], "INITIALIZING")))
        taken = []
        for _ in range(2):
            nxt = json.loads(self.ok("provider", "job", "next", "--provider", uri, "--display-name", "fermions").out)
            self.assertEqual(nxt["job_json_path"], "jobs/running")
            taken.append(nxt["job_id"])
            self.assertEqual(json.loads(self.ok("provider", "job", "get", "--provider", uri,
                                                "--job-id", nxt["job_id"]).out), JOB)
        self.assertEqual(sorted(taken), sorted(ids))
        self.assertIsNone(json.loads(self.ok("provider", "job", "next", "--provider", uri,
                                             "--display-name", "fermions").out))
        os.environ["SEALPIPE_TEST_KEY"] = bob_config
        try:
            self.ok("provider", "status", "upload", "--provider", uri, "--display-name", "fermions",
                    "--key-env", "SEALPIPE_TEST_KEY", stdin=dumps(status_doc(ids[0])))
        finally:
            del os.environ["SEALPIPE_TEST_KEY"]
        self.assertEqual(json.loads(self.ok("provider", "status", "verify", "--provider", uri, "--display-name",
                                            "fermions", "--job-id", ids[0]).out)["status"], "RUNNING")
        result_file = os.path.join(self.tmp, "result.json")
        with open(result_file, "wb") as f:
            f.write(dumps(result_doc(ids[0])))
        self.fails(2, "provider", "job", "finish", "--provider", uri, "--display-name", "fermions", "--key", bob,
                   stdin=dumps(status_doc(ids[0], "DONE")))  # DONE needs --result
        self.ok("provider", "job", "finish", "--provider", uri, "--display-name", "fermions", "--key", bob,
                "--result", result_file, stdin=dumps(status_doc(ids[0], "DONE")))
        self.ok("provider", "job", "finish", "--provider", uri, "--display-name", "fermions", "--key", bob,
                stdin=dumps(status_doc(ids[1], "ERROR")))
        for args in (("result", "verify"), ("result", "get")):
            self.assertEqual(json.loads(self.ok("provider", *args, "--provider", uri, "--display-name", "fermions",
                                                "--job-id", ids[0]).out), result_doc(ids[0]))
        for job_id, final in ((ids[0], "DONE"), (ids[1], "ERROR")):
            for args in (("status", "verify"), ("status", "get")):
                self.assertEqual(json.loads(self.ok("provider", *args, "--provider", uri, "--display-name",
                                                    "fermions", "--job-id", job_id).out)["status"], final)
        # Item 10: a status for a finished or unknown job is refused (exit 1), as sqooler raises.
        self.fails(1, "provider", "status", "upload", "--provider", uri, "--display-name", "fermions", "--key", bob,
                   stdin=dumps(status_doc(ids[0])))
        self.fails(1, "provider", "status", "upload", "--provider", uri, "--display-name", "fermions", "--key", bob,
                   stdin=dumps(status_doc("0" * 24)))
        self.fails(1, "provider", "job", "finish", "--provider", uri, "--display-name", "fermions", "--key", bob,
                   "--result", result_file, stdin=dumps(status_doc(ids[0], "DONE")))
        self.fails(1, "provider", "job", "get", "--provider", uri, "--job-id", ids[0])
        # Key rotation: both keys agree; the config moves to the new key by a signed update.
        new_config, new_public, new = self.tool_key("bob-2")
        self.ok("provider", "key", "rotate", "--provider", uri, "--key", bob, "--new-key", new)
        self.assertEqual(self.ok("provider", "key", "verify-rotation", "--provider", uri, "--kid", "bob").out.strip(),
                         new_public.strip())
        self.fails(1, "provider", "key", "verify-rotation", "--provider", uri, "--kid", "bob-2")
        self.fails(1, "provider", "config", "update", "--provider", uri, "--display-name", "fermions", "--key", bob,
                   stdin=dumps(CONFIG))
        self.ok("provider", "config", "update", "--provider", uri, "--display-name", "fermions", "--key", new,
                stdin=dumps(CONFIG))
        self.assertEqual(json.loads(self.ok("provider", "config", "verify", "--provider", uri,
                                            "--display-name", "fermions").out)["kid"], "bob-2")

    def test_private_keys_on_the_command_line_warn(self):
        uri = "dir:" + self.tmp
        config, public, path = self.tool_key("bob")
        self.ok("provider", "public-key", "upload", "--provider", uri, stdin=public)
        # The contract's `--key CONFIG` still works, with a warning that names the safe ways.
        other = "dir:" + os.path.join(self.tmp, "other-store")
        self.ok("provider", "public-key", "upload", "--provider", other, stdin=public)
        r = self.ok("provider", "config", "upload", "--provider", other, "--display-name", "fermions",
                    "--key", config, stdin=dumps(CONFIG))
        self.assertIn(b"command line", r.err)
        self.assertIn(b"--key-env", r.err)
        self.assertNotIn(config.encode(), r.err)
        r = self.fails(2, "provider", "config", "upload", "--provider", uri, "--display-name", "fermions",
                       "--key", "not-a-file-nor-a-key", stdin=dumps(CONFIG))
        self.assertIn(b"not a file", r.err)
        self.fails(2, "provider", "config", "upload", "--provider", uri, "--display-name", "fermions",
                   "--key-env", "SEALPIPE_TEST_UNSET_VARIABLE", stdin=dumps(CONFIG))
        self.fails(2, "provider", "config", "upload", "--provider", uri, "--display-name", "fermions",
                   "--key", path, "--key-env", "HOME", stdin=dumps(CONFIG))
        self.ok("provider", "config", "upload", "--provider", uri, "--display-name", "fermions", "--key", path,
                stdin=dumps(CONFIG))


class ProviderSecurity(ProviderTestCase):
    """Items 2 to 6, 8, 9 and 11 of the probe, through the tool, on every backend."""

    def signed_backend(self, uri, name="fermions", kid="bob"):
        key = self.publish(uri, kid)
        self.ok("provider", "config", "upload", "--provider", uri, "--display-name", name, "--key", key,
                stdin=dumps(config_for(name)))
        return key

    def test_a_verified_result_is_bound_to_its_job_and_backend(self):
        # Item 2. `cp results/<name>/j2.json results/<name>/j1.json` verified as j1.
        uri = "dir:" + self.tmp
        key = self.signed_backend(uri)
        for job_id, memory in (("j1", "1 1"), ("j2", "0 0")):
            self.ok("provider", "result", "upload", "--provider", uri, "--display-name", "fermions",
                    "--job-id", job_id, "--key", key, stdin=dumps(result_doc(job_id, memory)))
        shutil.copy(os.path.join(self.tmp, "results/fermions/j2.json"), os.path.join(self.tmp, "results/fermions/j1.json"))
        r = self.fails(1, "provider", "result", "verify", "--provider", uri, "--display-name", "fermions",
                       "--job-id", "j1")
        self.assertIn(b"signed for job 'j2'", r.err)
        self.ok("provider", "result", "verify", "--provider", uri, "--display-name", "fermions", "--job-id", "j2")
        # Another backend using the same key: its own signed config, j2's result copied into it.
        self.ok("provider", "config", "upload", "--provider", uri, "--display-name", "bosons", "--key", key,
                stdin=dumps(config_for("bosons")))
        os.makedirs(os.path.join(self.tmp, "results/bosons"))
        shutil.copy(os.path.join(self.tmp, "results/fermions/j2.json"), os.path.join(self.tmp, "results/bosons/j2.json"))
        r = self.fails(1, "provider", "result", "verify", "--provider", uri, "--display-name", "bosons",
                       "--job-id", "j2")
        self.assertIn(b"backend 'fermions'", r.err)
        # ... nor does a config copied to another backend
        shutil.copy(os.path.join(self.tmp, "backends/configs/fermions.json"),
                    os.path.join(self.tmp, "backends/configs/leptons.json"))
        self.fails(1, "provider", "config", "verify", "--provider", uri, "--display-name", "leptons")
        # The writer does not sign a result for another job.
        self.fails(2, "provider", "result", "upload", "--provider", uri, "--display-name", "fermions",
                   "--job-id", "j3", "--key", key, stdin=dumps(result_doc("j1")))

    def test_only_the_configs_key_uploads_results(self):
        # Item 4. `result upload --key B` overwrote the owner's valid signed result.
        for label, uri in self.backends():
            with self.subTest(backend=label):
                a = self.signed_backend(uri)
                b = self.publish(uri, "mallory")
                _, _, same_kid = self.tool_key("bob")
                self.ok("provider", "result", "upload", "--provider", uri, "--display-name", "fermions",
                        "--job-id", "j1", "--key", a, stdin=dumps(result_doc("j1")))
                for key in (b, same_kid):
                    self.fails(1, "provider", "result", "upload", "--provider", uri, "--display-name", "fermions",
                               "--job-id", "j1", "--key", key, stdin=dumps(result_doc("j1", memory="0 0")))
                out = self.ok("provider", "result", "verify", "--provider", uri, "--display-name", "fermions",
                              "--job-id", "j1").out
                self.assertEqual(json.loads(out), result_doc("j1"))

    def test_a_key_with_an_unsigned_config_is_refused(self):
        # Item 5. `--key` was ignored for "sign": false: stored unsigned, B took it over.
        for label, uri in self.backends():
            with self.subTest(backend=label):
                a = self.publish(uri, "a")
                b = self.publish(uri, "b")
                self.fails(2, "provider", "config", "upload", "--provider", uri, "--display-name", "fermions",
                           "--key", a, stdin=dumps(config_for("fermions", sign=False)))
                self.fails(1, "provider", "config", "get", "--provider", uri, "--display-name", "fermions")
                # "sign" twice: refused, not read with its last value
                twice = dumps(config_for("fermions", sign=True))[:-1] + b', "sign": false}'
                self.fails(2, "provider", "config", "upload", "--provider", uri, "--display-name", "fermions",
                           "--key", a, stdin=twice)
                self.fails(1, "provider", "config", "get", "--provider", uri, "--display-name", "fermions")
                self.ok("provider", "config", "upload", "--provider", uri, "--display-name", "fermions", "--key", a,
                        stdin=dumps(config_for("fermions")))
                # back to unsigned: refused with or without a key
                self.fails(1, "provider", "config", "update", "--provider", uri, "--display-name", "fermions",
                           stdin=dumps(config_for("fermions", sign=False)))
                self.fails(2, "provider", "config", "update", "--provider", uri, "--display-name", "fermions",
                           "--key", b, stdin=dumps(config_for("fermions", sign=False)))
                self.fails(1, "provider", "config", "update", "--provider", uri, "--display-name", "fermions",
                           "--key", b, stdin=dumps(config_for("fermions")))
                self.assertEqual(json.loads(self.ok("provider", "config", "verify", "--provider", uri,
                                                    "--display-name", "fermions").out)["kid"], "a")

    def test_what_is_stored_reads_back(self):
        # Item 6: three ways to store what no read gives back, owner's reads included.
        for label, uri in self.backends():
            with self.subTest(backend=label):
                a = self.signed_backend(uri)
                # 512 levels deep, 513 once signed
                gates = []
                for _ in range(510):
                    gates = [gates]
                deep = config_for("fermions", gates=gates)
                self.fails(2, "provider", "config", "update", "--provider", uri, "--display-name", "fermions",
                           "--key", a, stdin=dumps(deep))
                self.fails(2, "provider", "config", "upload", "--provider", uri, "--display-name", "deep",
                           "--key", a, stdin=dumps(config_for("deep", gates=gates)))
                self.fails(1, "provider", "config", "get", "--provider", uri, "--display-name", "deep")
                # as deep unsigned is fine, and reads back
                self.ok("provider", "config", "upload", "--provider", uri, "--display-name", "deep",
                        stdin=dumps(config_for("deep", sign=False, gates=gates)))
                self.ok("provider", "config", "get", "--provider", uri, "--display-name", "deep")
                self.ok("provider", "config", "verify", "--provider", uri, "--display-name", "fermions")
                # a config whose members are named like a JWSDict's stays an unsigned config
                lookalike = dict(config_for("lookalike", sign=False), header={"kid": "a"}, payload={},
                                 signature="AAAA")
                self.ok("provider", "config", "upload", "--provider", uri, "--display-name", "lookalike",
                        stdin=dumps(lookalike))
                self.assertEqual(json.loads(self.ok("provider", "config", "get", "--provider", uri,
                                                    "--display-name", "lookalike").out)["signature"], "AAAA")
                self.ok("provider", "config", "update", "--provider", uri, "--display-name", "lookalike",
                        "--key", a, stdin=dumps(config_for("lookalike")))
                self.ok("provider", "config", "verify", "--provider", uri, "--display-name", "lookalike")

    def test_escapes_count_against_the_size_limit(self):
        # Item 6: 2-byte characters stored as 6-byte escapes, over the read limit.
        uri = "dir:" + self.tmp
        a = self.signed_backend(uri)
        big = json.dumps(config_for("fermions", description="\u00e9" * 11_200_000), ensure_ascii=False).encode()
        self.assertLess(len(big), 64 << 20)
        r = self.fails(2, "provider", "config", "update", "--provider", uri, "--display-name", "fermions",
                       "--key", a, stdin=big)
        self.assertIn(b"limit", r.err)
        self.ok("provider", "config", "verify", "--provider", uri, "--display-name", "fermions")

    def test_tampering_fails_verification_with_exit_1(self):
        # Item 11: each kind of damage to a stored signed result is a failed verification.
        uri = "dir:" + self.tmp
        key = self.signed_backend(uri)
        self.ok("provider", "result", "upload", "--provider", uri, "--display-name", "fermions", "--job-id", "j1",
                "--key", key, stdin=dumps(result_doc("j1")))
        path = os.path.join(self.tmp, "results/fermions/j1.json")
        with open(path, "rb") as f:
            good = f.read()
        doc = json.loads(good)
        damaged = {
            "an extra header member": dumps(dict(doc, header=dict(doc["header"], extra="x"))),
            "an emptied signature": dumps(dict(doc, signature="")),
            "a truncated file": good[: len(good) // 2],
            "an empty file": b"",
            "a header without kid": dumps(dict(doc, header={"alg": "EdDSA"})),
            "a signature of 63 bytes": dumps(dict(doc, signature=b64(unb64(doc["signature"])[:63]))),
            "a payload that is no object": dumps(dict(doc, payload=[1])),
            "a member twice": good[:-1] + b', "signature": "' + doc["signature"].encode() + b'"}',
            "a fourth member": dumps(dict(doc, more=1)),
            "bytes that are no UTF-8": good.replace(b"fermions", b"ferm\xffons"),
            "an altered measurement": good.replace(b"1 0", b"0 1"),
        }
        for what, text in damaged.items():
            with self.subTest(what):
                with open(path, "wb") as f:
                    f.write(text)
                r = self.fails(1, "provider", "result", "verify", "--provider", uri, "--display-name", "fermions",
                               "--job-id", "j1")
                self.assertNotIn(b"missing", r.err)
        # the same for the config the key is found through
        with open(path, "wb") as f:
            f.write(good)
        config_path = os.path.join(self.tmp, "backends/configs/fermions.json")
        with open(config_path, "rb") as f:
            config = json.loads(f.read())
        with open(config_path, "wb") as f:
            f.write(dumps(dict(config, header=dict(config["header"], extra="x"))))
        self.fails(1, "provider", "result", "verify", "--provider", uri, "--display-name", "fermions", "--job-id", "j1")
        self.fails(1, "provider", "config", "verify", "--provider", uri, "--display-name", "fermions")

    def test_fifo_in_the_folder_store_does_not_hang(self):
        # Item 8. `mkfifo results/<name>/x.json` hung verification.
        uri = "dir:" + self.tmp
        self.signed_backend(uri)
        os.makedirs(os.path.join(self.tmp, "results/fermions"), exist_ok=True)
        os.mkfifo(os.path.join(self.tmp, "results/fermions/x.json"))
        os.mkfifo(os.path.join(self.tmp, "backends/configs/fifo.json"))
        for args in (("result", "verify", "--display-name", "fermions", "--job-id", "x"),
                     ("result", "get", "--display-name", "fermions", "--job-id", "x"),
                     ("config", "verify", "--display-name", "fifo")):
            r = run("provider", args[0], args[1], "--provider", uri, *args[2:])  # run() times out after 120 s
            self.assertNotEqual(r.code, 0)
            self.assertIn(b"not a regular file", r.err)

    def test_long_names_behave_alike_on_every_backend(self):
        # Item 11: kids of 229-250 bytes failed on the folder store only.
        for label, uri in self.backends():
            with self.subTest(backend=label):
                for n in (200, 229, 250):
                    kid = "k" * n
                    _, public, _ = self.tool_key(kid)
                    r = run("provider", "public-key", "upload", "--provider", uri, stdin=public)
                    self.assertEqual(r.code, 0 if n <= 200 else 2, (n, r.err))
                    if n <= 200:
                        self.ok("provider", "public-key", "get", "--provider", uri, "--kid", kid)


class ProviderRaces(ProviderTestCase):
    """Many `sealpipe provider` processes at once, on every backend, repeated."""

    TRIALS = 3

    def test_config_takeover_race(self):
        # Item 1. From an unsigned config, 4 updates with A and 4 with B at once: before, both
        # A and B could win, and B replaced a config A had signed.
        for label, uri in self.backends():
            a = self.publish(uri, "a")
            b = self.publish(uri, "b")
            for trial in range(self.TRIALS):
                name = "race%d" % trial
                self.ok("provider", "config", "upload", "--provider", uri, "--display-name", name,
                        stdin=dumps(config_for(name, sign=False)))
                owners = ["a", "b"] * 4
                calls = [(["provider", "config", "update", "--provider", uri, "--display-name", name,
                           "--key", a if o == "a" else b], dumps(config_for(name, description=o + str(i))))
                         for i, o in enumerate(owners)]
                results = self.race(calls)
                winners = {o for o, r in zip(owners, results) if r.code == 0}
                with self.subTest(backend=label, trial=trial):
                    self.assertEqual(len(winners), 1, [(o, r.code, r.err) for o, r in zip(owners, results)])
                    for o, r in zip(owners, results):
                        self.assertIn(r.code, (0, 1), r.err)
                        if o not in winners:
                            self.assertEqual(r.code, 1, r.err)
                    stored = json.loads(self.ok("provider", "config", "verify", "--provider", uri,
                                                "--display-name", name).out)
                    self.assertEqual({stored["kid"]}, winners)

    def test_job_races(self):
        # Takers never share a job; of the calls that finish one job, one wins, and the final
        # status survives status updates racing with it.
        for label, uri in self.backends():
            key = self.signed_backend_key(uri)
            for trial in range(2):
                ids = {json.loads(self.ok("provider", "job", "upload", "--provider", uri, "--display-name",
                                          "fermions", stdin=dumps(JOB)).out)["job_id"] for _ in range(6)}
                results = self.race([(["provider", "job", "next", "--provider", uri, "--display-name", "fermions"],
                                      b"")] * 9)
                taken = [json.loads(r.out) for r in results]
                got = [t["job_id"] for t in taken if t is not None]
                with self.subTest(backend=label, trial=trial, race="next"):
                    self.assertTrue(all(r.code == 0 for r in results))
                    self.assertEqual(sorted(got), sorted(ids))
                    self.assertEqual(taken.count(None), 3)
                job_id = got[0]
                result_file = os.path.join(self.tmp, "result-%s.json" % job_id)
                with open(result_file, "wb") as f:
                    f.write(dumps(result_doc(job_id)))
                finish = ["provider", "job", "finish", "--provider", uri, "--display-name", "fermions", "--key", key,
                          "--result", result_file]
                post = ["provider", "status", "upload", "--provider", uri, "--display-name", "fermions", "--key", key]
                calls = [(finish, dumps(status_doc(job_id, "DONE"))), (post, dumps(status_doc(job_id)))] * 4
                results = self.race(calls)
                with self.subTest(backend=label, trial=trial, race="finish"):
                    self.assertEqual([r.code for r in results[0::2]].count(0), 1, [r.err for r in results])
                    self.assertTrue(all(r.code in (0, 1) for r in results), [r.err for r in results])
                    status = json.loads(self.ok("provider", "status", "verify", "--provider", uri, "--display-name",
                                                "fermions", "--job-id", job_id).out)
                    self.assertEqual(status["status"], "DONE")
                    self.ok("provider", "result", "verify", "--provider", uri, "--display-name", "fermions",
                            "--job-id", job_id)

    def signed_backend_key(self, uri):
        key = self.publish(uri, "bob")
        self.ok("provider", "config", "upload", "--provider", uri, "--display-name", "fermions", "--key", key,
                stdin=dumps(CONFIG))
        return key

    def test_key_races(self):
        # One winner among processes publishing different keys under one kid, and among
        # rotations of one key to different successors.
        for label, uri in self.backends():
            for trial in range(self.TRIALS):
                publics = [self.tool_key("kid%d" % trial)[1] for _ in range(6)]
                results = self.race([(["provider", "public-key", "upload", "--provider", uri], p) for p in publics])
                with self.subTest(backend=label, trial=trial, race="publish"):
                    self.assertEqual(sorted(r.code for r in results), [0] + [1] * 5, [r.err for r in results])
                    winner = publics[[r.code for r in results].index(0)]
                    self.assertEqual(self.ok("provider", "public-key", "get", "--provider", uri,
                                             "--kid", "kid%d" % trial).out.strip(), winner.strip())
            old = self.publish(uri, "old")
            successors = [self.tool_key("new%d" % i)[2] for i in range(4)]
            results = self.race([(["provider", "key", "rotate", "--provider", uri, "--key", old, "--new-key", n], b"")
                                 for n in successors])
            with self.subTest(backend=label, race="rotate"):
                self.assertEqual(sorted(r.code for r in results), [0, 1, 1, 1], [r.err for r in results])
                winner = [r.code for r in results].index(0)
                rotated = json.loads(self.ok("provider", "key", "verify-rotation", "--provider", uri,
                                             "--kid", "old").out)
                self.assertEqual(rotated["kid"], "new%d" % winner)


if __name__ == "__main__":
    main()
