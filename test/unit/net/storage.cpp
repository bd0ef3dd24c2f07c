// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Storage over the network: `storage::Remote` passes the backend conformance suite against a
// `StorageServer` on loopback, and the server keeps the protocol's promises (doc/protocol.md,
// "Storage services"): verification, leases, tags, UploadDags, bad input and faults.
#include <sealpipe/net/storage_server.hpp>
#include <sealpipe/storage/gc.hpp>
#include <sealpipe/storage/memory.hpp>
#include <sealpipe/net/remote_storage.hpp>

#include <sealpipe/testing/backend_laws.hpp>
#include <sealpipe/testing/objects.hpp>

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace sealpipe;
using namespace sealpipe::testing;
using storage::Reference;
namespace obj = ::bonanza::storage::object;
namespace tagpb = ::bonanza::storage::tag;
namespace dagpb = ::bonanza::storage::dag;

namespace {

/// A storage server over a Memory backend on a loopback port, in this process.
struct ServedStore {
    explicit ServedStore(net::StorageServerOptions o = {}, std::string instance = "main") {
        o.instance_name = instance;
        o.allow_remove = allow_remove;
        server = std::make_unique<net::StorageServer>(storage::AnyBackend(memory), tags::AnyTagBackend(tag_records),
                                                      net::LeaseIssuer::random(instance).value(), o);
        BOOST_TEST_REQUIRE(server->start({}).has_value());
        url = "grpc://127.0.0.1:" + std::to_string(server->port());
        uri = url + "/" + instance;
    }
    storage::Remote remote() const { return storage::Remote::open(uri).value(); }
    std::shared_ptr<::grpc::Channel> channel() const {
        return ::grpc::CreateChannel("127.0.0.1:" + std::to_string(server->port()), ::grpc::InsecureChannelCredentials());
    }

    // The conformance suite removes objects; a served store refuses that unless told.
    static inline bool allow_remove = true;
    storage::Memory memory;
    tags::MemoryTags tag_records;
    std::unique_ptr<net::StorageServer> server;
    std::string url, uri;
};

std::string bytes_string(ByteView b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

} // namespace

namespace sealpipe::test {
namespace {   // of this file only, like the server it holds

struct RemoteFixture {
    static constexpr const char* name = "remote";
    // Other processes reach the same objects, but gRPC does not survive fork(2): separate
    // processes are tested through the tool (test/interop/test_storage_peer.py).
    static constexpr bool multi_process = true;
    static constexpr bool fork_safe = false;
    static constexpr bool verifies_writes = true;
    using backend_type = storage::Remote;

    ServedStore served;
    result<storage::Remote> open() { return storage::Remote::open(served.uri); }
    void tamper(const Reference& k) {
        Bytes data = served.memory.get(k).value();
        data[data.size() / 2] ^= 0x01;
        BOOST_TEST_REQUIRE(served.memory.remove(k).value());
        BOOST_TEST_REQUIRE(served.memory.put(k, data).has_value());
    }
};

} // namespace
} // namespace sealpipe::test

using remote_fixtures = boost::mpl::list<sealpipe::test::RemoteFixture>;
SEALPIPE_TESTING_BACKEND_LAWS(remote_backend_laws, remote_fixtures)

BOOST_AUTO_TEST_SUITE(net_storage)

namespace {

obj::UploadObjectResponse upload(const ServedStore& s, const Object& o, bool with_contents,
                                 const std::vector<std::string>& leases, ::grpc::Status& status,
                                 bool want_contents = false, const std::string& instance = "main") {
    auto stub = obj::Uploader::NewStub(s.channel());
    obj::UploadObjectRequest req;
    *req.mutable_namespace_() = net::detail::storage_namespace(instance);
    req.set_reference(net::detail::ref_string(o.ref));
    if (with_contents) req.set_contents(bytes_string(o.data));
    for (const auto& l : leases) req.add_outgoing_references_leases(l);
    req.set_want_contents_if_incomplete(want_contents);
    obj::UploadObjectResponse resp;
    ::grpc::ClientContext ctx;
    status = stub->UploadObject(&ctx, req, &resp);
    return resp;
}

std::string lease_of(const ServedStore& s, const Object& o, const std::vector<std::string>& leases = {}) {
    ::grpc::Status st;
    auto r = upload(s, o, true, leases, st);
    BOOST_TEST_REQUIRE(st.ok(), st.error_message());
    BOOST_TEST_REQUIRE(r.has_complete());
    return r.complete().lease();
}

} // namespace

BOOST_AUTO_TEST_CASE(uploads_are_verified_and_leased) {
    ServedStore s;
    const Object a = leaf(100, 1), b = leaf(2000, 2);
    const Object parent = make_object(pattern(50, 3), {a.ref, b.ref});
    ::grpc::Status st;

    // Contents that do not match: INVALID_ARGUMENT, nothing stored.
    Object forged = a;
    forged.data[10] ^= 1;
    upload(s, forged, true, {}, st);
    BOOST_TEST((st.error_code() == ::grpc::INVALID_ARGUMENT));
    BOOST_TEST(!s.memory.contains(a.ref).value());
    // Asking about an object not stored: NOT_FOUND.
    upload(s, a, false, {}, st);
    BOOST_TEST((st.error_code() == ::grpc::NOT_FOUND));
    // Another instance: INVALID_ARGUMENT.
    upload(s, a, true, {}, st, false, "other");
    BOOST_TEST((st.error_code() == ::grpc::INVALID_ARGUMENT));

    const std::string la = lease_of(s, a), lb = lease_of(s, b);
    BOOST_TEST(la.size() == net::LeaseIssuer::lease_bytes);
    // A parent without leases: incomplete, every child wanted, contents on request.
    auto r = upload(s, parent, true, {}, st);
    BOOST_TEST_REQUIRE(st.ok());
    BOOST_TEST_REQUIRE(r.has_incomplete());
    BOOST_TEST(r.incomplete().want_outgoing_references_leases_size() == 2);
    r = upload(s, parent, false, {}, st, true);
    BOOST_TEST_REQUIRE(r.has_incomplete());
    BOOST_TEST((r.incomplete().contents() == bytes_string(parent.data)));
    // Leases in the order of the children (sorted references).
    std::vector<std::string> leases = a.ref < b.ref ? std::vector{la, lb} : std::vector{lb, la};
    r = upload(s, parent, false, leases, st);
    BOOST_TEST_REQUIRE(st.ok());
    BOOST_TEST(r.has_complete());
    // A forged lease, a lease for another object, an empty slot: those children are wanted.
    auto forged_lease = leases;
    forged_lease[1][12] ^= 1;
    r = upload(s, parent, false, forged_lease, st);
    BOOST_TEST_REQUIRE(r.has_incomplete());
    BOOST_TEST(r.incomplete().want_outgoing_references_leases_size() == 1);
    BOOST_TEST(r.incomplete().want_outgoing_references_leases(0) == 1u);
    r = upload(s, parent, false, {leases[1], leases[0]}, st);
    BOOST_TEST_REQUIRE(r.has_incomplete());
    BOOST_TEST(r.incomplete().want_outgoing_references_leases_size() == 2);
    r = upload(s, parent, false, {"", leases[1]}, st);
    BOOST_TEST_REQUIRE(r.has_incomplete());
    BOOST_TEST(r.incomplete().want_outgoing_references_leases(0) == 0u);
    // The wrong number of leases, contents with want_contents: INVALID_ARGUMENT.
    upload(s, parent, false, {leases[0]}, st);
    BOOST_TEST((st.error_code() == ::grpc::INVALID_ARGUMENT));
    upload(s, parent, true, {}, st, true);
    BOOST_TEST((st.error_code() == ::grpc::INVALID_ARGUMENT));
    upload(s, a, false, {}, st, true);
    BOOST_TEST((st.error_code() == ::grpc::INVALID_ARGUMENT));
}

BOOST_AUTO_TEST_CASE(leases_expire_and_do_not_cross_servers) {
    net::StorageServerOptions o;
    o.lease_ttl = std::chrono::seconds(1);
    o.gc_grace = std::chrono::seconds(1);
    ServedStore s(o), other;
    const Object a = leaf(10, 7);
    const Object parent = make_object(pattern(10, 8), {a.ref});
    const std::string la = lease_of(s, a);
    lease_of(other, a);
    ::grpc::Status st;
    // A lease from another server (another secret) is not valid here.
    const std::string foreign = lease_of(other, a);
    auto r = upload(s, parent, true, {foreign}, st);
    BOOST_TEST_REQUIRE(r.has_incomplete());
    r = upload(s, parent, true, {la}, st);
    BOOST_TEST(r.has_complete());
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    r = upload(s, parent, false, {la}, st);
    BOOST_TEST_REQUIRE(st.ok());
    BOOST_TEST(r.has_incomplete(), "an expired lease is refused");
}

BOOST_AUTO_TEST_CASE(download_checks_the_stored_copy) {
    ServedStore s;
    const Object a = leaf(300, 9);
    auto stub = obj::Downloader::NewStub(s.channel());
    obj::DownloadObjectRequest req;
    *req.mutable_namespace_() = net::detail::storage_namespace("main");
    req.set_reference(net::detail::ref_string(a.ref));
    obj::DownloadObjectResponse resp;
    {
        ::grpc::ClientContext ctx;
        BOOST_TEST((stub->DownloadObject(&ctx, req, &resp).error_code() == ::grpc::NOT_FOUND));
    }
    Bytes bad = a.data;
    bad[0] ^= 1;
    BOOST_TEST_REQUIRE(s.memory.put(a.ref, bad).has_value());
    {
        ::grpc::ClientContext ctx;
        BOOST_TEST((stub->DownloadObject(&ctx, req, &resp).error_code() == ::grpc::DATA_LOSS));
    }
    req.set_reference("short");
    {
        ::grpc::ClientContext ctx;
        BOOST_TEST((stub->DownloadObject(&ctx, req, &resp).error_code() == ::grpc::INVALID_ARGUMENT));
    }
}

BOOST_AUTO_TEST_CASE(oversized_messages_are_refused) {
    ServedStore s;
    auto stub = obj::Uploader::NewStub(s.channel());
    obj::UploadObjectRequest req;
    *req.mutable_namespace_() = net::detail::storage_namespace("main");
    req.set_reference(net::detail::ref_string(leaf(10, 1).ref));
    req.set_contents(std::string(std::size_t{5} << 20, 'x'));
    obj::UploadObjectResponse resp;
    ::grpc::ClientContext ctx;
    BOOST_TEST((stub->UploadObject(&ctx, req, &resp).error_code() == ::grpc::RESOURCE_EXHAUSTED));
}

namespace {

struct Signer {
    keys::PrivateKey<keys::Ed25519> key = keys::PrivateKey<keys::Ed25519>::generate().value();
    std::string hash = std::string(32, '\x42');
    tagpb::Key pb() const {
        tagpb::Key k;
        k.set_signature_public_key(bytes_string(key.public_key().to_der()));
        k.set_hash(hash);
        return k;
    }
    tagpb::SignedValue sign(const Reference& r, std::int64_t seconds) const {
        tagpb::SignedValue sv;
        sv.mutable_value()->set_reference(net::detail::ref_string(r));
        sv.mutable_value()->mutable_timestamp()->set_seconds(seconds);
        const auto sig = keys::sign(key, net::detail::value_signing_input(hash, sv.value()));
        sv.set_signature(bytes_string(sig.view()));
        return sv;
    }
};

::grpc::Status update(const ServedStore& s, const Signer& k, const tagpb::SignedValue& sv, const std::string& lease = "") {
    auto stub = tagpb::Updater::NewStub(s.channel());
    tagpb::UpdateTagRequest req;
    *req.mutable_namespace_() = net::detail::storage_namespace("main");
    *req.mutable_key() = k.pb();
    *req.mutable_signed_value() = sv;
    req.set_lease(lease);
    ::google::protobuf::Empty e;
    ::grpc::ClientContext ctx;
    return stub->UpdateTag(&ctx, req, &e);
}

::grpc::Status resolve(const ServedStore& s, const Signer& k, tagpb::ResolveTagResponse& resp, std::int64_t minimum = -1) {
    auto stub = tagpb::Resolver::NewStub(s.channel());
    tagpb::ResolveTagRequest req;
    *req.mutable_namespace_() = net::detail::storage_namespace("main");
    *req.mutable_key() = k.pb();
    if (minimum >= 0) req.mutable_minimum_timestamp()->set_seconds(minimum);
    ::grpc::ClientContext ctx;
    return stub->ResolveTag(&ctx, req, &resp);
}

} // namespace

BOOST_AUTO_TEST_CASE(tags_are_signed_and_newer_wins) {
    ServedStore s;
    Signer k;
    const Object a = leaf(10, 1), b = leaf(10, 2);
    const std::string la = lease_of(s, a);
    tagpb::ResolveTagResponse resp;
    BOOST_TEST((resolve(s, k, resp).error_code() == ::grpc::NOT_FOUND));

    const auto v1 = k.sign(a.ref, 1000);
    BOOST_TEST_REQUIRE(update(s, k, v1, la).ok());
    BOOST_TEST_REQUIRE(resolve(s, k, resp).ok());
    BOOST_TEST((net::detail::serialize(resp.signed_value()) == net::detail::serialize(v1)));
    BOOST_TEST(resp.complete());

    // A bad signature, a lease for another object: refused.
    auto bad = k.sign(b.ref, 2000);
    bad.mutable_signature()->at(5) ^= 1;
    BOOST_TEST((update(s, k, bad).error_code() == ::grpc::INVALID_ARGUMENT));
    BOOST_TEST((update(s, k, k.sign(b.ref, 2000), la).error_code() == ::grpc::INVALID_ARGUMENT));
    // An older value changes nothing; a newer one (without a lease) wins, not complete.
    BOOST_TEST(update(s, k, k.sign(b.ref, 500)).ok());
    BOOST_TEST_REQUIRE(resolve(s, k, resp).ok());
    BOOST_TEST((resp.signed_value().value().reference() == net::detail::ref_string(a.ref)));
    BOOST_TEST(update(s, k, k.sign(b.ref, 3000)).ok());
    BOOST_TEST_REQUIRE(resolve(s, k, resp).ok());
    BOOST_TEST((resp.signed_value().value().reference() == net::detail::ref_string(b.ref)));
    BOOST_TEST(!resp.complete());
    // Older than the minimum asked for: NOT_FOUND.
    BOOST_TEST((resolve(s, k, resp, 3001).error_code() == ::grpc::NOT_FOUND));
    BOOST_TEST(resolve(s, k, resp, 3000).ok());
    // Another key's tags are separate.
    Signer other;
    other.hash = std::string(32, '\x01');
    BOOST_TEST((resolve(s, other, resp).error_code() == ::grpc::NOT_FOUND));
}

namespace {

/// A raw UploadDags session: initiates `roots`, answers requests from `objects`, and
/// returns the requests and finalizations it saw.
struct DagRun {
    std::vector<dagpb::UploadDagsResponse::RequestObject> requests;
    std::vector<dagpb::UploadDagsResponse::FinalizeDag> finals;
    ::grpc::Status status;
};

DagRun run_dags(const ServedStore& s, const std::vector<Object>& roots, const std::vector<Object>& objects,
                const std::vector<Reference>& abandon = {}, const std::vector<Reference>& corrupt = {}) {
    DagRun out;
    auto stub = dagpb::Uploader::NewStub(s.channel());
    ::grpc::ClientContext ctx;
    auto stream = stub->UploadDags(&ctx);
    dagpb::UploadDagsRequest req;
    *req.mutable_handshake()->mutable_namespace_() = net::detail::storage_namespace("main");
    stream->Write(req);
    dagpb::UploadDagsResponse resp;
    BOOST_TEST_REQUIRE(stream->Read(&resp));
    BOOST_TEST_REQUIRE(resp.has_handshake());
    std::vector<Reference> by_index;
    for (const auto& r : roots) {
        dagpb::UploadDagsRequest i;
        i.mutable_initiate_dag()->set_root_reference(net::detail::ref_string(r.ref));
        by_index.push_back(r.ref);
        stream->Write(i);
    }
    while (out.finals.size() < roots.size() && stream->Read(&resp)) {
        if (resp.has_finalize_dag()) {
            out.finals.push_back(resp.finalize_dag());
            continue;
        }
        BOOST_TEST_REQUIRE(resp.has_request_object());
        out.requests.push_back(resp.request_object());
        if (!resp.request_object().request_contents()) continue;
        const auto idx = resp.request_object().lowest_reference_index();
        BOOST_TEST_REQUIRE(idx < by_index.size());
        const Reference ref = by_index[idx];
        dagpb::UploadDagsRequest p;
        p.mutable_provide_object_contents()->set_lowest_reference_index(idx);
        const bool drop = std::find(abandon.begin(), abandon.end(), ref) != abandon.end();
        if (!drop) {
            auto it = std::find_if(objects.begin(), objects.end(), [&](const Object& o) { return o.ref == ref; });
            BOOST_TEST_REQUIRE((it != objects.end()));
            Bytes data = it->data;
            if (std::find(corrupt.begin(), corrupt.end(), ref) != corrupt.end()) data[data.size() - 1] ^= 1;
            p.mutable_provide_object_contents()->set_object_contents(bytes_string(data));
            auto contents = object::ContentsView::from_data(ref, it->data).value();
            for (const auto& c : contents.children()) by_index.push_back(c);
        }
        stream->Write(p);
    }
    stream->WritesDone();
    out.status = stream->Finish();
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(upload_dags_sends_only_what_is_missing) {
    ServedStore s;
    // root -> {mid1 -> {a, b}, mid2 -> {b, c}}; mid1's subtree is stored already.
    const Object a = leaf(100, 1), b = leaf(200, 2), c = leaf(300, 3);
    const Object mid1 = make_object(pattern(20, 4), {a.ref, b.ref});
    const Object mid2 = make_object(pattern(20, 5), {b.ref, c.ref});
    const Object root = make_object(pattern(20, 6), {mid1.ref, mid2.ref});
    for (const auto& o : {a, b, mid1}) BOOST_TEST_REQUIRE(s.memory.put(o.ref, o.data).has_value());

    auto run = run_dags(s, {root}, {a, b, c, mid1, mid2, root});
    BOOST_TEST_REQUIRE(run.status.ok(), run.status.error_message());
    BOOST_TEST_REQUIRE(run.finals.size() == 1u);
    BOOST_TEST(run.finals[0].status().code() == 0);
    // Index 0 root; 1, 2 its children; then the children of whichever mid was provided.
    std::size_t wanted = 0;
    for (const auto& r : run.requests) wanted += r.request_contents();
    BOOST_TEST(wanted == 3u, "root, mid2 and c are missing");
    BOOST_TEST(run.requests.size() == 5u, "one request per index: root, mid1, mid2, b, c");
    for (const auto& o : {a, b, c, mid1, mid2, root}) BOOST_TEST(s.memory.contains(o.ref).value());

    // Again: nothing is requested.
    run = run_dags(s, {root}, {});
    BOOST_TEST_REQUIRE(run.status.ok());
    BOOST_TEST_REQUIRE(run.requests.size() == 1u);
    BOOST_TEST(!run.requests[0].request_contents());
    BOOST_TEST(run.finals[0].status().code() == 0);
}

BOOST_AUTO_TEST_CASE(upload_dags_abandoned_and_corrupt_objects_fail_their_dags) {
    ServedStore s;
    const Object a = leaf(100, 1), b = leaf(200, 2);
    const Object pa = make_object(pattern(20, 3), {a.ref});
    const Object pb = make_object(pattern(20, 4), {b.ref});
    auto run = run_dags(s, {pa, pb}, {a, b, pa, pb}, {a.ref}, {b.ref});
    BOOST_TEST_REQUIRE(run.status.ok(), run.status.error_message());
    BOOST_TEST_REQUIRE(run.finals.size() == 2u);
    for (const auto& f : run.finals) {
        if (f.root_reference_index() == 0) BOOST_TEST(f.status().code() == ::grpc::CANCELLED);
        else BOOST_TEST(f.status().code() == ::grpc::INVALID_ARGUMENT);
    }
    BOOST_TEST(!s.memory.contains(a.ref).value());
    BOOST_TEST(!s.memory.contains(b.ref).value(), "contents that do not match are never stored");
}

BOOST_AUTO_TEST_CASE(remote_put_many_uploads_parents_whose_children_are_elsewhere) {
    ServedStore s;
    auto remote = s.remote();
    const Object a = leaf(100, 1);
    const Object parent = make_object(pattern(20, 2), {a.ref});
    // The child is neither on the server nor in the batch: the parent is still stored (as
    // any backend stores what it is given), and check_reachable names the missing child.
    BOOST_TEST_REQUIRE(remote.put(parent.ref, parent.data).has_value());
    BOOST_TEST(s.memory.contains(parent.ref).value());
    storage::BasicStore<storage::Remote> store(remote);
    auto check = storage::check_reachable(store, parent.ref);
    BOOST_TEST_REQUIRE(!check.has_value());
    BOOST_TEST(check.error().message().find(a.ref.to_hex()) != std::string::npos);
}

BOOST_AUTO_TEST_CASE(concurrent_uploaders_lose_nothing) {
    ServedStore s;
    constexpr int writers = 64;
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    std::vector<Object> all;
    std::mutex m;
    std::string first_error;
    for (int w = 0; w < writers; ++w)
        threads.emplace_back([&, w] {
            auto remote = storage::Remote::open(s.uri);
            if (!remote) {
                ++failures;
                return;
            }
            // Each writer: a shared leaf, its own leaves, and a parent over them.
            std::vector<Object> objs{leaf(500, 1), leaf(700, static_cast<std::uint32_t>(1000 + w)),
                                     leaf(90, static_cast<std::uint32_t>(2000 + w))};
            objs.push_back(make_object(pattern(30, static_cast<std::uint32_t>(3000 + w)),
                                       {objs[0].ref, objs[1].ref, objs[2].ref}));
            std::vector<storage::PutItem> items;
            for (const auto& o : objs) items.push_back({o.ref, o.data});
            if (auto r = remote->put_many(items); !r) {
                ++failures;
                std::lock_guard lock(m);
                if (first_error.empty()) first_error = r.error().message();
            }
            std::lock_guard lock(m);
            all.insert(all.end(), objs.begin(), objs.end());
        });
    for (auto& t : threads) t.join();
    BOOST_TEST(failures.load() == 0, first_error);
    auto remote = s.remote();
    for (const auto& o : all) {
        auto got = remote.get(o.ref);
        BOOST_TEST_REQUIRE(got.has_value());
        BOOST_TEST((*got == o.data));
    }
}

BOOST_AUTO_TEST_CASE(a_server_stopped_mid_upload_leaves_no_partial_object) {
    auto s = std::make_unique<ServedStore>();
    storage::Memory memory = s->memory;
    auto remote = s->remote();
    std::atomic<int> errors{0}, stored{0};
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::thread writer([&] {   // uploads until the stopped server makes one fail
        for (std::uint32_t i = 0; std::chrono::steady_clock::now() < give_up; ++i) {
            std::vector<Object> objs;
            std::vector<storage::PutItem> items;
            for (std::uint32_t j = 0; j < 8; ++j) objs.push_back(leaf(64 << 10, i * 8 + j + 1));
            objs.push_back(make_object(pattern(10, i), {objs[0].ref, objs[1].ref}));
            for (const auto& o : objs) items.push_back({o.ref, o.data});
            if (!remote.put_many(items)) {
                ++errors;
                break;
            }
            ++stored;
        }
    });
    // Stop the server while uploads go on, once some have been stored.
    bool some = false;
    for (int k = 0; k < 20000 && !(some = stored.load() >= 2); ++k) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    s->server->shutdown();
    writer.join();
    BOOST_REQUIRE(some);
    BOOST_TEST(errors.load() == 1, "the upload in progress fails with an error");
    // Everything the server stored is whole.
    std::size_t n = 0;
    BOOST_TEST(memory
                   .enumerate([&](const storage::ObjectInfo& i) {
                       ++n;
                       BOOST_TEST(storage::Sha256V1Verifier::verify(i.reference, memory.get(i.reference).value()).has_value());
                       return true;
                   })
                   .has_value());
    BOOST_TEST(n > 0u);
    // And the client's error names the failure, not a torn object.
    auto got = remote.get(leaf(64 << 10, 1).ref);
    BOOST_TEST_REQUIRE(!got.has_value());
    BOOST_TEST((got.error() == errc::backend_unavailable));
}

BOOST_AUTO_TEST_CASE(removal_is_refused_unless_allowed) {
    ServedStore::allow_remove = false;
    ServedStore s;
    ServedStore::allow_remove = true;
    const Object a = leaf(100, 1);
    auto remote = s.remote();
    BOOST_TEST_REQUIRE(remote.put(a.ref, a.data).has_value());
    auto r = remote.remove(a.ref);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == errc::unsupported));
    BOOST_TEST(r.error().message().find("allow_remove") != std::string::npos);
    BOOST_TEST(!remote.remove_if_written_before(a.ref, storage::WriteClock::now() + std::chrono::hours(1)).has_value());
    BOOST_TEST(s.memory.contains(a.ref).value(), "nothing was removed");
    // A collection through such a server fails before deleting anything, and says why.
    storage::BasicStore<storage::Remote> store(remote);
    storage::GcOptions gc;
    gc.grace = std::chrono::seconds(0);
    auto collected = storage::collect_garbage(store, {}, gc);
    BOOST_TEST_REQUIRE(!collected.has_value());
    BOOST_TEST(s.memory.contains(a.ref).value());
}

BOOST_AUTO_TEST_CASE(a_collection_keeps_what_a_valid_lease_covers) {
    net::StorageServerOptions o;
    o.lease_ttl = std::chrono::seconds(1);
    o.gc_grace = std::chrono::seconds(1);
    ServedStore s(o);
    const Object a = leaf(100, 1), b = leaf(200, 2);
    const Object parent = make_object(pattern(20, 3), {a.ref, b.ref});
    const std::string la = lease_of(s, a), lb = lease_of(s, b);
    const std::string lp = lease_of(s, parent, a.ref < b.ref ? std::vector{la, lb} : std::vector{lb, la});
    // Nothing is a root: only the grace period keeps objects, and it is at least the lease's
    // time to live, so a collection while the lease is valid deletes nothing it covers.
    storage::BasicStore<storage::Memory> local(s.memory);
    storage::GcOptions gc;
    gc.grace = o.gc_grace;
    auto kept = storage::collect_garbage(local, {}, gc);
    BOOST_TEST_REQUIRE(kept.has_value());
    BOOST_TEST(kept->deleted == 0u);
    for (const auto& x : {a, b, parent}) BOOST_TEST(s.memory.contains(x.ref).value());
    // Once the lease has expired the same collection may delete them, and the lease is refused.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    auto later = storage::collect_garbage(local, {}, gc);
    BOOST_TEST_REQUIRE(later.has_value());
    BOOST_TEST(later->deleted == 3u);
    const Object grand = make_object(pattern(20, 4), {parent.ref});
    ::grpc::Status st;
    auto r = upload(s, grand, true, {lp}, st);
    BOOST_TEST_REQUIRE(st.ok());
    BOOST_TEST(r.has_incomplete());
}

namespace {

/// A hostile UploadDags server: answers the handshake, then asks for index 0 `repeats` times.
class Greedy final : public dagpb::Uploader::Service {
public:
    explicit Greedy(int repeats) : repeats_(repeats) {}
    ::grpc::Status UploadDags(::grpc::ServerContext*,
                              ::grpc::ServerReaderWriter<dagpb::UploadDagsResponse, dagpb::UploadDagsRequest>* s) override {
        dagpb::UploadDagsRequest req;
        if (!s->Read(&req)) return ::grpc::Status::OK;
        dagpb::UploadDagsResponse hello;
        hello.mutable_handshake()->set_maximum_unfinalized_dags_count(1);
        s->Write(hello);
        if (!s->Read(&req)) return ::grpc::Status::OK;
        for (int i = 0; i < repeats_; ++i) {
            dagpb::UploadDagsResponse r;
            r.mutable_request_object()->set_lowest_reference_index(0);
            r.mutable_request_object()->set_request_contents(true);
            if (!s->Write(r)) break;
        }
        while (s->Read(&req)) {
        }
        return ::grpc::Status::OK;
    }

private:
    int repeats_;
};

} // namespace

BOOST_AUTO_TEST_CASE(a_server_asking_twice_is_refused) {
    Greedy greedy(1000);
    auto started = net::detail::build_server({}, "greedy", {&greedy});
    BOOST_TEST_REQUIRE(started.has_value());
    auto remote = storage::Remote::open("grpc://127.0.0.1:" + std::to_string(started->port) + "/main").value();
    const Object a = leaf(50, 1);
    const Object parent = make_object(pattern(10, 2), {a.ref});
    const std::vector<storage::PutItem> items{{a.ref, a.data}, {parent.ref, parent.data}};
    auto r = remote.put_many(items);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().message().find("asked twice") != std::string::npos, r.error().message());
    started->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
}

BOOST_AUTO_TEST_SUITE_END()
