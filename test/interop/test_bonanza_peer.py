# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# An independent implementation of Bonanza's protocol in Python (grpcio, protobuf modules that
# protoc generates from proto/ at build time, cryptography and aes_gcm_siv.py) against the
# sealpipe tool, in both directions, checking the bytes on the wire:
#   - Python as worker and as client of `sealpipe scheduler serve`;
#   - Python as the scheduler of `sealpipe worker run` and `sealpipe execute`, including a
#     scheduler that alters an action or an event in flight (caught by the worker, the client).
# Messages travel as raw bytes (no (de)serializers on the channel), so that each side's
# encoding is compared with the deterministic one byte for byte.
#
# Usage: test_bonanza_peer.py SEALPIPE_TOOL GENERATED_PYTHON_DIR WYCHEPROOF_AES_GCM_SIV_JSON
import concurrent.futures
import datetime
import hashlib
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

TOOL, GENERATED, WYCHEPROOF = sys.argv[1:4]
del sys.argv[1:4]
sys.path.insert(0, GENERATED)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import grpc  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, ed25519  # noqa: E402
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: E402
from google.protobuf import duration_pb2, empty_pb2, timestamp_pb2  # noqa: E402

import aes_gcm_siv  # noqa: E402
from bonanza.encryptedaction import encryptedaction_pb2 as ea  # noqa: E402
from bonanza.remoteexecution import remoteexecution_pb2 as rx  # noqa: E402
from bonanza.remoteworker import remoteworker_pb2 as rw  # noqa: E402
from sealpipe.command import command_pb2  # noqa: E402

SYNCHRONIZE = "/bonanza.remoteworker.OperationQueue/Synchronize"
EXECUTE = "/bonanza.remoteexecution.Execution/Execute"
DER, SPKI = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
PEM, PKCS8, NOENC = serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def canonical(message_bytes, cls):
    """The message parsed, after checking that the bytes are its deterministic encoding."""
    m = cls.FromString(message_bytes)
    assert m.SerializeToString(deterministic=True) == message_bytes, f"{cls.__name__} is not canonical"
    return m


def der(public_key):
    return public_key.public_bytes(DER, SPKI)


def secret(private, peer_public, purpose=0):
    s = bytearray(private.exchange(ec.ECDH(), peer_public))
    s[0] ^= purpose
    return bytes(s)


def zeros(private, peer_public):
    e = Cipher(algorithms.AES(secret(private, peer_public)), modes.ECB()).encryptor()
    return e.update(b"\0" * 16) + e.finalize()


def certificate(cn, key, issuer=None, issuer_key=None, ca=False):
    now = datetime.datetime.now(datetime.timezone.utc)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    b = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer.subject if issuer else name)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
    return b.sign(issuer_key or key, None)


class Keys:
    """A P-256 platform key pair, an Ed25519 client CA and a P-256 client certificate."""

    def __init__(self, directory):
        self.platform = ec.generate_private_key(ec.SECP256R1())
        self.ca_key = ed25519.Ed25519PrivateKey.generate()
        self.ca = certificate("client CA", self.ca_key, ca=True)
        self.client = ec.generate_private_key(ec.SECP256R1())
        self.client_cert = certificate("alice", self.client, self.ca, self.ca_key)

        def write(name, data):
            path = os.path.join(directory, name)
            with open(path, "wb") as f:
                f.write(data)
            return path
        self.platform_pem = write("platform.pem", self.platform.private_bytes(PEM, PKCS8, NOENC))
        self.platform_pub = write("platform.pub", self.platform.public_key().public_bytes(PEM, SPKI))
        self.ca_pem = write("ca.pem", self.ca.public_bytes(PEM))
        self.client_pem = write("client.pem", self.client_cert.public_bytes(PEM))
        self.client_key = write("client.key", self.client.private_bytes(PEM, PKCS8, NOENC))

    def seal_action(self, plaintext, seconds=60, nonce=b"\0" * 12):
        a = ea.Action(platform_pkix_public_key=der(self.platform.public_key()),
                      client_certificate_chain=[self.client_cert.public_bytes(DER)], nonce=nonce)
        a.additional_data.execution_timeout.CopyFrom(duration_pb2.Duration(seconds=seconds))
        ad = a.additional_data.SerializeToString(deterministic=True)
        a.ciphertext = aes_gcm_siv.seal(secret(self.client, self.platform.public_key(), 1), nonce, plaintext, ad)
        return a

    def open_action(self, action):
        """As a worker: the plaintext (AD = the canonical re-encoding of additional_data)."""
        leaf = x509.load_der_x509_certificate(action.client_certificate_chain[0]).public_key()
        return aes_gcm_siv.open_(secret(self.platform, leaf, 1), action.nonce, action.ciphertext,
                                 action.additional_data.SerializeToString(deterministic=True))

    def seal_event(self, action, plaintext, purpose):
        leaf = x509.load_der_x509_certificate(action.client_certificate_chain[0]).public_key()
        nonce = os.urandom(12)
        return ea.Event(nonce=nonce, ciphertext=aes_gcm_siv.seal(
            secret(self.platform, leaf, purpose), nonce, plaintext, hashlib.sha256(action.ciphertext).digest()))

    def open_event(self, action, event, purpose):
        """As the client."""
        return aes_gcm_siv.open_(secret(self.client, self.platform.public_key(), purpose), event.nonce,
                                 event.ciphertext, hashlib.sha256(action.ciphertext).digest())


class Tool:
    """A sealpipe process."""

    def __init__(self, *args, stdin=subprocess.DEVNULL):
        self.p = subprocess.Popen([TOOL, *map(str, args)], stdin=stdin, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)

    def finish(self, stdin=None, timeout=60):
        out, err = self.p.communicate(stdin, timeout=timeout)
        return self.p.returncode, out, err

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
        self.p.communicate(timeout=60)


class Peer(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.keys = Keys(self.dir.name)
        self.tools = []

    def tearDown(self):
        for t in self.tools:
            t.stop()

    def tool(self, *args, **kw):
        t = Tool(*args, **kw)
        self.tools.append(t)
        return t


class CryptoSelfCheck(unittest.TestCase):
    def test_aes_gcm_siv_against_wycheproof(self):
        self.assertGreater(aes_gcm_siv.check_wycheproof(WYCHEPROOF), 100)


class PythonAgainstSealpipeScheduler(Peer):
    """Python is the worker and the client; `sealpipe scheduler serve` sits between them."""

    def sync(self, channel, request):
        raw = channel.unary_unary(SYNCHRONIZE)(request.SerializeToString(deterministic=True), timeout=30)
        return canonical(raw, rw.SynchronizeResponse)

    def test_worker_and_client(self):
        server = self.tool("scheduler", "serve", "--listen", "127.0.0.1:0")
        line = server.p.stdout.readline().decode()
        self.assertRegex(line, r"^listening on 127\.0\.0\.1:\d+\n$")
        channel = grpc.insecure_channel("127.0.0.1:" + line.split(":")[-1].strip())
        k = self.keys
        platform_der = der(k.platform.public_key())

        def request(state, proof=b"", prefer_idle=False):
            return rw.SynchronizeRequest(
                worker_id={"peer": "python"}, prefer_being_idle=prefer_idle, current_state=state,
                public_keys=[rw.SynchronizeRequest.PublicKey(pkix_public_key=platform_der, verification_zeros=proof)])
        idle = rw.CurrentState(idle=empty_pb2.Empty())

        # The verification round: one P-256 key, then our zeros are accepted.
        r = self.sync(channel, request(idle))
        self.assertEqual(r.desired_state.WhichOneof("worker_state"), "verifying_public_keys")
        keys = r.desired_state.verifying_public_keys.verification_pkix_public_keys
        self.assertEqual(len(keys), 1)
        ephemeral = serialization.load_der_public_key(keys[0])
        self.assertIsInstance(ephemeral, ec.EllipticCurvePublicKey)
        self.assertEqual(der(ephemeral), keys[0])   # canonical PKIX, uncompressed point
        proof = zeros(k.platform, ephemeral)
        self.assertEqual(self.sync(channel, request(idle, proof, True)).desired_state.WhichOneof("worker_state"),
                         "idle")
        # A wrong proof is answered with nothing but the challenge.
        r = self.sync(channel, request(idle, bytes(16), True))
        self.assertEqual(r.desired_state.WhichOneof("worker_state"), "verifying_public_keys")

        # The worker's idle call is held; the client's Execute wakes it.
        polled = concurrent.futures.ThreadPoolExecutor(1).submit(self.sync, channel, request(idle, proof))
        action = k.seal_action(b"from the python client")
        action_bytes = action.SerializeToString(deterministic=True)
        stream = channel.unary_stream(EXECUTE)(
            rx.ExecuteRequest(action=action, priority=0).SerializeToString(deterministic=True), timeout=30)
        first = canonical(next(stream), rx.ExecuteResponse)
        self.assertRegex(first.name, UUID)
        self.assertIn(first.WhichOneof("stage"), ("queued", "executing"))

        task = polled.result(timeout=30).desired_state.executing
        self.assertRegex(task.task_uuid, UUID)
        self.assertNotEqual(task.task_uuid, first.name)
        self.assertEqual(task.action.SerializeToString(deterministic=True), action_bytes)   # byte for byte
        self.assertEqual(task.effective_execution_timeout.seconds, 60)
        self.assertEqual(k.open_action(task.action), b"from the python client")

        progress = k.seal_event(task.action, b"half way", 2)
        r = self.sync(channel, rw.SynchronizeRequest(
            worker_id={"peer": "python"}, current_state=rw.CurrentState(executing=rw.CurrentState.Executing(
                task_uuid=task.task_uuid, event=progress)),
            public_keys=[rw.SynchronizeRequest.PublicKey(pkix_public_key=platform_der, verification_zeros=proof)]))
        self.assertFalse(r.HasField("desired_state"))
        done = k.seal_event(task.action, b"all done", 3)
        self.sync(channel, rw.SynchronizeRequest(
            worker_id={"peer": "python"}, prefer_being_idle=True,
            current_state=rw.CurrentState(completed=rw.CurrentState.Completed(task_uuid=task.task_uuid, event=done)),
            public_keys=[rw.SynchronizeRequest.PublicKey(pkix_public_key=platform_der, verification_zeros=proof)]))

        rest = [canonical(m, rx.ExecuteResponse) for m in stream]
        events = [m.executing.last_event for m in rest if m.WhichOneof("stage") == "executing"
                  and m.executing.HasField("last_event")]
        self.assertEqual([e.SerializeToString(deterministic=True) for e in events],
                         [progress.SerializeToString(deterministic=True)])
        self.assertEqual(rest[-1].WhichOneof("stage"), "completed")
        self.assertEqual(rest[-1].completed.completion_event.SerializeToString(deterministic=True),
                         done.SerializeToString(deterministic=True))
        self.assertEqual(k.open_event(action, events[0], 2), b"half way")
        self.assertEqual(k.open_event(action, rest[-1].completed.completion_event, 3), b"all done")
        self.assertEqual(stream.code(), grpc.StatusCode.OK)
        channel.close()


class MalformedMessages(Peer):
    """Bytes that are not the messages they claim to be, or too many of them, get a gRPC error and
    leave the scheduler serving."""

    def test_malformed_truncated_and_oversized(self):
        server = self.tool("scheduler", "serve", "--listen", "127.0.0.1:0")
        port = server.p.stdout.readline().decode().split(":")[-1].strip()
        channel = grpc.insecure_channel("127.0.0.1:" + port, options=[("grpc.max_send_message_length", 64 << 20)])
        sync, execute = channel.unary_unary(SYNCHRONIZE), channel.unary_stream(EXECUTE)
        platform_der = der(self.keys.platform.public_key())
        valid = rw.SynchronizeRequest(
            worker_id={"peer": "python"}, current_state=rw.CurrentState(idle=empty_pb2.Empty()),
            public_keys=[rw.SynchronizeRequest.PublicKey(pkix_public_key=platform_der)]).SerializeToString(
                deterministic=True)
        bad = [b"\xff", b"\x0a\xff\xff\xff\xff\x0f", valid[:len(valid) // 2],
               b"\x12\x05\x0a\x03abc",            # a public key that is no PKIX key
               b"\x22\x00"]                        # an empty current_state
        for raw in bad:
            with self.assertRaises(grpc.RpcError) as e:
                sync(raw, timeout=10)
            self.assertIn(e.exception.code(), (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.INTERNAL), raw)
        # Beyond the scheduler's message limit (4 MiB and an envelope): refused before parsing.
        with self.assertRaises(grpc.RpcError) as e:
            sync(b"\x0a" + b"\xff" * (8 << 20), timeout=10)
        self.assertEqual(e.exception.code(), grpc.StatusCode.RESOURCE_EXHAUSTED)
        # Execute: garbage, a truncated action, an action with too many certificates.
        action = self.keys.seal_action(b"x")
        request = rx.ExecuteRequest(action=action).SerializeToString(deterministic=True)
        crowded = ea.Action()
        crowded.CopyFrom(action)
        crowded.client_certificate_chain.extend([b"c"] * 17)
        for raw in [b"\xff\xff", request[:-5], rx.ExecuteRequest(action=crowded).SerializeToString()]:
            with self.assertRaises(grpc.RpcError) as e:
                list(execute(raw, timeout=10))
            self.assertIn(e.exception.code(), (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.INTERNAL), raw)
        # Still serving.
        r = canonical(sync(valid, timeout=10), rw.SynchronizeResponse)
        self.assertEqual(r.desired_state.WhichOneof("worker_state"), "verifying_public_keys")
        self.assertIsNone(server.p.poll())
        channel.close()


class PythonScheduler:
    """A small scheduler of Bonanza's protocol: one queue, one P-256 verification key, and
    the option to alter what it forwards."""

    def __init__(self, keys, tamper=None):
        self.keys, self.tamper = keys, tamper
        self.ephemeral = ec.generate_private_key(ec.SECP256R1())
        self.tasks = queue.Queue()
        self.clients = {}            # task uuid -> queue of (kind, payload) for the client stream
        self.running = {}            # task uuid -> Action
        self.sync_requests = []      # raw bytes received
        self.actions_received = []   # raw Action bytes from clients
        self.rejections = []
        self.lock = threading.Lock()
        self.server = grpc.server(concurrent.futures.ThreadPoolExecutor(16))
        self.server.add_generic_rpc_handlers((
            grpc.method_handlers_generic_handler("bonanza.remoteworker.OperationQueue", {
                "Synchronize": grpc.unary_unary_rpc_method_handler(self.synchronize)}),
            grpc.method_handlers_generic_handler("bonanza.remoteexecution.Execution", {
                "Execute": grpc.unary_stream_rpc_method_handler(self.execute)}),
        ))
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()

    def url(self):
        return "grpc://127.0.0.1:%d" % self.port

    def synchronize(self, raw, context):
        with self.lock:
            self.sync_requests.append(raw)
        q = rw.SynchronizeRequest.FromString(raw)
        keys = [k.pkix_public_key for k in q.public_keys]
        assert keys == sorted(keys), "public keys are not sorted"
        now = timestamp_pb2.Timestamp()
        now.GetCurrentTime()
        response = rw.SynchronizeResponse(next_synchronization_at=now)
        expected = [zeros(self.ephemeral, serialization.load_der_public_key(k)) for k in keys]
        if [k.verification_zeros for k in q.public_keys] != expected:
            response.desired_state.verifying_public_keys.verification_pkix_public_keys.append(
                der(self.ephemeral.public_key()))
            return response.SerializeToString(deterministic=True)
        state = q.current_state.WhichOneof("worker_state")
        if state == "executing":
            e = q.current_state.executing
            if e.HasField("event"):
                self.clients[e.task_uuid].put(("event", e.event))
            response.next_synchronization_at.FromNanoseconds(now.ToNanoseconds() + 50_000_000)
            return response.SerializeToString(deterministic=True)
        if state == "completed":
            c = q.current_state.completed
            event = ea.Event()
            event.CopyFrom(c.event)
            if self.tamper == "event":
                event.ciphertext = event.ciphertext[:-1] + bytes([event.ciphertext[-1] ^ 1])
            self.clients[c.task_uuid].put(("completed", event))
        if state == "rejected":
            r = q.current_state.rejected
            self.rejections.append((r.reason.code, r.reason.message))
            self.clients[r.task_uuid].put(("rejected", r.reason))
        if q.prefer_being_idle:
            response.desired_state.idle.SetInParent()
            return response.SerializeToString(deterministic=True)
        try:
            task_uuid, action = self.tasks.get(timeout=2)
        except queue.Empty:
            response.desired_state.idle.SetInParent()
            return response.SerializeToString(deterministic=True)
        x = response.desired_state.executing
        x.task_uuid = task_uuid
        x.action.CopyFrom(action)
        if self.tamper == "action":
            x.action.ciphertext = action.ciphertext[:-1] + bytes([action.ciphertext[-1] ^ 1])
        x.effective_execution_timeout.CopyFrom(action.additional_data.execution_timeout)
        return response.SerializeToString(deterministic=True)

    def execute(self, raw, context):
        q = canonical(raw, rx.ExecuteRequest)
        self.actions_received.append(q.action.SerializeToString(deterministic=True))
        task_uuid, name = str(uuid.uuid4()), str(uuid.uuid4())
        self.clients[task_uuid] = queue.Queue()
        self.running[task_uuid] = q.action
        yield rx.ExecuteResponse(name=name, queued=rx.ExecuteResponse.Queued()).SerializeToString(deterministic=True)
        self.tasks.put((task_uuid, q.action))
        while True:
            kind, payload = self.clients[task_uuid].get(timeout=60)
            if kind == "event":
                yield rx.ExecuteResponse(name=name, executing=rx.ExecuteResponse.Executing(
                    last_event=payload)).SerializeToString(deterministic=True)
            elif kind == "completed":
                yield rx.ExecuteResponse(name=name, completed=rx.ExecuteResponse.Completed(
                    completion_event=payload)).SerializeToString(deterministic=True)
                return
            else:
                context.abort(grpc.StatusCode(next(c for c in grpc.StatusCode if c.value[0] == payload.code)),
                              payload.message)


class SealpipeAgainstPythonScheduler(Peer):
    """`sealpipe worker run` and `sealpipe execute` with a Python scheduler between them."""

    def run_one(self, tamper=None, text=b"shout this\n"):
        k = self.keys
        s = PythonScheduler(k, tamper)
        self.addCleanup(s.server.stop, None)
        self.tool("worker", "run", "--scheduler", s.url(), "--platform-key", k.platform_pem, "--ca", k.ca_pem,
                  "--worker-id", "peer=sealpipe", "--", "sh", "-c", "echo working >&2; tr a-z A-Z")
        client = self.tool("execute", "--scheduler", s.url(), "--platform-key", k.platform_pub,
                           "--client-cert", k.client_pem, "--client-key", k.client_key, "--timeout", "30",
                           stdin=subprocess.PIPE)
        code, out, err = client.finish(text)
        return s, code, out, err

    def test_worker_and_client(self):
        s, code, out, err = self.run_one()
        self.assertEqual(code, 0, err)
        self.assertEqual(out, b"SHOUT THIS\n")
        self.assertIn(b"event: working\n", err)
        # The client's Action: canonical bytes, and it opens with the platform key in Python.
        self.assertEqual(len(s.actions_received), 1)
        action = canonical(s.actions_received[0], ea.Action)
        self.assertEqual(action.nonce, b"\0" * 12)
        self.assertEqual(action.additional_data.execution_timeout.seconds, 30)
        self.assertEqual(self.keys.open_action(action), b"shout this\n")
        # The worker's requests: sorted keys, its P-256 key as PKIX DER with an uncompressed point,
        # zeros empty at first and correct afterwards.
        first = rw.SynchronizeRequest.FromString(s.sync_requests[0])
        self.assertEqual(first.public_keys[0].pkix_public_key, der(self.keys.platform.public_key()))
        self.assertEqual(first.public_keys[0].verification_zeros, b"")
        self.assertEqual(dict(first.worker_id), {"peer": "sealpipe"})
        later = [rw.SynchronizeRequest.FromString(r) for r in s.sync_requests[1:]]
        self.assertTrue(later)
        for q in later:
            self.assertEqual(q.public_keys[0].verification_zeros,
                             zeros(self.keys.platform, s.ephemeral.public_key()))
        # The completion event opens in Python as a sealpipe.command.Result.
        completed = [q.current_state.completed for q in later if q.current_state.WhichOneof("worker_state") == "completed"]
        self.assertEqual(len(completed), 1)
        self.assertEqual(completed[0].result, rw.CurrentState.Completed.SUCCEEDED)
        result = command_pb2.Result.FromString(self.keys.open_event(action, completed[0].event, 3))
        self.assertEqual((result.stdout, result.exit_code, result.timed_out), (b"SHOUT THIS\n", 0, False))
        # Execution events: purpose 2, random nonces.
        executing = [q.current_state.executing.event for q in later
                     if q.current_state.WhichOneof("worker_state") == "executing"
                     and q.current_state.executing.HasField("event")]
        self.assertTrue(executing)
        self.assertEqual(self.keys.open_event(action, executing[0], 2), b"working")
        self.assertIsNone(self.keys.open_event(action, executing[0], 3))

    def test_an_altered_action_is_rejected_by_the_worker(self):
        s, code, out, err = self.run_one(tamper="action")
        self.assertEqual(code, 1)
        self.assertEqual(out, b"")
        self.assertEqual(len(s.rejections), 1)
        self.assertEqual(s.rejections[0][0], grpc.StatusCode.INVALID_ARGUMENT.value[0])
        self.assertIn(b"INVALID_ARGUMENT", err)

    def test_an_altered_event_is_caught_by_the_client(self):
        s, code, out, err = self.run_one(tamper="event")
        self.assertEqual(code, 1)
        self.assertEqual(out, b"")
        self.assertIn(b"completion event", err)


if __name__ == "__main__":
    unittest.main()
