# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# Bonanza's storage services (doc/protocol.md#storage-services) between sealpipe and an
# independent Python implementation (storage_peer.py: grpcio, protobuf modules that protoc
# generates from proto/ at build time, cryptography), in both directions:
#   - the Python client against the Python server (a self-check of the model);
#   - the Python client against `sealpipe storage serve`: objects, verification, leases
#     (opaque, with a 2 s TTL), tags and UploadDags, every response checked to be canonical;
#   - `sealpipe store put|get|check|gc` with a grpc:// store served by the Python server, which
#     checks that the requests were canonical, stores only verified objects, and counts the
#     object bytes a second put of the same tree sends (none).
# Messages travel as raw bytes (no (de)serializers on the channel), so that each side's
# encoding is compared with the deterministic one byte for byte.
#
# Usage: test_storage_peer.py SEALPIPE_TOOL GENERATED_PYTHON_DIR
import base64
import hashlib
import os
import re
import select
import stat
import subprocess
import sys
import tempfile
import time
import unittest

TOOL, GENERATED = sys.argv[1:3]
del sys.argv[1:3]
sys.path.insert(0, GENERATED)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import grpc  # noqa: E402

import storage_peer as sp  # noqa: E402
from bonanza.storage.dag import dag_pb2  # noqa: E402
from bonanza.storage.object import object_pb2  # noqa: E402
from bonanza.storage.tag import tag_pb2  # noqa: E402
from sealpipe.storage import maintenance_pb2  # noqa: E402

TIMEOUT = 30          # every RPC and every wait on a process
TOOL_TIMEOUT = 120    # a whole `store` command
TTL = 2               # the lease TTL of both servers under test, in seconds
Code = grpc.StatusCode
Request = dag_pb2.UploadDagsRequest
# sealpipe's own service, by the full name its .proto gives it (which the Python server lacks).
MAINTENANCE = maintenance_pb2.DESCRIPTOR.services_by_name["Maintenance"].full_name


def flip(b, i=None):
    """b with one byte flipped (the middle one by default)."""
    i = len(b) // 2 if i is None else i
    return b[:i] + bytes([b[i] ^ 1]) + b[i + 1:]


def run_tool(*args, timeout=TOOL_TIMEOUT):
    try:
        return subprocess.run([TOOL, *map(str, args)], stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout)
    except OSError as e:
        raise AssertionError("cannot run the sealpipe tool %s: %s" % (TOOL, e))


class ReferenceModel(unittest.TestCase):
    """storage_peer's references against doc/protocol.md's worked examples."""

    def test_worked_examples(self):
        ref, data = sp.make_object(b"a")
        self.assertEqual(ref.hex(), "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb0100000000000000")
        self.assertIsNone(sp.object_error(ref, data))
        largest = bytes.fromhex("37ddcf55ded31b263331b31ffe68d6f410e8186c61ab66ed8db04e2b43dc4818000020ffcccce097")
        self.assertIsNone(sp.reference_error(largest))
        self.assertEqual(sp.parents_size(largest), 532_676_608)
        for bad in (bytes(40), largest[:39], ref[:36] + b"\1\0" + ref[38:], ref[:35] + b"\1" + ref[36:]):
            self.assertIsNotNone(sp.reference_error(bad))
        self.assertEqual([sp.f16_value(sp.f16_round_up(v)) for v in (4096, 4097, 8193)], [4096, 4098, 8196])
        self.assertEqual(sp.f16_value(0xFFFF), 4_396_972_769_280)
        with self.assertRaises(ValueError):
            sp.f16_round_up(4_396_972_769_281)

    def test_objects(self):
        a, b = sp.leaf(), sp.leaf()
        p = sp.make_object(b"p", [b[0], a[0]])
        self.assertEqual(sp.children(*p), sorted([a[0], b[0]]))
        self.assertEqual((sp.height(p[0]), sp.degree(p[0]), sp.parents_size(p[0])), (1, 2, 0))
        g = sp.make_object(b"g", [p[0]])
        self.assertEqual((sp.height(g[0]), sp.parents_size(g[0])), (2, sp.size(p[0])))
        self.assertIsNone(sp.object_error(*g))
        self.assertIn("SHA-256", sp.object_error(p[0], flip(p[1])))


class StorageChecks:
    """The contract of doc/protocol.md#storage-services, from a client's side. Mixed into a
    TestCase whose setUp provides self.client, an sp.StorageClient of a server for instance
    self.instance that issues leases for TTL seconds."""

    def assertCode(self, code, fn, *args, **kw):
        with self.assertRaises(grpc.RpcError) as e:
            fn(*args, **kw)
        self.assertEqual(e.exception.code(), code, e.exception.details())
        return e.exception

    def complete(self, ref, data=b"", leases=()):
        r = self.client.upload_object(ref, data, leases)
        self.assertEqual(r.WhichOneof("type"), "complete", r)
        self.assertTrue(r.complete.lease)
        return r.complete.lease

    def wanted(self, ref, data=b"", leases=(), want_contents=False):
        r = self.client.upload_object(ref, data, leases, want_contents)
        self.assertEqual(r.WhichOneof("type"), "incomplete", r)
        return list(r.incomplete.want_outgoing_references_leases)

    # -- Objects
    def test_objects_round_trip(self):
        for ref, data in (sp.leaf(b"a"), sp.leaf(os.urandom(1000)), sp.leaf(os.urandom(sp.MAX_OBJECT))):
            self.complete(ref, data)
            self.assertEqual(self.client.download_object(ref), data)
            self.complete(ref, data)        # again: the same answer
            self.complete(ref)              # without contents: it is stored
        missing = sp.leaf()[0]
        self.assertCode(Code.NOT_FOUND, self.client.download_object, missing)
        self.assertCode(Code.NOT_FOUND, self.client.upload_object, missing)

    def test_contents_that_do_not_match_are_refused_and_not_stored(self):
        ref, data = sp.leaf()
        self.assertCode(Code.INVALID_ARGUMENT, self.client.upload_object, ref, flip(data))
        self.assertCode(Code.INVALID_ARGUMENT, self.client.upload_object, ref, data[:-1])
        self.assertCode(Code.NOT_FOUND, self.client.download_object, ref)
        # Right hash and size, but the outgoing references are not ascending.
        a, b = sorted([sp.leaf()[0], sp.leaf()[0]])
        unsorted = b + a + b"payload"
        h, m = sp.summary([a, b])
        ref = (hashlib.sha256(unsorted).digest() + len(unsorted).to_bytes(3, "little") + bytes([h])
               + b"\2\0" + m.to_bytes(2, "little"))
        self.assertCode(Code.INVALID_ARGUMENT, self.client.upload_object, ref, unsorted)
        # Right hash and size, wrong height.
        ref, data = sp.make_object(b"p", [a, b])
        self.assertCode(Code.INVALID_ARGUMENT, self.client.upload_object, ref[:35] + b"\2" + ref[36:], data)
        self.assertCode(Code.NOT_FOUND, self.client.download_object, ref)

    def test_malformed_references(self):
        good = sp.leaf()[0]
        for bad in (good[:39], good + b"\0", bytes(40),                    # length, size 0
                    good[:32] + b"\x50\0\0" + b"\1" + b"\3\0" + b"\0\0",   # degree 3 > 80 / 40
                    good[:36] + b"\1\0" + good[38:],                       # height 0, degree 1
                    good[:38] + b"\1\0"):                                  # height 0, parents size 1
            self.assertCode(Code.INVALID_ARGUMENT, self.client.download_object, bad)
            self.assertCode(Code.INVALID_ARGUMENT, self.client.upload_object, bad, b"x")

    def test_namespaces(self):
        ref, data = sp.leaf()
        self.complete(ref, data)
        for ns in (self.client.namespace(instance=self.instance + "-other"),
                   self.client.namespace(reference_format=object_pb2.ReferenceFormat.UNKNOWN)):
            self.assertCode(Code.INVALID_ARGUMENT, self.client.download_object, ref, namespace=ns)
            self.assertCode(Code.INVALID_ARGUMENT, self.client.upload_object, ref, data, namespace=ns)
        other = sp.StorageClient(self.client_target, self.instance + "-other", TIMEOUT)
        self.addCleanup(other.close)
        signer = sp.TagSigner()
        self.assertCode(Code.INVALID_ARGUMENT, other.resolve_tag, signer.key)
        self.assertCode(Code.INVALID_ARGUMENT, other.update_tag, signer, ref, sp.timestamp(1))
        r = other.raw_upload_dags([Request(handshake=Request.Handshake(namespace=other.namespace()))])
        self.assertEqual(r[1], Code.INVALID_ARGUMENT, r)

    def test_upload_object_arguments(self):
        a, b = sp.leaf(), sp.leaf()
        la = self.complete(*a)
        p = sp.make_object(b"p", [a[0], b[0]])
        self.assertCode(Code.INVALID_ARGUMENT, self.client.upload_object, p[0], p[1], [la])       # 1 lease, degree 2
        self.assertCode(Code.INVALID_ARGUMENT, self.client.upload_object, p[0], p[1], [la] * 3)
        self.assertCode(Code.INVALID_ARGUMENT, self.client.upload_object, p[0], p[1], want_contents=True)
        self.assertCode(Code.INVALID_ARGUMENT, self.client.upload_object, a[0], want_contents=True)  # a leaf

    # -- Leases
    def test_leases(self):
        a, b, c = sp.leaf(), sp.leaf(), sp.leaf()
        lease = {x[0]: self.complete(*x) for x in (a, b, c)}
        p = sp.make_object(b"parent", [a[0], b[0]])
        kids = sp.children(*p)

        self.assertEqual(self.wanted(*p), [0, 1])                              # no leases
        r = self.client.upload_object(p[0], want_contents=True)                # stored by the call above
        self.assertEqual(list(r.incomplete.want_outgoing_references_leases), [0, 1])
        self.assertEqual(r.incomplete.contents, p[1])
        r = self.client.upload_object(p[0], p[1])                             # contents not asked for
        self.assertEqual(r.incomplete.contents, b"")
        self.assertEqual(self.wanted(*p, [lease[kids[0]], b""]), [1])           # an empty slot
        self.assertEqual(self.wanted(*p, [lease[kids[1]], lease[kids[0]]]), [0, 1])   # swapped: other references
        self.assertEqual(self.wanted(*p, [lease[c[0]], lease[kids[1]]]), [0])
        self.assertEqual(self.wanted(*p, [flip(lease[kids[0]]), lease[kids[1]]]), [0])   # forged
        self.assertEqual(self.wanted(*p, [lease[kids[0]], flip(lease[kids[1]], 0)]), [1])
        self.assertEqual(self.wanted(*p, [lease[kids[0]], lease[kids[1]][:-1]]), [1])
        lp = self.complete(*p, [lease[k] for k in kids])
        self.complete(p[0], b"", [lease[k] for k in kids])                   # without contents
        # One level up: the parent's lease vouches for its subtree.
        g = sp.make_object(b"grandparent", [p[0], c[0]])
        self.assertEqual(self.wanted(*g), [0, 1])
        self.complete(*g, [lp if k == p[0] else lease[c[0]] for k in sp.children(*g)])

    def test_expired_leases(self):
        a = sp.leaf()
        la = self.complete(*a)
        time.sleep(TTL * 0.75)
        # A parent's lease ends with its child's, not TTL after its own upload.
        p = sp.make_object(b"p", [a[0]])
        lp = self.complete(*p, [la])
        time.sleep(TTL * 0.45)
        self.assertEqual(self.wanted(*p, [la]), [0])                             # la expired
        g = sp.make_object(b"g", [p[0]])
        self.assertEqual(self.wanted(*g, [lp]), [0])                             # so did lp
        # A fresh lease works again.
        self.complete(*p, [self.complete(*a)])

    # -- Tags
    def test_tags(self):
        signer = sp.TagSigner("tag-" + os.urandom(4).hex())
        x, y = sp.leaf(), sp.leaf()
        lx, ly = self.complete(*x), self.complete(*y)
        base = int(time.time())
        self.assertCode(Code.NOT_FOUND, self.client.resolve_tag, signer.key)

        sent = self.client.update_tag(signer, x[0], sp.timestamp(base, 5))
        r = self.client.resolve_tag(signer.key)
        self.assertEqual(sp.encode(r.signed_value), sp.encode(sent))           # exactly the signed value
        self.assertFalse(r.complete)                                           # no lease given

        # Refused: a bad signature, another key's signature, malformed keys, values and leases.
        bad = signer.sign(y[0], sp.timestamp(base + 9))
        bad.signature = flip(bad.signature)
        self.assertCode(Code.INVALID_ARGUMENT, self.client.update_tag, signer, None, None, signed=bad)
        other = sp.TagSigner("another")
        self.assertCode(Code.INVALID_ARGUMENT, self.client.update_tag, signer, None, None,
                        signed=other.sign(y[0], sp.timestamp(base + 9)))
        self.assertCode(Code.INVALID_ARGUMENT, self.client.update_tag, signer, y[0][:39], sp.timestamp(base + 9))
        self.assertCode(Code.INVALID_ARGUMENT, self.client.update_tag, signer, y[0], sp.timestamp(base + 9, -1))
        self.assertCode(Code.INVALID_ARGUMENT, self.client.update_tag, signer, y[0], None)   # no timestamp
        self.assertCode(Code.INVALID_ARGUMENT, self.client.update_tag, signer, y[0], sp.timestamp(base + 9),
                        lease=lx)                                                # lease of another object
        self.assertCode(Code.INVALID_ARGUMENT, self.client.update_tag, signer, y[0], sp.timestamp(base + 9),
                        lease=flip(ly))
        broken = sp.TagSigner()
        broken.key.hash = broken.key.hash[:31]
        self.assertCode(Code.INVALID_ARGUMENT, self.client.update_tag, broken, y[0], sp.timestamp(base + 9))
        self.assertCode(Code.INVALID_ARGUMENT, self.client.resolve_tag, broken.key)
        broken = sp.TagSigner()
        broken.key.signature_public_key = b"not a key"
        self.assertCode(Code.INVALID_ARGUMENT, self.client.resolve_tag, broken.key)
        self.assertEqual(sp.encode(self.client.resolve_tag(signer.key).signed_value), sp.encode(sent))

        # Older and equal timestamps are accepted and change nothing.
        self.client.update_tag(signer, y[0], sp.timestamp(base - 10))
        self.client.update_tag(signer, y[0], sp.timestamp(base, 5))
        self.assertEqual(sp.encode(self.client.resolve_tag(signer.key).signed_value), sp.encode(sent))

        # The minimum timestamp.
        self.assertCode(Code.NOT_FOUND, self.client.resolve_tag, signer.key, sp.timestamp(base, 6))
        self.assertCode(Code.NOT_FOUND, self.client.resolve_tag, signer.key, sp.timestamp(base + 1))
        self.client.resolve_tag(signer.key, sp.timestamp(base, 5))
        self.client.resolve_tag(signer.key, sp.timestamp(base - 100))

        # Newer, with a valid lease: complete.
        newer = self.client.update_tag(signer, y[0], sp.timestamp(base + 1), lease=ly)
        r = self.client.resolve_tag(signer.key, sp.timestamp(base + 1))
        self.assertEqual(sp.encode(r.signed_value), sp.encode(newer))
        self.assertTrue(r.complete)
        # Another key's tag is another tag; so is another hash under the same public key.
        self.assertCode(Code.NOT_FOUND, self.client.resolve_tag, other.key)
        twin = tag_pb2.Key(signature_public_key=signer.key.signature_public_key, hash=bytes(32))
        self.assertCode(Code.NOT_FOUND, self.client.resolve_tag, twin)

    # -- Whole DAGs
    def test_upload_dags_sends_only_what_is_missing(self):
        L = [sp.leaf() for _ in range(6)]
        m1 = sp.make_object(b"m1", [L[0][0], L[1][0]])
        m2 = sp.make_object(b"m2", [L[2][0], L[3][0]])
        m3 = sp.make_object(b"m3", [L[1][0], L[3][0], L[4][0]])      # shares L1 (stored), L3 (in flight)
        m4 = sp.make_object(b"m4", [L[5][0]])
        root = sp.make_object(b"root", [m1[0], m2[0], m3[0], m4[0]])
        objects = dict([*L, m1, m2, m3, m4, root])
        self.assertEqual(sp.height(root[0]), 2)
        # Before: m1 with its subtree and L5 completely; m2 alone (its children are missing).
        for x in (L[0], L[1], L[5]):
            self.complete(*x)
        self.complete(*m1, [self.complete(k) for k in sp.children(*m1)])
        self.assertEqual(self.wanted(*m2), [0, 1])
        complete_before = {L[0][0], L[1][0], L[5][0], m1[0]}

        signer = sp.TagSigner("dag-" + os.urandom(4).hex())
        when = sp.timestamp(int(time.time()), 123)
        u = self.client.upload_dags([root[0]], objects, tags=[signer.root_tag(root[0], when)])
        self.assertEqual(u.code, Code.OK)
        self.assertEqual([(s.code, s.message) for s in u.statuses], [(0, "")])
        self.assertGreater(u.handshake.maximum_unfinalized_dags_count, 0)
        # 1 root, its 4 children, then the children of m2, m3 and m4 as they were provided.
        self.assertEqual(len(u.index_refs), 11)
        self.assertEqual(sorted(q.lowest_reference_index for q in u.requests), list(range(11)))
        self.assertEqual({q.additional_reference_indices for q in u.requests}, {0})
        first = {}
        for i, ref in enumerate(u.index_refs):
            first.setdefault(ref, i)
        for q in u.requests:
            i = q.lowest_reference_index
            ref = u.index_refs[i]
            expect = ref not in complete_before and first[ref] == i
            self.assertEqual(q.request_contents, expect, (i, sorted(objects).index(ref)))
        self.assertEqual(sum(q.request_contents for q in u.requests), len(objects) - len(complete_before))
        for ref, data in objects.items():
            self.assertEqual(self.client.download_object(ref), data)
        # The root tag was set: the value is the root at the tag's timestamp.
        r = self.client.resolve_tag(signer.key)
        self.assertEqual(sp.encode(r.signed_value), sp.encode(signer.sign(root[0], when)))

        # Again: everything is there, nothing is asked for.
        u = self.client.upload_dags([root[0], m2[0]], objects)
        self.assertEqual([s.code for s in u.statuses], [0, 0])
        self.assertEqual(sorted((q.lowest_reference_index, q.request_contents) for q in u.requests),
                         [(0, False), (1, False)])

    def test_upload_dags_that_fail(self):
        x = sp.leaf()
        abandoned = sp.make_object(b"parent of an abandoned object", [x[0]])
        wrong = sp.leaf()
        fine = sp.leaf()
        objects = dict([abandoned, wrong, fine])          # x missing: provided empty
        objects[wrong[0]] = flip(wrong[1])
        u = self.client.upload_dags([abandoned[0], wrong[0], fine[0]], objects)
        self.assertEqual([s.code for s in u.statuses], [sp.CANCELLED, sp.INVALID_ARGUMENT, sp.OK])
        self.assertEqual(u.code, Code.OK)
        self.assertEqual(sorted(q.lowest_reference_index for q in u.requests), list(range(4)))
        self.assertCode(Code.NOT_FOUND, self.client.download_object, x[0])
        self.assertCode(Code.NOT_FOUND, self.client.download_object, wrong[0])
        self.assertEqual(self.client.download_object(fine[0]), fine[1])
        # A root tag with a bad signature: the DAG fails and the tag is not set.
        signer = sp.TagSigner("bad-" + os.urandom(4).hex())
        tag = signer.root_tag(fine[0], sp.timestamp(1000))
        tag.signature = flip(tag.signature)
        u = self.client.upload_dags([fine[0]], objects, tags=[tag])
        self.assertEqual([s.code for s in u.statuses], [sp.INVALID_ARGUMENT])
        self.assertCode(Code.NOT_FOUND, self.client.resolve_tag, signer.key)

    def test_upload_dags_protocol_violations(self):
        handshake = Request(handshake=Request.Handshake(namespace=self.client.namespace()))
        a = sp.leaf()
        initiate = Request(initiate_dag=Request.InitiateDag(root_reference=a[0]))
        provide = Request(provide_object_contents=Request.ProvideObjectContents(
            lowest_reference_index=0, object_contents=a[1]))
        provide_5 = Request(provide_object_contents=Request.ProvideObjectContents(
            lowest_reference_index=5, object_contents=a[1]))
        for name, messages in (("no handshake", [initiate]),
                               ("two handshakes", [handshake, handshake]),
                               ("a provide not requested", [handshake, provide]),
                               ("an index never assigned", [handshake, initiate, provide_5]),
                               ("a provide twice", [handshake, initiate, provide, provide])):
            with self.subTest(name):
                responses, code, details = self.client.raw_upload_dags(messages)
                self.assertEqual(code, Code.INVALID_ARGUMENT, (details, responses))
        # A malformed root: the call or that DAG ends with INVALID_ARGUMENT (the text allows either).
        responses, code, details = self.client.raw_upload_dags(
            [handshake, Request(initiate_dag=Request.InitiateDag(root_reference=a[0][:39]))])
        finalized = [r.finalize_dag.status.code for r in responses if r.WhichOneof("type") == "finalize_dag"]
        self.assertTrue(code == Code.INVALID_ARGUMENT or finalized == [sp.INVALID_ARGUMENT], (code, details))
        # More DAGs in flight than the server's handshake allows.
        responses, code, details = self.client.raw_upload_dags([handshake])
        self.assertEqual(code, Code.OK, details)
        allowed = responses[0].handshake.maximum_unfinalized_dags_count
        too_many = [handshake] + [Request(initiate_dag=Request.InitiateDag(root_reference=sp.leaf()[0]))
                                  for _ in range(allowed + 1)]
        responses, code, details = self.client.raw_upload_dags(too_many)
        self.assertEqual(code, Code.INVALID_ARGUMENT, details)
        self.assertEqual(responses[0].WhichOneof("type"), "handshake")
        self.assertLessEqual(len(responses), 1 + allowed)   # at most one request per accepted root


class PythonClientPythonServer(StorageChecks, unittest.TestCase):
    """Both sides in Python: the model checks itself."""

    instance = "python-instance"

    def setUp(self):
        self.server = sp.StorageServer(self.instance, lease_ttl=TTL)
        self.addCleanup(self.server.stop)
        self.client_target = self.server.target
        self.client = sp.StorageClient(self.server.target, self.instance, TIMEOUT)
        self.addCleanup(self.client.close)

    def tearDown(self):
        self.assertEqual(self.server.noncanonical_requests(), [])
        for ref, data in self.server.objects.items():
            self.assertIsNone(sp.object_error(ref, data))

    def test_a_corrupt_stored_object_is_data_loss(self):
        ref, data = sp.leaf()
        self.complete(ref, data)
        self.server.corrupt(ref)
        self.assertCode(Code.DATA_LOSS, self.client.download_object, ref)
        del self.server.objects[ref]      # for tearDown's check

    def test_no_maintenance(self):
        call = self.client.channel.unary_unary("/%s/Contains" % MAINTENANCE)
        self.assertCode(Code.UNIMPLEMENTED, call, b"", timeout=TIMEOUT)
        self.assertEqual(self.server.unknown_methods, ["/%s/Contains" % MAINTENANCE])

    def test_a_stream_closed_with_dags_in_flight(self):
        a = sp.leaf()
        responses, code, details = self.client.raw_upload_dags([
            Request(handshake=Request.Handshake(namespace=self.client.namespace())),
            Request(initiate_dag=Request.InitiateDag(root_reference=a[0]))])
        self.assertEqual(code, Code.INVALID_ARGUMENT)
        self.assertIn("unfinalized", details)

    def test_lease_layout_is_not_sealpipes(self):
        lease = self.complete(*sp.leaf())
        self.assertEqual((len(lease), lease[:2]), (42, b"py"))


class SealpipeServer:
    """`sealpipe storage serve` over a SQLite store, as a subprocess."""

    def __init__(self, directory, instance, ttl, extra=()):
        self.err_path = os.path.join(directory, "serve.stderr")
        args = [TOOL, "storage", "serve", "--listen", "127.0.0.1:0", "--store",
                "sqlite:" + os.path.join(directory, "s.db"), "--instance", instance, "--lease-ttl", str(ttl),
                *extra]
        with open(self.err_path, "wb") as err:
            try:
                self.p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err)
            except OSError as e:
                raise AssertionError("cannot run the sealpipe tool %s: %s" % (TOOL, e))
        ready, _, _ = select.select([self.p.stdout], [], [], TIMEOUT)
        line = self.p.stdout.readline().decode() if ready else ""
        m = re.fullmatch(r"listening on 127\.0\.0\.1:(\d+)\n", line)
        if not m:
            if self.p.poll() is None:
                self.p.kill()
            self.p.wait(TIMEOUT)
            raise AssertionError("`%s` did not start: exit %s, stdout %r, stderr %r"
                                 % (" ".join(args), self.p.returncode, line, self.stderr()))
        self.target = "127.0.0.1:" + m.group(1)

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self):
        """SIGTERM; returns (exit code, what it printed on stdout after the first line)."""
        if self.p.poll() is None:
            self.p.terminate()
        try:
            out, _ = self.p.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.communicate()
            raise AssertionError("`storage serve` did not exit within %d s of SIGTERM" % TIMEOUT)
        return self.p.returncode, out


class PythonClientSealpipeServer(StorageChecks, unittest.TestCase):
    """The Python client against `sealpipe storage serve`."""

    instance = "sealpipe-instance"

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.server = SealpipeServer(self.tmp.name, self.instance, TTL)
        self.addCleanup(self.stop_server)
        self.client_target = self.server.target
        self.client = sp.StorageClient(self.server.target, self.instance, TIMEOUT)
        self.addCleanup(self.client.close)

    def stop_server(self):
        if self.server is None:
            return
        server, self.server = self.server, None
        code, out = server.stop()
        self.assertEqual((code, out), (0, b""), server.stderr())

    def test_sigterm_exits_0(self):
        self.complete(*sp.leaf())
        self.stop_server()


def make_tree(root):
    """A few directories, small, empty and executable files, a symlink, and a file larger than
    one object (so that it is chunked)."""
    os.makedirs(os.path.join(root, "src", "nested"))
    os.makedirs(os.path.join(root, "docs"))
    os.makedirs(os.path.join(root, "empty"))
    files = {"README": b"hello\n", "docs/guide.txt": b"read me " * 1000, "src/nested/empty.txt": b"",
             "src/big.bin": os.urandom(2 * 1024 * 1024 + 300_000), "src/small.bin": os.urandom(5000)}
    for name, data in files.items():
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
    with open(os.path.join(root, "run.sh"), "wb") as f:
        f.write(b"#!/bin/sh\necho hi\n")
    os.chmod(os.path.join(root, "run.sh"), 0o755)
    os.symlink("../README", os.path.join(root, "src", "readme-link"))


def snapshot(root):
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir",)
            else:
                with open(p, "rb") as f:
                    out[rel] = ("file", f.read(), bool(st.st_mode & stat.S_IXUSR))
    return out


class SealpipeClientPythonServer(unittest.TestCase):
    """`sealpipe store` with a grpc:// store served by the Python server."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.dir = self.tmp.name
        self.server = sp.StorageServer("tree-instance")
        self.addCleanup(self.server.stop)
        self.uri = self.server.url()
        self.tree = os.path.join(self.dir, "tree")
        make_tree(self.tree)
        self.encoders = os.path.join(self.dir, "enc.json")
        with open(self.encoders, "w") as f:
            f.write('[{"lzwCompressing": {}}, {"encrypting": {"encryptionKey": "%s"}}]'
                    % base64.b64encode(os.urandom(32)).decode())

    def ok(self, *args):
        r = run_tool(*args)
        self.assertEqual(r.returncode, 0, "sealpipe %s: %s" % (" ".join(map(str, args)), r.stderr.decode()))
        return r.stdout.decode()

    def test_put_get_check_and_put_again(self):
        link = self.ok("store", "put", "--store", self.uri, "--encoders", self.encoders, self.tree).strip()
        self.assertRegex(link, r"^[0-9a-f]{80}\.[0-9a-f]*$")
        root = bytes.fromhex(link[:80])
        self.assertEqual(self.server.noncanonical_requests(), [])
        self.assertTrue(self.server.requests("UploadObject") or self.server.requests("UploadDags"))
        # Everything the root reaches is stored, and the server stored only verified objects.
        below = sp.reachable(root, self.server.objects)
        self.assertGreater(len(below), 3)
        self.assertGreater(max(sp.height(r) for r in below), 1)
        for ref, data in self.server.objects.items():
            self.assertIsNone(sp.object_error(ref, data), ref.hex())

        out = os.path.join(self.dir, "out")
        self.ok("store", "get", "--store", self.uri, "--encoders", self.encoders, link, "--out", out)
        self.assertEqual(snapshot(self.tree), snapshot(out))
        self.assertTrue(self.server.requests("DownloadObject"))
        total = sum(len(self.server.objects[r]) for r in below)
        self.assertEqual(self.ok("store", "check", "--store", self.uri, link),
                         "ok: %d objects, %d bytes\n" % (len(below), total))

        # The same tree again: the same root, and no object bytes sent this time.
        sent = self.server.contents_bytes_received()
        self.assertGreaterEqual(sent, total)
        again = self.ok("store", "put", "--store", self.uri, "--encoders", self.encoders, self.tree).strip()
        self.assertEqual(again, link)
        self.assertEqual(self.server.contents_bytes_received(), sent)
        self.assertEqual(self.server.noncanonical_requests(), [])

    def test_gc_needs_maintenance(self):
        link = self.ok("store", "put", "--store", self.uri, "--encoders", self.encoders, self.tree).strip()
        r = run_tool("store", "gc", "--store", self.uri, "--keep", link[:80], "--grace", "3600")
        # A server that cannot do what was asked is the environment's failure: exit 2.
        self.assertEqual(r.returncode, 2, r.stderr.decode())
        self.assertIn("Maintenance", r.stderr.decode())
        # It asked for the service by the name proto/sealpipe/storage/maintenance.proto gives it.
        self.assertTrue(self.server.unknown_methods)
        for method in self.server.unknown_methods:
            self.assertRegex(method, "^/%s/[A-Za-z]+$" % re.escape(MAINTENANCE))
        self.assertIn(bytes.fromhex(link[:80]), self.server.objects)     # nothing was removed

    def test_another_instance_is_refused(self):
        r = run_tool("store", "put", "--store", self.uri + "-other", "--encoders", self.encoders, self.tree)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("INVALID_ARGUMENT", r.stderr.decode())
        self.assertEqual(self.server.objects, {})


class SealpipeClientSealpipeServer(unittest.TestCase):
    """The tool on both sides, each in its own process: faults and several writers at once,
    checked with this file's own model of objects."""

    instance = "shared"

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.dir = self.tmp.name
        self.db = os.path.join(self.dir, "s.db")
        self.server = SealpipeServer(self.dir, self.instance, 600)
        self.addCleanup(lambda: self.server.p.poll() is None and self.server.p.kill())
        self.encoders = os.path.join(self.dir, "enc.json")
        with open(self.encoders, "w") as f:
            f.write('[{"zstdCompressing": {"level": 3}}, {"encrypting": {"encryptionKey": "%s"}}]'
                    % base64.b64encode(os.urandom(32)).decode())

    def uri(self):
        return "grpc://%s/%s" % (self.server.target, self.instance)

    def stored_objects(self):
        """Every object in the served SQLite file, read directly."""
        import sqlite3
        db = sqlite3.connect(self.db)
        try:
            return db.execute("SELECT key, data FROM objects").fetchall()
        finally:
            db.close()

    def random_tree(self, name, files, size):
        root = os.path.join(self.dir, name)
        for i in range(files):
            d = os.path.join(root, "d%02d" % (i % 17))
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "f%04d" % i), "wb") as f:
                f.write(os.urandom(size))
        return root

    def test_server_killed_mid_upload_leaves_whole_objects(self):
        tree = self.random_tree("tree", 600, 48 * 1024)   # about 28 MiB: a put takes a while
        put = subprocess.Popen([TOOL, "store", "put", "--store", self.uri(), "--encoders", self.encoders, tree],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # Kill -9 once the server has written something, while the put is still running.
        deadline = time.time() + TIMEOUT
        while time.time() < deadline and put.poll() is None:
            if os.path.exists(self.db) and len(self.stored_objects()) > 20:
                break
            time.sleep(0.02)
        self.assertIsNone(put.poll(), "the put ended before the server could be killed")
        self.server.p.kill()
        self.server.p.wait(TIMEOUT)
        self.server.p.stdout.close()
        out, err = put.communicate(timeout=TOOL_TIMEOUT)
        self.assertEqual(put.returncode, 2, err.decode())     # an environment failure
        self.assertIn(b"UNAVAILABLE", err)
        self.assertEqual(out, b"", "no root link is printed for an upload that did not finish")
        stored = self.stored_objects()
        self.assertGreater(len(stored), 20)
        for key, data in stored:
            self.assertIsNone(sp.object_error(bytes(key), bytes(data)), "a torn or foreign object was stored")
        # A new server on the same file: the put runs again to the end, and the tree comes back.
        self.server = SealpipeServer(self.dir, self.instance, 600)
        link = run_tool("store", "put", "--store", self.uri(), "--encoders", self.encoders, tree)
        self.assertEqual(link.returncode, 0, link.stderr.decode())
        link = link.stdout.decode().strip()
        out = os.path.join(self.dir, "out")
        r = run_tool("store", "get", "--store", self.uri(), "--encoders", self.encoders, link, "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertEqual(snapshot(out), snapshot(tree))
        self.assertEqual(run_tool("store", "check", "--store", self.uri(), link[:80]).returncode, 0)
        self.assertEqual(self.server.stop()[0], 0)

    def test_tls_and_mutual_tls(self):
        """grpcs:// stores: the server's certificate checked against --tls-ca, and with mutual TLS
        a client without a certificate from the client CA refused."""
        import datetime
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
        now = datetime.datetime.now(datetime.timezone.utc)

        def issue(name, key, issuer_name, issuer_key, ca, usage=None, san=None):
            n = lambda cn: x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
            b = (x509.CertificateBuilder().subject_name(n(name)).issuer_name(n(issuer_name))
                 .public_key(key.public_key()).serial_number(x509.random_serial_number())
                 .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
                 .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
            if usage:
                b = b.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
            if san:
                b = b.add_extension(x509.SubjectAlternativeName(san), critical=False)
            return b.sign(issuer_key, hashes.SHA256())

        def write(name, data):
            path = os.path.join(self.dir, name)
            with open(path, "wb") as f:
                f.write(data)
            return path

        pem = lambda c: c.public_bytes(serialization.Encoding.PEM)
        key_pem = lambda k: k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption())
        ca_key, other_key, server_key, client_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(4))
        ca = issue("storage CA", ca_key, "storage CA", ca_key, True)
        other_ca = issue("other CA", other_key, "other CA", other_key, True)
        import ipaddress
        server = issue("localhost", server_key, "storage CA", ca_key, False, ExtendedKeyUsageOID.SERVER_AUTH,
                       [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
        client = issue("alice", client_key, "storage CA", ca_key, False, ExtendedKeyUsageOID.CLIENT_AUTH)
        files = {"ca": write("ca.pem", pem(ca)), "other": write("other.pem", pem(other_ca)),
                 "cert": write("server.crt", pem(server)), "key": write("server.key", key_pem(server_key)),
                 "ccert": write("client.crt", pem(client)), "ckey": write("client.key", key_pem(client_key))}
        tree = self.random_tree("tls-tree", 5, 3000)
        self.server.stop()
        self.server = SealpipeServer(self.dir, self.instance, 600,
                                     ["--tls-cert", files["cert"], "--tls-key", files["key"],
                                      "--tls-client-ca", files["ca"]])
        uri = "grpcs://%s/%s" % (self.server.target, self.instance)
        put = ["store", "put", "--store", uri, "--encoders", self.encoders, tree]
        r = run_tool(*put, "--tls-ca", files["ca"], "--tls-cert", files["ccert"], "--tls-key", files["ckey"])
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        link = r.stdout.decode().strip()
        out = os.path.join(self.dir, "tls-out")
        r = run_tool("store", "get", "--store", uri, "--encoders", self.encoders, link, "--out", out,
                     "--tls-ca", files["ca"], "--tls-cert", files["ccert"], "--tls-key", files["ckey"])
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertEqual(snapshot(out), snapshot(tree))
        # No client certificate, a server checked against the wrong CA, plaintext: all refused.
        for args in (["--tls-ca", files["ca"]],
                     ["--tls-ca", files["other"], "--tls-cert", files["ccert"], "--tls-key", files["ckey"]]):
            r = run_tool(*put, *args)
            self.assertEqual(r.returncode, 2, r.stderr.decode())
            self.assertIn(b"UNAVAILABLE", r.stderr)
        r = run_tool("store", "put", "--store", "grpc://%s/%s" % (self.server.target, self.instance),
                     "--encoders", self.encoders, tree)
        self.assertEqual(r.returncode, 2, r.stderr.decode())
        # TLS options on a plaintext URI are a usage error.
        r = run_tool("store", "put", "--store", "grpc://%s/%s" % (self.server.target, self.instance),
                     "--encoders", self.encoders, tree, "--tls-ca", files["ca"])
        self.assertEqual(r.returncode, 2)
        self.assertIn(b"grpcs://", r.stderr)
        self.assertEqual(self.server.stop()[0], 0)

    def test_several_writers_at_once(self):
        shared = self.random_tree("shared", 40, 20000)
        trees = [self.random_tree("own%d" % i, 30, 9000 + i) for i in range(4)] + [shared, shared]
        puts = [subprocess.Popen([TOOL, "store", "put", "--store", self.uri(), "--encoders", self.encoders, t],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE) for t in trees]
        links = []
        for p in puts:
            out, err = p.communicate(timeout=TOOL_TIMEOUT)
            self.assertEqual(p.returncode, 0, err.decode())
            links.append(out.decode().strip())
        self.assertEqual(links[-1], links[-2], "the same tree gives the same root")
        for i, (tree, link) in enumerate(zip(trees, links)):
            out = os.path.join(self.dir, "out%d" % i)
            r = run_tool("store", "get", "--store", self.uri(), "--encoders", self.encoders, link, "--out", out)
            self.assertEqual(r.returncode, 0, r.stderr.decode())
            self.assertEqual(snapshot(out), snapshot(tree))
        for key, data in self.stored_objects():
            self.assertIsNone(sp.object_error(bytes(key), bytes(data)))
        self.assertEqual(self.server.stop()[0], 0)


if __name__ == "__main__":
    unittest.main()
