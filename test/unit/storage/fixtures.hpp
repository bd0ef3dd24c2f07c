// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// One fixture per storage backend for the conformance suite (sealpipe/testing/backend_laws.hpp): fresh storage, new
// handles to it, and a way to tamper with the medium behind the backend's back.

#ifndef SEALPIPE_TEST_UNIT_STORAGE_FIXTURES_HPP
#define SEALPIPE_TEST_UNIT_STORAGE_FIXTURES_HPP

#include <sealpipe/storage/directory.hpp>
#include <sealpipe/storage/memory.hpp>
#include <sealpipe/storage/redis.hpp>
#include <sealpipe/storage/sqlite.hpp>

#include "support/storage.hpp"

#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sealpipe::test {

struct MemoryFixture {
    static constexpr const char* name = "memory";
    static constexpr bool multi_process = false;
    using backend_type = storage::Memory;

    storage::Memory memory;
    result<storage::Memory> open() { return memory; } // a handle on the same map

    void tamper(const storage::Reference& k) {
        Bytes data = memory.get(k).value();
        data[data.size() / 2] ^= 0x01;
        BOOST_TEST_REQUIRE(memory.remove(k).value());
        BOOST_TEST_REQUIRE(memory.put(k, data).has_value());
    }
};

struct DirectoryFixture {
    static constexpr const char* name = "directory";
    static constexpr bool multi_process = true;
    using backend_type = storage::Directory;

    TempDir dir;
    // The laws test semantics, not survival of power loss: no fsync (storage_basics and the
    // fault tests use the durable defaults).
    result<storage::Directory> open() { return storage::Directory::open(dir.path() + "/store", {.sync = false}); }

    /// Flips a byte of the object file in place (files are made read-only: root ignores that,
    /// anyone else gets the write bit first).
    void tamper(const storage::Reference& k) {
        const std::string p = open().value().object_path(k);
        ::chmod(p.c_str(), 0644);
        const int fd = ::open(p.c_str(), O_RDWR);
        BOOST_TEST_REQUIRE(fd >= 0);
        struct stat st{};
        ::fstat(fd, &st);
        Byte b = 0;
        const off_t at = st.st_size / 2;
        BOOST_TEST_REQUIRE(::pread(fd, &b, 1, at) == 1);
        b ^= 0x01;
        BOOST_TEST_REQUIRE(::pwrite(fd, &b, 1, at) == 1);
        ::close(fd);
    }
};

struct SqliteFixture {
    static constexpr const char* name = "sqlite";
    static constexpr bool multi_process = true;
    using backend_type = storage::Sqlite;

    TempDir dir;
    std::string path() const { return dir.path() + "/store.db"; }
    result<storage::Sqlite> open() { return storage::Sqlite::open(path(), {.durable = false}); }

    /// Rewrites the row through a connection of its own.
    void tamper(const storage::Reference& k) {
        sqlite3* db = nullptr;
        BOOST_TEST_REQUIRE(sqlite3_open(path().c_str(), &db) == SQLITE_OK);
        sqlite3_busy_timeout(db, 5000);
        sqlite3_stmt* s = nullptr;
        BOOST_TEST_REQUIRE(sqlite3_prepare_v2(db, "UPDATE objects SET data = substr(data, 1, length(data) / 2) || "
                                                  "X'00' || substr(data, length(data) / 2 + 2) WHERE key = ?1",
                                              -1, &s, nullptr) == SQLITE_OK);
        sqlite3_bind_blob(s, 1, k.bytes().data(), 40, SQLITE_STATIC);
        BOOST_TEST_REQUIRE(sqlite3_step(s) == SQLITE_DONE);
        BOOST_TEST_REQUIRE(sqlite3_changes(db) == 1);
        sqlite3_finalize(s);
        sqlite3_close(db);
    }
};

struct RedisFixture {
    static constexpr const char* name = "redis";
    static constexpr bool multi_process = true;
    using backend_type = storage::Redis;

    RedisServer& server = RedisServer::shared();
    storage::RedisConfig config = [this] {
        auto c = storage::RedisConfig::from_uri(server.uri(1)).value();
        static int counter = 0;
        c.prefix = "test" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ":";
        return c;
    }();
    result<storage::Redis> open() { return storage::Redis::connect(config); }

    /// Rewrites the value with one byte flipped, through a hiredis connection of its own.
    void tamper(const storage::Reference& k) {
        redisContext* c = redisConnect("127.0.0.1", server.port());
        BOOST_TEST_REQUIRE((c && !c->err));
        auto* sel = static_cast<redisReply*>(redisCommand(c, "SELECT 1"));
        freeReplyObject(sel);
        const std::string key = open().value().object_key(k);
        auto* r = static_cast<redisReply*>(redisCommand(c, "GET %b", key.data(), key.size()));
        BOOST_TEST_REQUIRE(r->type == REDIS_REPLY_STRING);
        std::string v(r->str, r->len);
        freeReplyObject(r);
        v[v.size() / 2] ^= 0x01;
        r = static_cast<redisReply*>(redisCommand(c, "SET %b %b", key.data(), key.size(), v.data(), v.size()));
        freeReplyObject(r);
        redisFree(c);
    }
};

} // namespace sealpipe::test

#endif // SEALPIPE_TEST_UNIT_STORAGE_FIXTURES_HPP
