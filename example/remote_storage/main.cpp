// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A store shared over the network: a storage server (Bonanza's storage services) over a
// SQLite file, and a client that keeps a small DAG there, reads it back and checks it.
// Usage: example_remote_storage [WORK_DIR]   (default: a fresh directory under /tmp)

#include <sealpipe/net/storage_server.hpp>
#include <sealpipe/object/contents.hpp>
#include <sealpipe/storage/gc.hpp>
#include <sealpipe/net/remote_storage.hpp>
#include <sealpipe/storage/sqlite.hpp>
#include <sealpipe/tags/sqlite.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace sealpipe;

namespace {

struct Object {
    storage::Reference ref;
    Bytes data;
};

Object make(std::vector<storage::Reference> children, std::string_view text) {
    std::sort(children.begin(), children.end());
    auto contents = object::Contents::build(children, as_bytes(text)).value();
    return {contents.reference(), to_bytes(contents.data())};
}

int fail(const char* what, const Error& e) {
    std::fprintf(stderr, "%s: %s\n", what, e.message().c_str());
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    std::string dir = argc > 1 ? argv[1] : "";
    if (dir.empty()) {
        char tmpl[] = "/tmp/sealpipe-remote-storage-XXXXXX";
        if (!::mkdtemp(tmpl)) return 1;
        dir = tmpl;
    }

    // The server side: any backend, its tag records beside it, and a lease key.
    auto objects = storage::Sqlite::open(dir + "/objects.db");
    if (!objects) return fail("open the store", objects.error());
    auto tag_records = tags::SqliteTags::open(dir + "/objects.db");
    if (!tag_records) return fail("open the tag records", tag_records.error());
    auto leases = net::LeaseIssuer::random("team");
    if (!leases) return fail("make a lease key", leases.error());
    net::StorageServerOptions options;
    options.instance_name = "team";
    net::StorageServer server(storage::AnyBackend(std::move(*objects)), tags::AnyTagBackend(std::move(*tag_records)),
                              std::move(*leases), options);
    if (auto r = server.start({.listen = "127.0.0.1:0"}); !r) return fail("listen", r.error());
    const std::string uri = "grpc://127.0.0.1:" + std::to_string(server.port()) + "/team";
    std::printf("server: %s/objects.db served as %s\n", dir.c_str(), uri.c_str());

    // The client side: a verified store whose backend is the server.
    auto remote = storage::Remote::open(uri);
    if (!remote) return fail("connect", remote.error());
    storage::RemoteStore store(std::move(*remote));
    const Object a = make({}, "first leaf"), b = make({}, "second leaf");
    const Object root = make({a.ref, b.ref}, "a root over both leaves");
    // One batch: the server asks only for what it lacks, and checks each object.
    const std::vector<storage::PutItem> batch{{a.ref, a.data}, {b.ref, b.data}, {root.ref, root.data}};
    if (auto r = store.put_many(batch); !r) return fail("put", r.error());
    std::printf("client: stored a DAG of 3 objects, root %s\n", root.ref.to_string().c_str());

    auto reach = storage::check_reachable(store, root.ref);
    if (!reach) return fail("check", reach.error());
    std::printf("client: the root and everything below it are there: %zu objects, %zu bytes\n", reach->objects,
                reach->bytes);
    auto back = store.get(root.ref);
    if (!back) return fail("get", back.error());
    if (*back != root.data) {
        std::fputs("get: the data differs\n", stderr);
        return 1;
    }
    std::printf("client: read the root back, verified against its reference\n");

    // Bytes that do not match their reference are refused by the server itself.
    Bytes forged = a.data;
    forged[0] ^= 1;
    auto refused = store.backend().put(a.ref, forged);
    std::printf("client: a forged object is refused: %s\n", refused ? "no (unexpected)" : refused.error().message().c_str());
    server.shutdown();
    return refused ? 1 : 0;
}
