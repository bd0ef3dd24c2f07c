# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# An independent Python implementation of Bonanza's storage services (doc/protocol.md, "Objects
# and references" and "Storage services"), written from the document alone, for interop tests:
#   - SHA256_V1 references: building objects, validating references and objects;
#   - StorageServer: an in-memory server of bonanza.storage.object.{Downloader,Uploader},
#     bonanza.storage.tag.{Resolver,Updater} and bonanza.storage.dag.Uploader on 127.0.0.1,
#     port 0, in this process. Like Bonanza's servers it does not offer sealpipe's Maintenance
#     service (gRPC answers UNIMPLEMENTED, and the server records the path asked for). Its
#     leases are its own design, deliberately unlike sealpipe's (leases are opaque to clients).
#     It records every request message as the raw bytes received;
#   - StorageClient and TagSigner: client helpers that check every response is the
#     deterministic encoding of its message.
# Messages travel as raw bytes (no (de)serializers on the channels), so that the encoding of
# each side can be compared with the deterministic one byte for byte.
#
# The importer puts the protoc-generated modules (GENERATED_PYTHON_DIR) on sys.path first.
import concurrent.futures
import hashlib
import hmac
import os
import queue
import threading
import time

import grpc
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from google.protobuf import empty_pb2, message as protobuf_message, timestamp_pb2
from google.rpc import status_pb2

from bonanza.storage.dag import dag_pb2
from bonanza.storage.object import object_pb2
from bonanza.storage.tag import tag_pb2

DOWNLOAD_OBJECT = "/bonanza.storage.object.Downloader/DownloadObject"
UPLOAD_OBJECT = "/bonanza.storage.object.Uploader/UploadObject"
RESOLVE_TAG = "/bonanza.storage.tag.Resolver/ResolveTag"
UPDATE_TAG = "/bonanza.storage.tag.Updater/UpdateTag"
UPLOAD_DAGS = "/bonanza.storage.dag.Uploader/UploadDags"

# What each method receives, for checking recorded requests.
REQUEST_TYPES = {
    "DownloadObject": object_pb2.DownloadObjectRequest,
    "UploadObject": object_pb2.UploadObjectRequest,
    "ResolveTag": tag_pb2.ResolveTagRequest,
    "UpdateTag": tag_pb2.UpdateTagRequest,
    "UploadDags": dag_pb2.UploadDagsRequest,
}

SHA256_V1 = object_pb2.ReferenceFormat.SHA256_V1
REF = 40
MAX_OBJECT = 2 * 1024 * 1024
CHANNEL_OPTIONS = [("grpc.max_send_message_length", 16 << 20), ("grpc.max_receive_message_length", 16 << 20)]
DER, SPKI = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo

OK, CANCELLED, INVALID_ARGUMENT = 0, 1, 3   # google.rpc.Code values used in FinalizeDag


def canonical(message_bytes, cls):
    """The message parsed, after checking that the bytes are its deterministic encoding."""
    m = cls.FromString(message_bytes)
    assert m.SerializeToString(deterministic=True) == message_bytes, f"{cls.__name__} is not canonical"
    return m


def encode(m):
    return m.SerializeToString(deterministic=True)


# --- SHA256_V1 references (doc/protocol.md#objects-and-references) ----------------------------
def f16_round_up(v):
    """Bonanza's unsigned Float16, rounding up."""
    if v < 2048:
        return v
    e = v.bit_length() - 12
    v = -(-v >> e) << e
    e = v.bit_length() - 12
    bits = ((e + 1) << 11) | ((v >> e) & 0x7FF)
    if bits > 0xFFFF:
        raise ValueError("not representable as a Float16")
    return bits


def f16_value(x):
    e = x >> 11
    return x if e == 0 else ((x & 0x7FF) | 0x800) << (e - 1)


def _bounds():
    table, lo, hi = [(0, 0), (0, 0)], 0, 0
    for _ in range(2, 256):
        lo, hi = f16_round_up(f16_value(lo) + REF), f16_round_up(f16_value(hi) + MAX_OBJECT)
        table.append((lo, hi))
    return table


BOUNDS = _bounds()


def size(ref):
    return int.from_bytes(ref[32:35], "little")


def height(ref):
    return ref[35]


def degree(ref):
    return int.from_bytes(ref[36:38], "little")


def parents_size(ref):
    """The maximum total parents size, decoded."""
    return f16_value(int.from_bytes(ref[38:40], "little"))


def reference_error(ref):
    """None for a valid reference, else why not."""
    if len(ref) != REF:
        return "a reference is 40 bytes, not %d" % len(ref)
    if not 1 <= size(ref) <= MAX_OBJECT:
        return "size %d is outside [1, 2097152]" % size(ref)
    if degree(ref) > size(ref) // REF:
        return "degree %d is too large for size %d" % (degree(ref), size(ref))
    if (height(ref) == 0) != (degree(ref) == 0):
        return "height %d and degree %d disagree" % (height(ref), degree(ref))
    lo, hi = BOUNDS[height(ref)]
    if not lo <= int.from_bytes(ref[38:40], "little") <= hi:
        return "parents size is outside the bounds of height %d" % height(ref)
    return None


def children(ref, data):
    """The outgoing references of an object (which the reference's degree counts)."""
    return [data[i * REF:(i + 1) * REF] for i in range(degree(ref))]


def summary(children_refs):
    """(height, rounded parents size) of an object with these outgoing references."""
    h, m = 0, 0
    for c in children_refs:
        h = max(h, height(c) + 1)
        m = max(m, parents_size(c) + (size(c) if height(c) > 0 else 0))
    return h, f16_round_up(m)


def object_error(ref, data):
    """None when data is the object that ref names (the four checks, in order), else why not."""
    if len(data) != size(ref):
        return "the object is %d bytes, the reference says %d" % (len(data), size(ref))
    if hashlib.sha256(data).digest() != ref[:32]:
        return "SHA-256 mismatch"
    refs = children(ref, data)
    for i, c in enumerate(refs):
        if reference_error(c):
            return "outgoing reference %d: %s" % (i, reference_error(c))
        if i and refs[i - 1] >= c:
            return "outgoing references are not strictly ascending"
    if summary(refs) != (height(ref), int.from_bytes(ref[38:40], "little")):
        return "height or parents size mismatch"
    return None


def make_object(payload, children_refs=()):
    """(reference, data) of the object with these children (sorted here) and payload."""
    refs = sorted(set(children_refs))
    data = b"".join(refs) + payload
    assert 1 <= len(data) <= MAX_OBJECT
    h, m = summary(refs)
    ref = (hashlib.sha256(data).digest() + len(data).to_bytes(3, "little") + bytes([h])
           + len(refs).to_bytes(2, "little") + m.to_bytes(2, "little"))
    return ref, data


def leaf(payload=None):
    """A leaf object with the given (or 100 random) payload bytes."""
    return make_object(os.urandom(100) if payload is None else payload)


def reachable(root, contents_by_reference):
    """Every reference reachable from root (root included), through contents_by_reference."""
    seen, stack = set(), [root]
    while stack:
        r = stack.pop()
        if r not in seen:
            seen.add(r)
            stack.extend(children(r, contents_by_reference[r]))
    return seen


def timestamp(seconds, nanos=0):
    return timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos)


def _timestamp_ok(t):
    return -62135596800 <= t.seconds <= 253402300799 and 0 <= t.nanos <= 999_999_999


def _status(code, message=""):
    return status_pb2.Status(code=code, message=message)


# --- The server -------------------------------------------------------------------------------
class _Abort(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code, self.message = code, message


class _RecordUnknown(grpc.GenericRpcHandler):
    """Records the path of a call no other handler took; gRPC then answers UNIMPLEMENTED."""

    def __init__(self, server):
        self.server = server

    def service(self, handler_call_details):
        with self.server.lock:
            self.server.unknown_methods.append(handler_call_details.method)
        return None


class StorageServer:
    """Bonanza's storage services over an in-memory store.

    Leases (this server's own design, unlike sealpipe's 25-byte ones): 42 bytes,
    b"py" ‖ expiry in microseconds since the epoch (8 bytes, little-endian) ‖ the full
    HMAC-SHA256, under a random 32-byte secret, of
    b"storage_peer lease\\0" ‖ instance ‖ b"\\0" ‖ reference ‖ expiry."""

    def __init__(self, instance="", lease_ttl=600.0, max_dags=256):
        self.instance, self.lease_ttl, self.max_dags = instance, lease_ttl, max_dags
        self.lock = threading.RLock()
        self.objects = {}      # reference -> verified contents
        self.written = {}      # reference -> time.time() of the last write or touch
        self.tags = {}         # (public key, hash) -> dict(signed=SignedValue, leased=bool)
        self.received = []     # (method name, raw request bytes), every message in arrival order
        self.unknown_methods = []   # full paths of calls to methods this server does not offer
        self._secret = os.urandom(32)
        self.server = grpc.server(concurrent.futures.ThreadPoolExecutor(32), options=CHANNEL_OPTIONS)
        unary = grpc.unary_unary_rpc_method_handler
        self.server.add_generic_rpc_handlers((
            grpc.method_handlers_generic_handler("bonanza.storage.object.Downloader", {
                "DownloadObject": unary(self._unary("DownloadObject", self.download_object))}),
            grpc.method_handlers_generic_handler("bonanza.storage.object.Uploader", {
                "UploadObject": unary(self._unary("UploadObject", self.upload_object))}),
            grpc.method_handlers_generic_handler("bonanza.storage.tag.Resolver", {
                "ResolveTag": unary(self._unary("ResolveTag", self.resolve_tag))}),
            grpc.method_handlers_generic_handler("bonanza.storage.tag.Updater", {
                "UpdateTag": unary(self._unary("UpdateTag", self.update_tag))}),
            grpc.method_handlers_generic_handler("bonanza.storage.dag.Uploader", {
                "UploadDags": grpc.stream_stream_rpc_method_handler(self._upload_dags)}),
            _RecordUnknown(self),      # last: anything else is recorded, then UNIMPLEMENTED
        ))
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()

    @property
    def target(self):
        return "127.0.0.1:%d" % self.port

    def url(self):
        """The store URI of this server for the sealpipe tool."""
        return "grpc://%s/%s" % (self.target, self.instance)

    def stop(self):
        self.server.stop(None)

    # -- What tests look at
    def requests(self, method):
        """The raw request messages received by one method."""
        with self.lock:
            return [raw for name, raw in self.received if name == method]

    def noncanonical_requests(self):
        """(method, raw) of every request that was not its message's deterministic encoding."""
        out = []
        with self.lock:
            received = list(self.received)
        for name, raw in received:
            try:
                canonical(raw, REQUEST_TYPES[name])
            except (AssertionError, protobuf_message.DecodeError):
                out.append((name, raw))
        return out

    def contents_bytes_received(self):
        """Object bytes received so far, in UploadObject.contents and ProvideObjectContents."""
        n = 0
        for raw in self.requests("UploadObject"):
            n += len(object_pb2.UploadObjectRequest.FromString(raw).contents)
        for raw in self.requests("UploadDags"):
            m = dag_pb2.UploadDagsRequest.FromString(raw)
            if m.WhichOneof("type") == "provide_object_contents":
                n += len(m.provide_object_contents.object_contents)
        return n

    def corrupt(self, ref):
        """Flip one byte of a stored object (to test DATA_LOSS)."""
        with self.lock:
            data = bytearray(self.objects[ref])
            data[len(data) // 2] ^= 1
            self.objects[ref] = bytes(data)

    # -- Shared checks
    def _unary(self, name, method):
        def handler(raw, context):
            with self.lock:
                self.received.append((name, raw))
            try:
                return encode(method(self._parse(raw, REQUEST_TYPES[name])))
            except _Abort as e:
                context.abort(e.code, e.message)
        return handler

    @staticmethod
    def _parse(raw, cls):
        try:
            return cls.FromString(raw)
        except protobuf_message.DecodeError as e:
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "malformed %s: %s" % (cls.__name__, e))

    def _check_namespace(self, ns):
        if ns.instance_name != self.instance:
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "unknown instance name %r" % ns.instance_name)
        if ns.reference_format != SHA256_V1:
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "unsupported reference format %d" % ns.reference_format)

    @staticmethod
    def _check_reference(ref):
        why = reference_error(ref)
        if why:
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "invalid reference: " + why)

    def _store(self, ref, data):
        with self.lock:
            self.objects[ref] = data
            self.written[ref] = time.time()

    def _has_complete(self, ref):
        """Whether ref and everything below it are stored; refreshes their write times if so."""
        with self.lock:
            seen, stack = set(), [ref]
            while stack:
                r = stack.pop()
                if r in seen:
                    continue
                seen.add(r)
                data = self.objects.get(r)
                if data is None:
                    return False
                stack.extend(children(r, data))
            now = time.time()
            for r in seen:
                self.written[r] = now
            return True

    # -- Leases
    def _mac(self, ref, expiry):
        return hmac.new(self._secret, b"storage_peer lease\0" + self.instance.encode() + b"\0" + ref + expiry,
                        hashlib.sha256).digest()

    def _issue_lease(self, ref, expiry_us):
        expiry = expiry_us.to_bytes(8, "little")
        return b"py" + expiry + self._mac(ref, expiry)

    def _lease_expiry(self, ref, lease):
        """The expiry (µs) of a lease valid now for ref, or None."""
        if len(lease) != 42 or lease[:2] != b"py":
            return None
        expiry = lease[2:10]
        if not hmac.compare_digest(lease[10:], self._mac(ref, expiry)):
            return None
        expiry_us = int.from_bytes(expiry, "little")
        return expiry_us if expiry_us > int(time.time() * 1e6) else None

    # -- Objects
    def download_object(self, q):
        self._check_namespace(q.namespace)
        self._check_reference(q.reference)
        with self.lock:
            data = self.objects.get(q.reference)
        if data is None:
            raise _Abort(grpc.StatusCode.NOT_FOUND, "object not found")
        if object_error(q.reference, data):
            raise _Abort(grpc.StatusCode.DATA_LOSS, "stored object is corrupt: " + object_error(q.reference, data))
        return object_pb2.DownloadObjectResponse(contents=data)

    def upload_object(self, q):
        self._check_namespace(q.namespace)
        ref = q.reference
        self._check_reference(ref)
        if q.outgoing_references_leases and len(q.outgoing_references_leases) != degree(ref):
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "%d leases for %d outgoing references"
                         % (len(q.outgoing_references_leases), degree(ref)))
        if q.want_contents_if_incomplete and q.contents:
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "want_contents_if_incomplete with contents")
        if q.want_contents_if_incomplete and degree(ref) == 0:
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "want_contents_if_incomplete for a leaf")
        if q.contents:
            why = object_error(ref, q.contents)
            if why:
                raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "contents do not match the reference: " + why)
            self._store(ref, q.contents)
            data = q.contents
        else:
            with self.lock:
                data = self.objects.get(ref)
            if data is None:
                raise _Abort(grpc.StatusCode.NOT_FOUND, "object not found")
        now_us = int(time.time() * 1e6)
        expiry = now_us + int(self.lease_ttl * 1e6)
        wanted = []
        for i, child in enumerate(children(ref, data)):
            lease = q.outgoing_references_leases[i] if q.outgoing_references_leases else b""
            child_expiry = self._lease_expiry(child, lease)
            if child_expiry is None:
                wanted.append(i)
            else:
                expiry = min(expiry, child_expiry)
        r = object_pb2.UploadObjectResponse()
        if wanted:
            r.incomplete.want_outgoing_references_leases.extend(wanted)
            if q.want_contents_if_incomplete:
                r.incomplete.contents = data
            return r
        with self.lock:
            self.written[ref] = time.time()
        r.complete.lease = self._issue_lease(ref, expiry)
        return r

    # -- Tags
    def _check_key(self, key):
        try:
            public = serialization.load_der_public_key(key.signature_public_key)
        except Exception:          # ValueError, UnsupportedAlgorithm, ...
            public = None
        if (not isinstance(public, ed25519.Ed25519PublicKey)
                or public.public_bytes(DER, SPKI) != key.signature_public_key):
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "the tag key is not an Ed25519 PKIX public key")
        if len(key.hash) != 32:
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "the tag key hash is not 32 bytes")
        return public

    def _check_signed_value(self, key, signed):
        """The checks of UpdateTag on a key and a SignedValue (raises _Abort)."""
        public = self._check_key(key)
        self._check_reference(signed.value.reference)
        if not signed.value.HasField("timestamp") or not _timestamp_ok(signed.value.timestamp):
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "missing or invalid timestamp")
        signing_input = encode(tag_pb2.ValueSigningInput(reference_format=SHA256_V1, key_hash=key.hash,
                                                         value=signed.value))
        try:
            public.verify(signed.signature, signing_input)
        except Exception:
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "bad tag signature")

    def _set_tag(self, key, signed, leased):
        """Newer timestamp wins; an older or equal one changes nothing."""
        t = signed.value.timestamp
        with self.lock:
            old = self.tags.get((key.signature_public_key, key.hash))
            if old is not None:
                o = old["signed"].value.timestamp
                if (t.seconds, t.nanos) <= (o.seconds, o.nanos):
                    return
            copy = tag_pb2.SignedValue()
            copy.CopyFrom(signed)
            self.tags[(key.signature_public_key, key.hash)] = {"signed": copy, "leased": leased}

    def update_tag(self, q):
        self._check_namespace(q.namespace)
        self._check_signed_value(q.key, q.signed_value)
        leased = False
        if q.lease:
            if self._lease_expiry(q.signed_value.value.reference, q.lease) is None:
                raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "the lease is not valid for the value's reference")
            leased = True
        self._set_tag(q.key, q.signed_value, leased)
        return empty_pb2.Empty()

    def resolve_tag(self, q):
        self._check_namespace(q.namespace)
        self._check_key(q.key)
        if q.HasField("minimum_timestamp") and not _timestamp_ok(q.minimum_timestamp):
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "invalid minimum timestamp")
        with self.lock:
            entry = self.tags.get((q.key.signature_public_key, q.key.hash))
            if entry is None:
                raise _Abort(grpc.StatusCode.NOT_FOUND, "no value for this tag")
            t, m = entry["signed"].value.timestamp, q.minimum_timestamp
            if q.HasField("minimum_timestamp") and (t.seconds, t.nanos) < (m.seconds, m.nanos):
                raise _Abort(grpc.StatusCode.NOT_FOUND, "the stored value is older than the minimum timestamp")
            complete = entry["leased"] and entry["signed"].value.reference in self.objects
            return tag_pb2.ResolveTagResponse(signed_value=entry["signed"], complete=complete)

    # -- Whole DAGs
    def _upload_dags(self, request_iterator, context):
        session = _DagSession(self)
        try:
            for raw in request_iterator:
                with self.lock:
                    self.received.append(("UploadDags", raw))
                for response in session.handle(self._parse(raw, dag_pb2.UploadDagsRequest)):
                    yield encode(response)
            session.closed()
        except _Abort as e:
            context.abort(e.code, e.message)


class _Node:
    """An object being uploaded in one UploadDags call: stored, or waiting for its contents,
    and waiting for the children that are neither stored completely nor done yet."""

    def __init__(self, ref):
        self.ref = ref
        self.state = "pending"     # pending, done or failed
        self.waiting = set()       # references of children not yet done
        self.parents = []          # nodes waiting on this one
        self.dags = []             # root indices of the DAGs whose root this is


class _DagSession:
    """The server side of one UploadDags call. Every request yields the responses it causes, so
    the call needs no thread of its own."""

    MAX_INDICES = 1_000_000

    def __init__(self, server):
        self.server = server
        self.handshaken = False
        self.indices = []          # index -> dict(ref, want_contents, provided, node)
        self.inflight = {}         # reference -> pending _Node
        self.dags = {}             # root index -> dict(tag, finalized)
        self.unfinalized = 0
        self.out = []

    def _new_index(self, ref):
        if len(self.indices) >= self.MAX_INDICES:
            raise _Abort(grpc.StatusCode.RESOURCE_EXHAUSTED, "too many references in one call")
        self.indices.append({"ref": ref, "want_contents": False, "provided": False, "node": None})
        return len(self.indices) - 1

    def _request(self, index, contents):
        self.indices[index]["want_contents"] = contents
        self.out.append(dag_pb2.UploadDagsResponse(request_object=dag_pb2.UploadDagsResponse.RequestObject(
            lowest_reference_index=index, additional_reference_indices=0, request_contents=contents)))

    def _reference(self, index, ref):
        """Request ref at index; returns the node to wait on, or None when it is stored completely."""
        node = self.inflight.get(ref)
        if node is not None:                           # already being uploaded in this call
            self._request(index, False)
            return node
        if self.server._has_complete(ref):
            self._request(index, False)
            return None
        node = self.inflight[ref] = _Node(ref)
        self.indices[index]["node"] = node
        self._request(index, True)
        return node

    def _finalize(self, root_index, status):
        dag = self.dags[root_index]
        if dag["finalized"]:
            return
        if status.code == OK and dag["tag"] is not None:
            tag = dag["tag"]
            signed = tag_pb2.SignedValue(value=tag_pb2.Value(reference=self.indices[root_index]["ref"],
                                                             timestamp=tag.timestamp), signature=tag.signature)
            try:
                self.server._check_signed_value(tag.key, signed)
                self.server._set_tag(tag.key, signed, True)    # the whole DAG is stored: complete
            except _Abort as e:
                status = _status(INVALID_ARGUMENT, "root tag: " + e.message)
        dag["finalized"] = True
        self.unfinalized -= 1
        self.out.append(dag_pb2.UploadDagsResponse(finalize_dag=dag_pb2.UploadDagsResponse.FinalizeDag(
            root_reference_index=root_index, status=status)))

    def _done(self, node):
        node.state = "done"
        self.inflight.pop(node.ref, None)
        for p in node.parents:
            p.waiting.discard(node.ref)
            if p.state == "pending" and not p.waiting:
                self._done(p)
        for d in node.dags:
            self._finalize(d, _status(OK))

    def _fail(self, node, status):
        node.state = "failed"
        if self.inflight.get(node.ref) is node:
            del self.inflight[node.ref]
        for p in node.parents:
            if p.state == "pending":
                self._fail(p, status)
        for d in node.dags:
            self._finalize(d, status)

    def handle(self, q):
        self.out = []
        kind = q.WhichOneof("type")
        if not self.handshaken:
            if kind != "handshake":
                raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "the first message must be a handshake")
            self.server._check_namespace(q.handshake.namespace)
            self.handshaken = True
            self.out.append(dag_pb2.UploadDagsResponse(handshake=dag_pb2.UploadDagsResponse.Handshake(
                maximum_unfinalized_dags_count=self.server.max_dags)))
        elif kind == "initiate_dag":
            self._initiate(q.initiate_dag)
        elif kind == "provide_object_contents":
            self._provide(q.provide_object_contents)
        else:
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "unexpected %s" % kind)
        return self.out

    def _initiate(self, m):
        if self.unfinalized >= self.server.max_dags:
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "more than %d unfinalized DAGs" % self.server.max_dags)
        self.server._check_reference(m.root_reference)
        index = self._new_index(m.root_reference)
        self.dags[index] = {"tag": m.root_tag if m.HasField("root_tag") else None, "finalized": False}
        self.unfinalized += 1
        node = self._reference(index, m.root_reference)
        if node is None:
            self._finalize(index, _status(OK))
        else:
            node.dags.append(index)

    def _provide(self, m):
        i = m.lowest_reference_index
        if i >= len(self.indices) or not self.indices[i]["want_contents"] or self.indices[i]["provided"]:
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "index %d was not requested or was provided already" % i)
        entry = self.indices[i]
        entry["provided"] = True
        node, ref, data = entry["node"], entry["ref"], m.object_contents
        if not data:
            self._fail(node, _status(CANCELLED, "object at index %d abandoned by the client" % i))
            return
        why = object_error(ref, data)
        if why:
            self._fail(node, _status(INVALID_ARGUMENT, "object at index %d: %s" % (i, why)))
            return
        self.server._store(ref, data)
        if node.state != "pending":          # its DAGs ended already (a sibling failed)
            return
        for child in children(ref, data):
            waited = self._reference(self._new_index(child), child)
            if waited is not None:
                node.waiting.add(child)
                waited.parents.append(node)
        if not node.waiting:
            self._done(node)

    def closed(self):
        if self.unfinalized:
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT,
                         "the client closed the stream with %d DAGs unfinalized" % self.unfinalized)


# --- The client -------------------------------------------------------------------------------
class TagSigner:
    """An Ed25519 tag key (PKIX public key and a 32-byte hash) that signs tag values."""

    def __init__(self, name="tag"):
        self.private = ed25519.Ed25519PrivateKey.generate()
        self.key = tag_pb2.Key(signature_public_key=self.private.public_key().public_bytes(DER, SPKI),
                               hash=hashlib.sha256(name.encode()).digest())

    def sign(self, reference, ts):
        value = tag_pb2.Value(reference=reference, timestamp=ts)
        signing_input = encode(tag_pb2.ValueSigningInput(reference_format=SHA256_V1, key_hash=self.key.hash,
                                                         value=value))
        return tag_pb2.SignedValue(value=value, signature=self.private.sign(signing_input))

    def root_tag(self, reference, ts):
        """The InitiateDag.Tag that sets this tag to reference at ts."""
        return dag_pb2.UploadDagsRequest.InitiateDag.Tag(key=self.key, timestamp=ts,
                                                         signature=self.sign(reference, ts).signature)


class DagUpload:
    """What one UploadDags call returned."""

    def __init__(self):
        self.handshake = None      # the server's Handshake
        self.statuses = []         # google.rpc.Status per root, in InitiateDag order
        self.requests = []         # every RequestObject, in arrival order
        self.index_refs = []       # reference of each index, as the client numbered them
        self.code = None           # the call's final gRPC status code


class StorageClient:
    """Calls on the storage services; every response is checked to be canonical."""

    def __init__(self, target, instance="", timeout=30):
        self.instance, self.timeout = instance, timeout
        self.channel = grpc.insecure_channel(target, options=CHANNEL_OPTIONS)

    def close(self):
        self.channel.close()

    def namespace(self, instance=None, reference_format=SHA256_V1):
        return object_pb2.Namespace(instance_name=self.instance if instance is None else instance,
                                    reference_format=reference_format)

    def call(self, method, request, response_cls):
        raw = self.channel.unary_unary(method)(encode(request), timeout=self.timeout)
        return canonical(raw, response_cls)

    def upload_object(self, reference, contents=b"", leases=(), want_contents=False, namespace=None):
        return self.call(UPLOAD_OBJECT, object_pb2.UploadObjectRequest(
            namespace=namespace or self.namespace(), reference=reference, contents=contents,
            outgoing_references_leases=list(leases), want_contents_if_incomplete=want_contents),
            object_pb2.UploadObjectResponse)

    def upload_tree(self, root, contents_by_reference):
        """Upload root and everything below it bottom-up with leases; returns root's lease."""
        data = contents_by_reference[root]
        leases = [self.upload_tree(c, contents_by_reference) for c in children(root, data)]
        r = self.upload_object(root, data, leases)
        assert r.WhichOneof("type") == "complete", r
        return r.complete.lease

    def download_object(self, reference, namespace=None):
        return self.call(DOWNLOAD_OBJECT, object_pb2.DownloadObjectRequest(
            namespace=namespace or self.namespace(), reference=reference), object_pb2.DownloadObjectResponse).contents

    def update_tag(self, signer, reference, ts, lease=b"", signed=None):
        """Sign (unless signed is given) and store a tag value; returns the SignedValue sent."""
        signed = signed or signer.sign(reference, ts)
        self.call(UPDATE_TAG, tag_pb2.UpdateTagRequest(namespace=self.namespace(), key=signer.key,
                                                       signed_value=signed, lease=lease), empty_pb2.Empty)
        return signed

    def resolve_tag(self, key, minimum_timestamp=None):
        q = tag_pb2.ResolveTagRequest(namespace=self.namespace(), key=key)
        if minimum_timestamp is not None:
            q.minimum_timestamp.CopyFrom(minimum_timestamp)
        return self.call(RESOLVE_TAG, q, tag_pb2.ResolveTagResponse)

    def upload_dags(self, roots, contents_by_reference, tags=None, limit=(64, 64 << 20)):
        """One UploadDags call: initiates a DAG per root (with tags[i], an InitiateDag.Tag, if
        given), provides whatever the server requests from contents_by_reference (a reference
        missing from it is provided empty: abandoned), and closes once every DAG is finalized.
        Children are numbered as their parent is provided, when its contents match it."""
        tags = tags or [None] * len(roots)
        result = DagUpload()
        outgoing = queue.Queue()

        def requests():
            while True:
                m = outgoing.get()
                if m is None:
                    return
                yield encode(m)

        call = self.channel.stream_stream(UPLOAD_DAGS)(requests(), timeout=self.timeout)
        finals = {}
        try:
            outgoing.put(dag_pb2.UploadDagsRequest(handshake=dag_pb2.UploadDagsRequest.Handshake(
                namespace=self.namespace(),
                maximum_unfinalized_parents_limit=object_pb2.Limit(count=limit[0], size_bytes=limit[1]))))
            responses = iter(call)
            first = canonical(next(responses), dag_pb2.UploadDagsResponse)
            assert first.WhichOneof("type") == "handshake", first
            result.handshake = first.handshake
            assert len(roots) <= first.handshake.maximum_unfinalized_dags_count
            for root, tag in zip(roots, tags):
                result.index_refs.append(root)
                m = dag_pb2.UploadDagsRequest(initiate_dag=dag_pb2.UploadDagsRequest.InitiateDag(root_reference=root))
                if tag is not None:
                    m.initiate_dag.root_tag.CopyFrom(tag)
                outgoing.put(m)
            while len(finals) < len(roots):
                r = canonical(next(responses), dag_pb2.UploadDagsResponse)
                kind = r.WhichOneof("type")
                if kind == "request_object":
                    ro = r.request_object
                    result.requests.append(ro)
                    if ro.request_contents:
                        ref = result.index_refs[ro.lowest_reference_index]
                        data = contents_by_reference.get(ref, b"")
                        outgoing.put(dag_pb2.UploadDagsRequest(
                            provide_object_contents=dag_pb2.UploadDagsRequest.ProvideObjectContents(
                                lowest_reference_index=ro.lowest_reference_index, object_contents=data)))
                        if data and object_error(ref, data) is None:
                            result.index_refs.extend(children(ref, data))
                elif kind == "finalize_dag":
                    assert r.finalize_dag.root_reference_index not in finals, "finalized twice"
                    finals[r.finalize_dag.root_reference_index] = r.finalize_dag.status
                else:
                    raise AssertionError("unexpected response %s" % kind)
            outgoing.put(None)
            for raw in responses:
                raise AssertionError("a response after every DAG was finalized: %r" % raw)
            result.code = call.code()
        finally:
            outgoing.put(None)
        # The roots took indices 0..n-1: they were all initiated before anything was provided.
        result.statuses = [finals[i] for i in range(len(roots))]
        return result

    def raw_upload_dags(self, messages):
        """Send these UploadDagsRequest messages in one go, half-close, and return (responses,
        final status code, details): for protocol violations."""
        call = self.channel.stream_stream(UPLOAD_DAGS)(iter([encode(m) for m in messages]), timeout=self.timeout)
        responses = []
        try:
            for raw in call:
                responses.append(canonical(raw, dag_pb2.UploadDagsResponse))
        except grpc.RpcError:
            pass
        return responses, call.code(), call.details()
