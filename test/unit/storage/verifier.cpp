// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/storage/verifier.hpp, key.hpp, basic_store.hpp, any.hpp and uri.hpp:
// what the default verifier accepts and refuses, key hex, URIs, the concept's models.
#include <sealpipe/storage/verifier.hpp>
#include <sealpipe/storage.hpp>
#include <sealpipe/storage/uri.hpp>

#include "support/redis_client.hpp"
#include "support/storage.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <thread>

#include <sys/stat.h>

using namespace sealpipe;
using namespace sealpipe::storage;
using sealpipe::test::leaf;
using sealpipe::test::make_object;
using sealpipe::test::pattern;

namespace {
struct NotABackend {
    result<void> put(const Reference&, ByteView) { return {}; }
};
struct NotAVerifier {};
} // namespace

static_assert(StorageBackend<Memory>);
static_assert(StorageBackend<Directory>);
static_assert(StorageBackend<Sqlite>);
static_assert(StorageBackend<Redis>);
static_assert(StorageBackend<AnyBackend>);
static_assert(!StorageBackend<NotABackend>);
static_assert(ObjectVerifier<Sha256V1Verifier>);
static_assert(!ObjectVerifier<NotAVerifier>);

BOOST_AUTO_TEST_SUITE(storage_basics)

BOOST_AUTO_TEST_CASE(verifier_accepts_matching_objects) {
    const auto o = leaf(1234, 1);
    BOOST_TEST(Sha256V1Verifier::verify(o.ref, o.data).has_value());
    const auto parent = make_object(pattern(10, 2), {o.ref});
    BOOST_TEST(Sha256V1Verifier::verify(parent.ref, parent.data).has_value());
    const auto children = Sha256V1Verifier::children(parent.ref, parent.data).value();
    BOOST_TEST_REQUIRE(children.size() == 1u);
    BOOST_TEST((children[0] == o.ref));
    BOOST_TEST(Sha256V1Verifier::children(o.ref, o.data).value().empty());
}

BOOST_AUTO_TEST_CASE(verifier_refuses_wrong_data) {
    const auto o = leaf(100, 3);
    Bytes flipped = o.data;
    flipped[99] ^= 0x40;
    BOOST_TEST((Sha256V1Verifier::verify(o.ref, flipped).error() == errc::object_corrupt));
    auto shorter = Sha256V1Verifier::verify(o.ref, ByteView(o.data).first(99));
    BOOST_TEST((shorter.error() == errc::object_corrupt));
    BOOST_TEST(shorter.error().message().find("expected 100 bytes, got 99") != std::string::npos);
    Bytes longer = o.data;
    longer.push_back(0);
    BOOST_TEST((Sha256V1Verifier::verify(o.ref, longer).error() == errc::object_corrupt));
    // A reference with another hash.
    auto raw = o.ref.array();
    raw[0] ^= 1;
    const auto other = Reference::from_bytes(ByteView(raw.data(), raw.size())).value();
    BOOST_TEST((Sha256V1Verifier::verify(other, o.data).error() == errc::object_corrupt));
}

BOOST_AUTO_TEST_CASE(references_with_impossible_sizes_never_reach_a_store) {
    // A store is keyed by `Reference`, which cannot hold these: parsing refuses them first.
    const auto o = leaf(100, 4);
    auto with = [&](auto change) {
        auto raw = o.ref.array();
        change(raw);
        return Reference::from_bytes(ByteView(raw.data(), raw.size()));
    };
    BOOST_TEST((with([](auto& r) { r[32] = r[33] = r[34] = 0; }).error() == errc::invalid_reference));
    BOOST_TEST((with([](auto& r) { r[32] = 1, r[33] = 0, r[34] = 0x20; }).error() == errc::invalid_reference)); // 2 MiB + 1
    BOOST_TEST((with([](auto& r) { r[36] = 3; }).error() == errc::invalid_reference)); // 100 bytes cannot hold 3 references
    BOOST_TEST((with([](auto& r) { r[36] = r[37] = 0xff; }).error() == errc::invalid_reference));
    BOOST_TEST(with([](auto&) {}).has_value());
}

BOOST_AUTO_TEST_CASE(reference_hex) {
    const auto o = leaf(10, 5);
    const std::string hex = o.ref.to_hex();
    BOOST_TEST(hex.size() == 80u);
    BOOST_TEST((Reference::from_hex(hex).value() == o.ref));
    std::string upper = hex;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    BOOST_TEST((Reference::from_hex(upper).value() == o.ref));
    BOOST_TEST((Reference::from_hex(hex.substr(2)).error() == errc::invalid_length));
    BOOST_TEST((Reference::from_hex("zz" + hex.substr(2)).error() == errc::malformed_input));
}

BOOST_AUTO_TEST_CASE(redis_uris) {
    auto c = RedisConfig::from_uri("redis://example.org:6380/3").value();
    BOOST_TEST(c.host == "example.org");
    BOOST_TEST(c.port == 6380);
    BOOST_TEST(c.db == 3);
    BOOST_TEST(c.password.empty());
    c = RedisConfig::from_uri("redis://:s3cret@10.0.0.1").value();
    BOOST_TEST(c.host == "10.0.0.1");
    BOOST_TEST(c.port == 6379);
    BOOST_TEST(c.db == 0);
    BOOST_TEST(c.user.empty());
    BOOST_TEST(c.password == "s3cret");
    c = RedisConfig::from_uri("redis://alice:pw@host:1/").value();
    BOOST_TEST(c.user == "alice");
    BOOST_TEST(c.password == "pw");
    for (const char* bad : {"http://host", "redis://", "redis://host:0", "redis://host:70000", "redis://host:x",
                            "redis://host/-1", "redis://host/db", "redis://nocolon@host"}) {
        BOOST_TEST_CONTEXT(bad) { BOOST_TEST((RedisConfig::from_uri(bad).error() == errc::malformed_input)); }
    }
}

BOOST_AUTO_TEST_CASE(store_uris) {
    test::TempDir dir;
    for (const std::string& uri : {"dir:" + dir.path() + "/d", "sqlite:" + dir.path() + "/s.db", std::string("memory:")}) {
        BOOST_TEST_CONTEXT(uri) {
            auto store = open_store(uri);
            BOOST_TEST_REQUIRE(store.has_value(), (store ? "" : store.error().message()));
            const auto o = leaf(77, 6);
            BOOST_TEST(store->put(o.ref, o.data).has_value());
            BOOST_TEST((store->get(o.ref).value() == o.data));
            BOOST_TEST(check_reachable(*store, o.ref).value().objects == 1u);
        }
    }
    BOOST_TEST(open_backend("dir:" + dir.path() + "/d").value().target<Directory>() != nullptr);
    BOOST_TEST(open_backend("dir:" + dir.path() + "/d").value().target<Sqlite>() == nullptr);
    BOOST_TEST((open_store("ftp://x").error() == errc::malformed_input));
    BOOST_TEST((open_store("sqlite:").error() == errc::malformed_input));
    // Nothing listens on port 1 of the loopback interface.
    auto down = open_store("redis://127.0.0.1:1/0");
    BOOST_TEST_REQUIRE(!down.has_value());
    BOOST_TEST((down.error() == errc::backend_unavailable));
    BOOST_TEST(down.error().message().find("127.0.0.1:1") != std::string::npos);
    // A file where a directory should be.
    BOOST_TEST((open_store("dir:/proc/self/status/x").error() == errc::io_error));
}

BOOST_AUTO_TEST_CASE(redis_auth_and_database) {
    test::RedisServer server({"--requirepass", "s3cret"});
    const std::string at = "127.0.0.1:" + std::to_string(server.port());
    const auto o = leaf(300, 8);
    auto store = open_store("redis://:s3cret@" + at + "/2");
    BOOST_TEST_REQUIRE(store.has_value(), (store ? "" : store.error().message()));
    BOOST_TEST(store->put(o.ref, o.data).has_value());
    BOOST_TEST((store->get(o.ref).value() == o.data));
    // Databases are separate namespaces.
    auto db3 = open_store("redis://:s3cret@" + at + "/3").value();
    BOOST_TEST(!db3.contains(o.ref).value());
    // A wrong password fails at connection; none fails at the first command.
    auto wrong = open_store("redis://:nope@" + at + "/2");
    BOOST_TEST_REQUIRE(!wrong.has_value());
    BOOST_TEST((wrong.error() == errc::backend_unavailable));
    BOOST_TEST_MESSAGE(wrong.error().message());
    auto none = open_store("redis://" + at);
    BOOST_TEST_REQUIRE(none.has_value());
    auto denied = none->get(o.ref);
    BOOST_TEST_REQUIRE(!denied.has_value());
    BOOST_TEST((denied.error() == errc::backend_unavailable));
    BOOST_TEST(denied.error().message().find("NOAUTH") != std::string::npos, denied.error().message());
}

BOOST_AUTO_TEST_CASE(redis_layout_and_write_times) {
    using std::chrono::microseconds;
    test::RedisServer server;
    auto r = Redis::open(server.uri(4)).value();
    test::RedisClient raw(server.port(), 4);
    const auto micros = [](WriteTime t) {
        return std::chrono::duration_cast<microseconds>(t.time_since_epoch()).count();
    };
    const auto o = leaf(1000, 9);
    const auto before = WriteClock::now();
    BOOST_TEST_REQUIRE(r.put(o.ref, o.data).has_value());
    const auto after = WriteClock::now();
    // One string per object, nothing else: the write time (µs since the epoch, 8 bytes
    // big-endian), then the object.
    const std::string name = r.object_key(o.ref);
    BOOST_TEST(name == "sealpipe:o:" + std::string(as_chars(o.ref.bytes())));
    BOOST_TEST((raw.keys_with_prefix("") == std::vector<std::string>{name}));
    std::string value = raw.get(name).value();
    BOOST_TEST_REQUIRE(value.size() == Redis::time_bytes + o.data.size());
    BOOST_TEST(value.substr(Redis::time_bytes) == std::string(as_chars(o.data)));
    const auto stored_time = [&] {
        std::int64_t us = 0;
        for (std::size_t i = 0; i < Redis::time_bytes; ++i) us = us << 8 | static_cast<unsigned char>(value[i]);
        return us;
    };
    const std::int64_t us = stored_time();
    BOOST_TEST(us >= micros(before));
    BOOST_TEST(us <= micros(after));
    WriteTime listed{};
    BOOST_TEST(r.enumerate([&](const ObjectInfo& i) { return listed = i.written, true; }).has_value());
    BOOST_TEST(micros(listed) == us);

    // touch rewrites the time only; a put of a stored object writes it again with a new time.
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    BOOST_TEST(r.touch(o.ref).value());
    value = raw.get(name).value();
    const std::int64_t touched = stored_time();
    BOOST_TEST(touched > us);
    BOOST_TEST(value.substr(Redis::time_bytes) == std::string(as_chars(o.data)));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    BOOST_TEST(r.put(o.ref, o.data).has_value());
    value = raw.get(name).value();
    BOOST_TEST(stored_time() > touched);
    BOOST_TEST(value.size() == Redis::time_bytes + o.data.size());

    // remove_if_written_before compares the exact time, in every byte.
    const WriteTime t(std::chrono::duration_cast<WriteClock::duration>(microseconds(stored_time())));
    for (const WriteTime cutoff : {t - microseconds(1), t, t - std::chrono::hours(24 * 365 * 50)}) {
        BOOST_TEST(!r.remove_if_written_before(o.ref, cutoff).value());
    }
    BOOST_TEST(r.contains(o.ref).value());
    BOOST_TEST(r.remove_if_written_before(o.ref, t + microseconds(1)).value());
    BOOST_TEST(!r.contains(o.ref).value());
    BOOST_TEST(!r.remove_if_written_before(o.ref, t + microseconds(1)).value());
    BOOST_TEST(r.put(o.ref, o.data).has_value());
    BOOST_TEST(r.remove_if_written_before(o.ref, t + std::chrono::hours(24 * 365 * 150)).value());

    // Prefixes with glob characters are matched literally: each store sees its own objects.
    auto config = RedisConfig::from_uri(server.uri(4)).value();
    config.prefix = "p*[x]?\\:";
    auto star = Redis::connect(config).value();
    config.prefix = "pq:";
    auto plain = Redis::connect(config).value();
    const auto a = leaf(10, 10), b = leaf(10, 11);
    BOOST_TEST(star.put(a.ref, a.data).has_value());
    BOOST_TEST(plain.put(b.ref, b.data).has_value());
    for (const auto& [store, expected] : {std::pair{&star, &a}, std::pair{&plain, &b}}) {
        std::vector<Reference> seen;
        BOOST_TEST(store->enumerate([&](const ObjectInfo& i) { return seen.push_back(i.reference), true; }).has_value());
        BOOST_TEST_REQUIRE(seen.size() == 1u);
        BOOST_TEST((seen[0] == expected->ref));
    }
}

BOOST_AUTO_TEST_CASE(directory_layout_is_sharded) {
    test::TempDir dir;
    auto d = Directory::open(dir.path()).value();
    const auto o = leaf(10, 7);
    BOOST_TEST(d.put(o.ref, o.data).has_value());
    const std::string hex = o.ref.to_hex();
    BOOST_TEST(d.object_path(o.ref) == dir.path() + "/" + hex.substr(0, 2) + "/" + hex);
    BOOST_TEST(std::filesystem::is_regular_file(d.object_path(o.ref)));
    // A stray file is not reported as an object; stale temporaries are cleaned up.
    const std::string shard = dir.path() + "/" + hex.substr(0, 2);
    { std::ofstream(shard + "/README"); }
    { std::ofstream(shard + "/.tmp-1-2-3") << "partial"; }
    std::size_t n = 0;
    BOOST_TEST(d.enumerate([&](const ObjectInfo&) { return ++n, true; }).has_value());
    BOOST_TEST(n == 1u);
    BOOST_TEST(d.remove_stale_temporaries(WriteClock::now() + std::chrono::seconds(1)).value() == 1u);
    BOOST_TEST(!std::filesystem::exists(shard + "/.tmp-1-2-3"));
    BOOST_TEST(std::filesystem::exists(shard + "/README"));
}

BOOST_AUTO_TEST_CASE(an_object_a_killed_collection_set_aside_is_never_lost) {
    // A collection renames a candidate aside before deciding; killed there, it leaves the
    // object under `.gc-HEX-…`. Reads put it back; so does the next collection, whatever
    // the file's age; a set-aside file of an older version (no HEX in its name) is left alone.
    test::TempDir dir;
    auto d = Directory::open(dir.path()).value();
    const auto a = leaf(100, 31), b = leaf(100, 32), c = leaf(100, 33);
    for (const auto* o : {&a, &b, &c}) BOOST_TEST_REQUIRE(d.put(o->ref, o->data).has_value());
    auto set_aside = [&](const auto& o) {
        const std::string hex = o.ref.to_hex();
        const std::string aside = dir.path() + "/" + hex.substr(0, 2) + "/.gc-" + hex + "-77-0-deadbeef";
        BOOST_REQUIRE(std::filesystem::exists(d.object_path(o.ref)));
        std::filesystem::rename(d.object_path(o.ref), aside);
        return aside;
    };
    const std::string aside_a = set_aside(a), aside_b = set_aside(b), aside_c = set_aside(c);
    BOOST_TEST((d.get(a.ref).value() == a.data));   // a read puts it back
    BOOST_TEST(std::filesystem::exists(d.object_path(a.ref)));
    BOOST_TEST(!std::filesystem::exists(aside_a));
    // A lookup does not search (an absent object is the common case there); a put of the
    // object stores it again, and the set-aside copy goes at the next collection.
    BOOST_TEST(!d.contains(b.ref).value());
    BOOST_TEST(d.put(b.ref, b.data).has_value());
    BOOST_TEST(d.contains(b.ref).value());
    BOOST_TEST(std::filesystem::exists(aside_b));
    const std::string shard_c = dir.path() + "/" + c.ref.to_hex().substr(0, 2);
    { std::ofstream(shard_c + "/.gc-123-4-abcdef") << "an older version's file"; }
    BOOST_TEST(d.remove_stale_temporaries(WriteClock::now() - std::chrono::hours(1)).value() == 0u);
    BOOST_TEST(!std::filesystem::exists(aside_c));
    BOOST_TEST(!std::filesystem::exists(aside_b));   // its object was stored again: the copy goes
    BOOST_TEST((d.get(b.ref).value() == b.data));
    BOOST_TEST((d.get(c.ref).value() == c.data));
    BOOST_TEST(std::filesystem::exists(shard_c + "/.gc-123-4-abcdef"));
    // A missing object with nothing set aside is still missing.
    BOOST_TEST((d.get(leaf(100, 34).ref).error() == errc::object_not_found));
    // And a real collection deletes what it should, leaving nothing aside.
    BOOST_TEST(d.remove_if_written_before(a.ref, WriteClock::now() + std::chrono::seconds(1)).value());
    BOOST_TEST(!d.contains(a.ref).value());
    std::size_t leftovers = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path() + "/" + a.ref.to_hex().substr(0, 2)))
        leftovers += e.path().filename().string().starts_with(".gc-" + a.ref.to_hex());
    BOOST_TEST(leftovers == 0u);
}

BOOST_AUTO_TEST_CASE(the_collection_after_a_killed_one_decides_about_what_it_set_aside) {
    // A killed collection left a reachable object and a garbage object set aside: the next
    // collection puts both back first, keeps the reachable one and deletes the garbage at
    // once (not a collection later), leaving nothing aside.
    test::TempDir dir;
    auto store = BasicStore<Directory>(Directory::open(dir.path()).value());
    const auto kept = leaf(100, 41), garbage = leaf(100, 42);
    for (const auto* o : {&kept, &garbage}) BOOST_TEST_REQUIRE(store.put(o->ref, o->data).has_value());
    for (const auto* o : {&kept, &garbage}) {
        const std::string hex = o->ref.to_hex();
        std::filesystem::rename(store.backend().object_path(o->ref),
                                dir.path() + "/" + hex.substr(0, 2) + "/.gc-" + hex + "-77-0-deadbeef");
    }
    auto gc = collect_garbage(store, std::vector<Reference>{kept.ref}, {.grace = {}});
    BOOST_TEST_REQUIRE(gc.has_value(), (gc ? "" : gc.error().message()));
    BOOST_TEST(gc->deleted == 1u);
    BOOST_TEST(gc->reachable == 1u);
    BOOST_TEST((store.get(kept.ref).value() == kept.data));
    BOOST_TEST(!store.contains(garbage.ref).value());
    std::size_t aside = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path()))
        aside += e.path().filename().string().starts_with(".gc-");
    BOOST_TEST(aside == 0u);
}

BOOST_AUTO_TEST_CASE(directory_batch_finds_stored_objects) {
    test::TempDir dir;
    auto d = Directory::open(dir.path(), {.sync = false}).value();
    const auto stored = leaf(100, 20), fresh = leaf(100, 21), fresh2 = leaf(100, 22);
    BOOST_TEST_REQUIRE(d.put(stored.ref, stored.data).has_value());
    struct stat before{};
    BOOST_TEST_REQUIRE(::stat(d.object_path(stored.ref).c_str(), &before) == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    // After a new object the batch writes without looking first; the rename then finds the
    // stored object, which keeps its file (same inode) and gets the new write time.
    const PutItem items[] = {{fresh.ref, fresh.data}, {stored.ref, stored.data}, {fresh2.ref, fresh2.data}};
    BOOST_TEST_REQUIRE(d.put_many(items).has_value());
    struct stat after{};
    BOOST_TEST_REQUIRE(::stat(d.object_path(stored.ref).c_str(), &after) == 0);
    BOOST_TEST(after.st_ino == before.st_ino);
    BOOST_TEST((storage::detail::directory::from_timespec(after.st_mtim) > storage::detail::directory::from_timespec(before.st_mtim)));
    for (const auto* o : {&stored, &fresh, &fresh2}) BOOST_TEST((d.get(o->ref).value() == o->data));
    std::size_t temporaries = 0;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path()))
        if (e.path().filename().string().front() == '.') ++temporaries;
    BOOST_TEST(temporaries == 0u);
}

BOOST_AUTO_TEST_CASE(gc_removes_in_batches) {
    // A collection deletes with one transaction (one sync of the log) per batch of objects,
    // not one per object: 2,999 garbage objects in SQLite, through the CLI's type-erased store.
    test::TempDir dir;
    auto store = open_store("sqlite:" + dir.path() + "/s.db").value();
    std::vector<sealpipe::testing::Object> objects;
    std::vector<PutItem> items;
    for (std::uint32_t i = 0; i < 3000; ++i) objects.push_back(leaf(16, 1000 + i));
    for (const auto& o : objects) items.push_back({o.ref, o.data});
    BOOST_TEST_REQUIRE(store.backend().put_many(items).has_value());
    sqlite3* db = store.backend().target<Sqlite>()->native_handle();
    int commits = 0;
    sqlite3_commit_hook(db, [](void* n) { return ++*static_cast<int*>(n), 0; }, &commits);
    GcOptions options;
    options.grace = {};
    const Reference roots[] = {objects.front().ref};
    auto stats = collect_garbage(store, roots, options);
    sqlite3_commit_hook(db, nullptr, nullptr);
    BOOST_TEST_REQUIRE(stats.has_value());
    BOOST_TEST(stats->deleted == 2999u);
    BOOST_TEST(commits == 3); // 1024 + 1024 + 951
    BOOST_TEST(store.contains(objects.front().ref).value());
    BOOST_TEST(!store.contains(objects.back().ref).value());
}

BOOST_AUTO_TEST_SUITE_END()
