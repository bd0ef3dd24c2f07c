// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/tags/store.hpp, tags/sqlite.hpp and tags/redis.hpp: signed, encrypted
// tags over the memory, directory, SQLite and Redis tag backends.
#include <sealpipe/encoding/padme.hpp>
#include <sealpipe/tags/redis.hpp>
#include <sealpipe/tags/sqlite.hpp>
#include <sealpipe/tags/store.hpp>

#include "support/redis_client.hpp"
#include "support/storage.hpp"

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>

using namespace sealpipe;
using namespace sealpipe::storage;
using namespace sealpipe::tags;
using sealpipe::test::leaf;
using sealpipe::test::pattern;

namespace {

struct MemoryTagsFixture {
    MemoryTags backend;
    MemoryTags open() { return backend; }
    Bytes raw(const TagId& id) { return backend.get_tag(id).value().value(); }
};

struct DirectoryTagsFixture {
    static constexpr const char* name = "directory";
    test::TempDir dir;
    DirectoryTags open() { return DirectoryTags::open(dir.path() + "/tags", false).value(); }
    Bytes raw(const TagId& id) {
        std::ifstream in(open().record_path(id), std::ios::binary);
        return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
};

struct SqliteTagsFixture {
    static constexpr const char* name = "sqlite";
    test::TempDir dir;
    SqliteTags open() { return SqliteTags::open(dir.path() + "/tags.db", {.durable = false}).value(); }
    /// The whole database file and its WAL: everything storage has.
    Bytes raw(const TagId&) {
        Bytes all;
        for (const char* suffix : {"", "-wal"}) {
            std::ifstream in(dir.path() + "/tags.db" + suffix, std::ios::binary);
            all.insert(all.end(), std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        }
        return all;
    }
};

struct RedisTagsFixture {
    static constexpr const char* name = "redis";
    test::RedisServer& server = test::RedisServer::shared();
    io::redis::Config config = [this] {
        auto c = io::redis::Config::from_uri(server.uri(1)).value();
        static int counter = 0;
        c.prefix = "tags" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ":";
        return c;
    }();
    RedisTags open() { return RedisTags::connect(config).value(); }
    /// Every key and value under the fixture's prefix: everything the server has of it.
    Bytes raw(const TagId&) {
        test::RedisClient client(server.port(), 1);
        Bytes all;
        for (const auto& k : client.keys_with_prefix(config.prefix)) {
            all.insert(all.end(), k.begin(), k.end());
            const std::string v = client.get(k).value();
            all.insert(all.end(), v.begin(), v.end());
        }
        return all;
    }
};

using Fixtures = boost::mpl::list<MemoryTagsFixture, DirectoryTagsFixture, SqliteTagsFixture, RedisTagsFixture>;
/// The backends that processes share.
using SharedFixtures = boost::mpl::list<DirectoryTagsFixture, SqliteTagsFixture, RedisTagsFixture>;

dag::Link make_link(std::uint32_t seed, std::size_t parameter_bytes = 16) {
    const auto o = leaf(64, seed);
    return dag::Link{o.ref, pattern(parameter_bytes, seed + 100)};
}

bool contains(const Bytes& haystack, ByteView needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

} // namespace

BOOST_AUTO_TEST_SUITE(tags)

BOOST_AUTO_TEST_CASE_TEMPLATE(set_get_round_trip, F, Fixtures) {
    F f;
    // tag::tags[]
    // A tag key: an Ed25519 signing key and a 32-byte secret (keep both; publish the public key).
    const auto key = TagKey::generate().value();
    TagStore store(f.open()); // MemoryTags, DirectoryTags::open(path), SqliteTags::open(path), RedisTags::open(uri)
    const dag::Link target = make_link(1);
    const std::uint64_t version = store.set(key, "main", target).value();
    // Holders of the key decrypt; readers with the public key only verify who set it.
    BOOST_TEST((store.get(key, "main").value() == target));
    BOOST_TEST((store.verify(key.public_key(), "main").value().version == version));
    // Pass the last version seen to refuse a storage that serves an older record.
    BOOST_TEST((store.get(key, "main", version).value() == target));
    // end::tags[]
    BOOST_TEST((store.get(key, "nothing").error() == errc::object_not_found));
    const auto a = make_link(1), b = make_link(2, 28), c = make_link(3, 0);
    const auto v1 = store.set(key, "main", a).value();
    BOOST_TEST((store.get(key, "main").value() == a));
    const auto v2 = store.set(key, "main", b).value();
    BOOST_TEST(v2 > v1);
    BOOST_TEST((store.get(key, "main").value() == b));
    BOOST_TEST(store.set(key, "other", c).has_value());
    BOOST_TEST((store.get(key, "other").value() == c));
    BOOST_TEST((store.get(key, "main").value() == b));
    // A second handle on the same storage sees the same tags.
    TagStore again(f.open());
    BOOST_TEST((again.get(key, "main").value() == b));
    BOOST_TEST((again.verify(key.public_key(), "main").value().version == v2));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(readers_with_the_public_key_verify_but_cannot_decrypt, F, Fixtures) {
    F f;
    TagStore store(f.open());
    const auto key = TagKey::generate().value();
    const auto v = store.set(key, "release", make_link(4)).value();
    auto seen = store.verify(key.public_key(), "release");
    BOOST_TEST_REQUIRE(seen.has_value());
    BOOST_TEST((seen->version == v));
    // Same signing key, another secret: the signature verifies, the blob does not decrypt.
    auto other_secret = SecretBytes::copy_of(pattern(32, 9));
    const auto reader = TagKey::from(key.signing_key(), other_secret).value();
    BOOST_TEST(store.verify(reader.public_key(), "release").has_value());
    BOOST_TEST((store.get(reader, "release").error() == errc::authentication_failed));
    BOOST_TEST((TagKey::from(key.signing_key(), SecretBytes::copy_of(pattern(31, 9))).error() ==
               errc::invalid_length));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(another_key_is_not_the_signer, F, Fixtures) {
    F f;
    TagStore store(f.open());
    const auto key = TagKey::generate().value();
    const auto mallory = TagKey::generate().value();
    BOOST_TEST(store.set(key, "main", make_link(5)).has_value());
    // Another key names another tag: nothing is set there.
    BOOST_TEST((store.verify(mallory.public_key(), "main").error() == errc::object_not_found));
    // A record signed by another key, stored under the right id, is refused.
    const auto id = tag_id(key.public_key(), "main").value();
    MemoryTags scratch;
    TagStore forged(scratch);
    const auto forged_id = tag_id(mallory.public_key(), "main").value();
    BOOST_TEST(forged.set(mallory, "main", make_link(6)).has_value());
    Bytes record = scratch.get_tag(forged_id).value().value();
    std::copy(id.view().begin(), id.view().end(), record.begin()); // claim the victim's id
    auto backend = f.open();
    BOOST_TEST(backend.put_tag_if_newer(id, UINT64_C(1) << 62, record).value());
    BOOST_TEST((store.verify(key.public_key(), "main").error() == errc::signature_invalid));
    BOOST_TEST((store.get(key, "main").error() == errc::signature_invalid));
}

BOOST_AUTO_TEST_CASE(tampered_records_are_rejected) {
    MemoryTags backend;
    TagStore store(backend);
    const auto key = TagKey::generate().value();
    BOOST_TEST(store.set(key, "main", make_link(7)).has_value());
    const auto id = tag_id(key.public_key(), "main").value();
    const Bytes good = backend.get_tag(id).value().value();
    // id, version, signature, then 40 + 16 bytes of link padded (PADMÉ) and the 16-byte tag.
    BOOST_TEST((good.size() == 32 + 8 + 64 + encoding::padme_size(40 + 16) + 16));
    for (std::size_t i = 0; i < good.size(); ++i) {
        Bytes bad = good;
        bad[i] ^= 0x01;
        backend.overwrite(id, bad);
        BOOST_TEST_CONTEXT("byte " << i) {
            auto r = store.get(key, "main");
            BOOST_TEST_REQUIRE(!r.has_value());
            const bool expected = r.error() == errc::signature_invalid || r.error() == errc::object_corrupt;
            BOOST_TEST(expected);
        }
    }
    for (std::size_t n : {std::size_t{0}, std::size_t{103}, good.size() - 1, max_tag_record_bytes + 1}) {
        Bytes bad = good;
        bad.resize(n, 0);
        backend.overwrite(id, bad);
        BOOST_TEST_CONTEXT("length " << n) { BOOST_TEST(!store.get(key, "main").has_value()); }
    }
    // A valid record of another name moved under this name's id.
    BOOST_TEST(store.set(key, "other", make_link(8)).has_value());
    backend.overwrite(id, backend.get_tag(tag_id(key.public_key(), "other").value()).value().value());
    BOOST_TEST((store.get(key, "main").error() == errc::object_corrupt));
    backend.overwrite(id, good);
    BOOST_TEST((store.get(key, "main").value() == make_link(7)));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(rollback_is_refused, F, Fixtures) {
    F f;
    TagStore store(f.open());
    const auto key = TagKey::generate().value();
    BOOST_TEST(store.update(key, "main", make_link(10), 100).has_value());
    const auto id = tag_id(key.public_key(), "main").value();
    const Bytes old_record = f.open().get_tag(id).value().value();
    BOOST_TEST(store.update(key, "main", make_link(11), 200).has_value());
    // Writers: an equal or older version is refused and the newer record stays.
    BOOST_TEST((store.update(key, "main", make_link(12), 150).error() == errc::rollback_refused));
    BOOST_TEST((store.update(key, "main", make_link(12), 200).error() == errc::rollback_refused));
    BOOST_TEST((store.get(key, "main").value() == make_link(11)));
    // set picks a version after the stored one.
    BOOST_TEST(store.update(key, "far", make_link(13), UINT64_C(1) << 61).has_value());
    BOOST_TEST((store.set(key, "far", make_link(14)).value() == (UINT64_C(1) << 61) + 1));
    // Readers: a storage serving the older (validly signed) record is caught by min_version.
    MemoryTags replay;
    BOOST_TEST(replay.put_tag_if_newer(id, 100, old_record).value());
    TagStore stale(replay);
    BOOST_TEST((stale.get(key, "main").value() == make_link(10))); // valid on its own
    BOOST_TEST((stale.get(key, "main", 200).error() == errc::rollback_refused));
    BOOST_TEST((stale.verify(key.public_key(), "main", 101).error() == errc::rollback_refused));
    BOOST_TEST((store.get(key, "main", 200).value() == make_link(11)));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(storage_sees_neither_name_nor_target, F, Fixtures) {
    F f;
    TagStore store(f.open());
    const auto key = TagKey::generate().value();
    const std::string name = "refs/heads/a-rather-distinctive-tag-name";
    const auto link = make_link(20);
    BOOST_TEST(store.set(key, name, link).has_value());
    const auto id = tag_id(key.public_key(), name).value();
    const Bytes stored = f.raw(id);
    BOOST_TEST_REQUIRE(contains(stored, id.view())); // the record really is in what we look at
    BOOST_TEST(!contains(stored, as_bytes(name)));
    BOOST_TEST(!contains(stored, link.reference.bytes().subspan(0, 16)));
    BOOST_TEST(!contains(stored, ByteView(link.parameters).subspan(0, 8)));
}

BOOST_AUTO_TEST_CASE(names_and_targets_are_checked) {
    MemoryTags backend;
    TagStore store(backend);
    const auto key = TagKey::generate().value();
    BOOST_TEST((store.set(key, "", make_link(1)).error() == errc::invalid_argument));
    BOOST_TEST((store.set(key, std::string(max_tag_name_bytes + 1, 'x'), make_link(1)).error() ==
               errc::invalid_argument));
    BOOST_TEST(store.set(key, std::string(max_tag_name_bytes, 'x'), make_link(1)).has_value());
    BOOST_TEST((store.set(key, "big", make_link(1, 65)).error() == errc::invalid_argument));
    BOOST_TEST((store.update(key, "huge", make_link(1), UINT64_C(1) << 63).error() == errc::invalid_argument));
    // The id is SHA-256("sealpipe tag id" || public key || name).
    Bytes m = to_bytes(as_bytes("sealpipe tag id"));
    m.insert(m.end(), key.public_key().raw().begin(), key.public_key().raw().end());
    m.push_back('n');
    BOOST_TEST((hex_encode(tag_id(key.public_key(), "n").value().view()) == hex_encode(sha256(m).view())));
}

BOOST_AUTO_TEST_CASE_TEMPLATE(writers_in_processes_agree, F, SharedFixtures) {
    F f;
    (void)f.open(); // create the storage before the children race to
    const auto key = TagKey::generate().value();
    constexpr int children = 4;
    std::vector<pid_t> pids;
    for (int c = 0; c < children; ++c) {
        const pid_t pid = ::fork();
        BOOST_TEST_REQUIRE(pid >= 0);
        if (pid == 0) {
            int code = 0;
            try {
                TagStore store(f.open()); // a handle (and connection) of the child's own
                for (int i = 0; i < 20; ++i) {
                    auto r = store.update(key, "shared", make_link(static_cast<std::uint32_t>(c * 100 + i)),
                                          static_cast<std::uint64_t>(i * children + c + 1));
                    if (!r && r.error() != errc::rollback_refused) code = 3;
                }
            } catch (...) {
                code = 2;
            }
            ::_exit(code);
        }
        pids.push_back(pid);
    }
    for (pid_t pid : pids) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 0), F::name << ": child status " << status);
    }
    TagStore store(f.open());
    auto tag = store.verify(key.public_key(), "shared");
    BOOST_TEST_REQUIRE(tag.has_value());
    BOOST_TEST((tag->version == std::uint64_t{20 * children})); // the newest write won
    BOOST_TEST((store.get(key, "shared").value() == make_link(static_cast<std::uint32_t>((children - 1) * 100 + 19))));
}

/** The Redis tag backend: its URI, its layout, versions compared exactly, and what a server
    that holds something else, or goes away, gives. */
BOOST_AUTO_TEST_CASE(redis_tags_on_the_server) {
    test::RedisServer server;
    BOOST_TEST((RedisTags::open("redis://127.0.0.1:0").error() == errc::malformed_input));
    const int closed = test::free_loopback_port();
    BOOST_TEST((RedisTags::open("redis://127.0.0.1:" + std::to_string(closed)).error() == errc::backend_unavailable));
    auto backend = RedisTags::open(server.uri(2));
    BOOST_TEST_REQUIRE(backend.has_value(), (backend ? "" : backend.error().message()));
    TagStore store(*backend);
    test::RedisClient raw(server.port(), 2);
    const auto key = TagKey::generate().value();
    const auto id = tag_id(key.public_key(), "main").value();

    // One string per tag, the record as is.
    BOOST_TEST(store.update(key, "main", make_link(1), 256).has_value());
    const std::string name = backend->tag_key(id);
    BOOST_TEST(name == "sealpipe:t:" + std::string(as_chars(id.view())));
    BOOST_TEST((raw.keys_with_prefix("") == std::vector<std::string>{name}));
    const Bytes record = backend->get_tag(id).value().value();
    BOOST_TEST(raw.get(name).value() == std::string(as_chars(record)));

    // Versions compare as numbers in every byte, beyond what a double holds exactly.
    BOOST_TEST((store.update(key, "main", make_link(2), 255).error() == errc::rollback_refused));
    BOOST_TEST(store.update(key, "main", make_link(3), 257).has_value());
    BOOST_TEST(store.update(key, "main", make_link(4), (UINT64_C(1) << 60) + 1).has_value());
    BOOST_TEST((store.update(key, "main", make_link(5), UINT64_C(1) << 60).error() == errc::rollback_refused));
    BOOST_TEST((store.update(key, "main", make_link(5), (UINT64_C(1) << 60) + 1).error() == errc::rollback_refused));
    BOOST_TEST(store.update(key, "main", make_link(6), (UINT64_C(1) << 60) + 2).has_value());
    BOOST_TEST((store.get(key, "main").value() == make_link(6)));

    // A value too large is refused before it is loaded; a short one is no record (and a new
    // version replaces it, as in DirectoryTags); a value of another type is a server error.
    raw.set(name, std::string(max_tag_record_bytes + 1, 'x'));
    BOOST_TEST((backend->get_tag(id).error() == errc::object_corrupt));
    BOOST_TEST((store.get(key, "main").error() == errc::object_corrupt));
    raw.set(name, std::string(max_tag_record_bytes, 'x')); // in size, but no record
    BOOST_TEST((store.get(key, "main").error() == errc::object_corrupt));
    raw.set(name, "short");
    BOOST_TEST((store.get(key, "main").error() == errc::object_corrupt));
    BOOST_TEST(store.update(key, "main", make_link(7), 1).has_value());
    BOOST_TEST((store.get(key, "main").value() == make_link(7)));
    raw.set(name, "");
    BOOST_TEST((backend->get_tag(id).value().value().empty())); // stored, empty: not absent
    raw.command({"DEL", name});
    raw.command({"HSET", name, "f", "v"});
    auto wrong = store.get(key, "main");
    BOOST_TEST_REQUIRE(!wrong.has_value());
    BOOST_TEST((wrong.error() == errc::backend_unavailable));
    BOOST_TEST(wrong.error().message().find("WRONGTYPE") != std::string::npos, wrong.error().message());
    raw.command({"DEL", name});

    // A server that goes away: backend_unavailable; back (empty), the handle works again.
    BOOST_TEST(store.set(key, "main", make_link(8)).has_value());
    server.stop();
    BOOST_TEST((store.get(key, "main").error() == errc::backend_unavailable));
    BOOST_TEST((store.update(key, "main", make_link(9), UINT64_C(1) << 62).error() == errc::backend_unavailable));
    server.start();
    BOOST_TEST((store.get(key, "main").error() == errc::object_not_found));
    BOOST_TEST(store.set(key, "main", make_link(10)).has_value());
    BOOST_TEST((store.get(key, "main").value() == make_link(10)));
}

BOOST_AUTO_TEST_SUITE_END()
