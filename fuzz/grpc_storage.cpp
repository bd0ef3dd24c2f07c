// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fuzz target: what the storage server (net/storage_server.hpp) reads from the network. The
// input is a sequence of records, [kind][length: 2 bytes, big-endian][payload]:
//   0  a DownloadObjectRequest;
//   1  an UploadObjectRequest;
//   2  a ResolveTagRequest;
//   3  an UpdateTagRequest;
//   4  an UploadDags call: the payload is the client's messages, each [length: 2][message];
//   5  a Maintenance ReferencesRequest, to Contains, Touch and DownloadObjects;
//   6  a Maintenance RemoveRequest;
//   7  the payload stored as a leaf object (so that requests can name stored objects: in
//      records 0, 1, 5 and 6, and in the UploadDags messages, a reference of one byte N
//      becomes the N-th object stored this way).
// Each goes to one server's handlers over a Memory backend, as the services call them;
// nothing may crash, every answer must serialise, and every stored object must match its
// reference afterwards.

#include <sealpipe/net/storage_server.hpp>
#include <sealpipe/storage/memory.hpp>
#include <sealpipe/testing/objects.hpp>

#include <google/protobuf/stubs/logging.h>

#include <cstdio>
#include <cstdlib>
#include <deque>
#include <string>
#include <vector>

namespace sealpipe::net::detail {

/// The server's handlers, called as the services call them.
struct StorageServerProbe {
    static void download(StorageServer& s, const ::bonanza::storage::object::DownloadObjectRequest& q) {
        ::bonanza::storage::object::DownloadObjectResponse r;
        (void)s.download(q, r);
        (void)serialize(r);
    }
    static void upload(StorageServer& s, const ::bonanza::storage::object::UploadObjectRequest& q) {
        ::bonanza::storage::object::UploadObjectResponse r;
        (void)s.upload(q, r);
        (void)serialize(r);
    }
    static void resolve(StorageServer& s, const ::bonanza::storage::tag::ResolveTagRequest& q) {
        ::bonanza::storage::tag::ResolveTagResponse r;
        (void)s.resolve(q, r);
        (void)serialize(r);
    }
    static void update(StorageServer& s, const ::bonanza::storage::tag::UpdateTagRequest& q) { (void)s.update(q); }
    static void maintenance(StorageServer& s, const ::sealpipe::storage::maintenance::ReferencesRequest& q) {
        ::sealpipe::storage::maintenance::FlagsResponse f;
        (void)s.maintenance_.Contains(nullptr, &q, &f);
        (void)s.maintenance_.Touch(nullptr, &q, &f);
        ::sealpipe::storage::maintenance::DownloadObjectsResponse d;
        (void)s.maintenance_.DownloadObjects(nullptr, &q, &d);
        (void)serialize(d);
    }
    static void remove(StorageServer& s, const ::sealpipe::storage::maintenance::RemoveRequest& q) {
        ::sealpipe::storage::maintenance::FlagsResponse f;
        (void)s.maintenance_.Remove(nullptr, &q, &f);
    }

    /// The client's side of one call, from a list of messages.
    struct Stream {
        std::deque<::bonanza::storage::dag::UploadDagsRequest> in;
        bool Read(::bonanza::storage::dag::UploadDagsRequest* m) {
            if (in.empty()) return false;
            *m = std::move(in.front());
            in.pop_front();
            return true;
        }
        bool Write(const ::bonanza::storage::dag::UploadDagsResponse& m, ::grpc::WriteOptions = {}) {
            (void)serialize(m);
            return true;
        }
    };
    static void upload_dags(StorageServer& s, Stream& stream) {
        StorageServer::DagSession<Stream> session(s, stream);
        (void)session.run();
    }
};

} // namespace sealpipe::net::detail

namespace {

using namespace sealpipe;
using Probe = net::detail::StorageServerProbe;

/// A one-byte reference names the N-th stored object.
void resolve_ref(std::string* field, const std::vector<object::Reference>& stored) {
    if (field->size() == 1 && !stored.empty())
        *field = net::detail::ref_string(stored[static_cast<unsigned char>((*field)[0]) % stored.size()]);
}

} // namespace

// libprotobuf logs every string field that is not UTF-8; the fuzzer sends many.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
    ::google::protobuf::SetLogHandler(nullptr);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    storage::Memory memory;
    tags::MemoryTags tag_records;
    net::StorageServerOptions options;
    options.instance_name = "fuzz";
    options.max_session_indices = 4096;
    options.max_session_bytes = std::size_t{4} << 20;
    static const net::LeaseIssuer leases = net::LeaseIssuer::random("fuzz").value();
    net::StorageServer server(storage::AnyBackend(memory), tags::AnyTagBackend(tag_records), leases, options);
    std::vector<object::Reference> stored;

    std::size_t at = 0;
    while (size - at >= 3) {
        const std::uint8_t kind = data[at] % 8;
        const std::size_t length = std::min<std::size_t>((std::size_t{data[at + 1]} << 8) | data[at + 2], size - at - 3);
        const std::uint8_t* payload = data + at + 3;
        at += 3 + length;
        const int n = static_cast<int>(length);
        switch (kind) {
        case 0: {
            ::bonanza::storage::object::DownloadObjectRequest q;
            if (!q.ParseFromArray(payload, n)) break;
            resolve_ref(q.mutable_reference(), stored);
            Probe::download(server, q);
            break;
        }
        case 1: {
            ::bonanza::storage::object::UploadObjectRequest q;
            if (!q.ParseFromArray(payload, n)) break;
            resolve_ref(q.mutable_reference(), stored);
            Probe::upload(server, q);
            break;
        }
        case 2: {
            ::bonanza::storage::tag::ResolveTagRequest q;
            if (q.ParseFromArray(payload, n)) Probe::resolve(server, q);
            break;
        }
        case 3: {
            ::bonanza::storage::tag::UpdateTagRequest q;
            if (q.ParseFromArray(payload, n)) Probe::update(server, q);
            break;
        }
        case 4: {
            Probe::Stream stream;
            for (std::size_t i = 0; i + 2 <= length;) {
                const std::size_t m = std::min<std::size_t>((std::size_t{payload[i]} << 8) | payload[i + 1], length - i - 2);
                ::bonanza::storage::dag::UploadDagsRequest q;
                if (q.ParseFromArray(payload + i + 2, static_cast<int>(m))) {
                    if (q.has_initiate_dag()) resolve_ref(q.mutable_initiate_dag()->mutable_root_reference(), stored);
                    stream.in.push_back(std::move(q));
                }
                i += 2 + m;
            }
            Probe::upload_dags(server, stream);
            break;
        }
        case 5: {
            ::sealpipe::storage::maintenance::ReferencesRequest q;
            if (!q.ParseFromArray(payload, n)) break;
            for (auto& r : *q.mutable_references()) resolve_ref(&r, stored);
            Probe::maintenance(server, q);
            break;
        }
        case 6: {
            ::sealpipe::storage::maintenance::RemoveRequest q;
            if (!q.ParseFromArray(payload, n)) break;
            resolve_ref(q.mutable_reference(), stored);
            Probe::remove(server, q);
            break;
        }
        case 7: {
            if (length == 0) break;
            auto o = testing::make_object(ByteView(payload, length));
            if (memory.put(o.ref, o.data)) stored.push_back(o.ref);
            break;
        }
        }
    }
    // Whatever was accepted matches its reference.
    (void)memory.enumerate([&](const storage::ObjectInfo& i) {
        auto got = memory.get(i.reference);
        if (!got || !storage::Sha256V1Verifier::verify(i.reference, *got)) {
            std::fprintf(stderr, "the server stored an object that does not match its reference\n");
            std::abort();
        }
        return true;
    });
    return 0;
}
