// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Stores a small DAG of objects, checks that it is complete, collects garbage, and opens a
// store from a URI. Usage: example_storage [STORE-URI]   (default: a dir: store in /tmp)

#include <sealpipe/object/contents.hpp>
#include <sealpipe/storage.hpp>
#include <sealpipe/storage/uri.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using namespace sealpipe;

namespace {

// An object and its reference, built by the object layer: the outgoing references first (sorted),
// then the payload; the reference holds the hash, size, height, degree and parents size.
struct Object {
    storage::Reference ref;
    Bytes data;
};

Object make(std::vector<storage::Reference> children, std::string_view text) {
    std::sort(children.begin(), children.end()); // outgoing references are sorted
    auto contents = object::Contents::build(children, as_bytes(text)).value();
    return {contents.reference(), to_bytes(contents.data())};
}

Object leaf(std::string_view text) { return make({}, text); }
Object parent(std::vector<storage::Reference> children, std::string_view text) { return make(std::move(children), text); }

int fail_with(const Error& e) {
    std::fprintf(stderr, "example_storage: %s\n", e.message().c_str());
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    const std::string uri = argc > 1 ? argv[1] : "dir:/tmp/sealpipe-example-store";

    // tag::put_get[]
    auto backend = storage::Directory::open("/tmp/sealpipe-example-direct");
    if (!backend) return fail_with(backend.error());
    storage::DirectoryStore store(std::move(*backend));

    const Object hello = leaf("hello, untrusted storage");
    if (auto r = store.put(hello.ref, hello.data); !r) return fail_with(r.error());
    if (auto r = store.put(hello.ref, hello.data); !r) return fail_with(r.error()); // idempotent

    auto got = store.get(hello.ref); // verified against the key: never corrupt data
    if (!got) return fail_with(got.error());
    std::printf("got %zu bytes back for %s...\n", got->size(), hello.ref.to_hex().substr(0, 16).c_str());

    Bytes wrong = hello.data;
    wrong[0] ^= 1;
    auto refused = store.put(hello.ref, wrong); // data must match its key
    std::printf("put of mismatched data: %s\n", refused ? "accepted?!" : refused.error().message().c_str());
    // end::put_get[]

    // tag::uri[]
    auto any = storage::open_store(uri); // dir:PATH, sqlite:PATH, redis://HOST:PORT/DB
    if (!any) return fail_with(any.error());
    const Object a = leaf("chunk a"), b = leaf("chunk b"), garbage = leaf("nobody needs me");
    const Object root = parent({a.ref, b.ref}, "a file made of two chunks");
    const storage::PutItem batch[] = {{a.ref, a.data}, {b.ref, b.data}, {garbage.ref, garbage.data}};
    if (auto r = any->put_many(batch); !r) return fail_with(r.error()); // children first...
    if (auto r = any->put(root.ref, root.data); !r) return fail_with(r.error()); // ...then the root
    // end::uri[]

    // tag::check[]
    auto check = storage::check_reachable(*any, root.ref);
    if (!check) return fail_with(check.error()); // names the first missing or corrupt object
    std::printf("root and everything it reaches: %zu objects, %zu bytes\n", check->objects, check->bytes);
    // end::check[]

    // tag::gc[]
    storage::GcOptions options;
    options.grace = std::chrono::hours(1); // keep anything written in the last hour
    const storage::Reference roots[] = {root.ref};
    auto kept = storage::collect_garbage(*any, roots, options);
    if (!kept) return fail_with(kept.error());
    std::printf("gc with a grace period: %zu deleted, %zu recent kept\n", kept->deleted, kept->kept_recent);

    options.grace = {}; // nothing else writes to this store now
    auto swept = storage::collect_garbage(*any, roots, options);
    if (!swept) return fail_with(swept.error());
    std::printf("gc without: %zu deleted\n", swept->deleted);
    // end::gc[]

    std::printf("%s\n", root.ref.to_hex().c_str());
    return 0;
}
