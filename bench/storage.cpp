// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Storage backends against their raw engines: put and get objects/s at 4 KiB and 1 MiB for
// Memory, Directory, Sqlite and Redis, each beside the same work done directly (a hash map,
// plain file writes (temporary file, rename) and reads, SQLite inserts in one transaction and
// plain selects, Redis SET/GET pipelined with hiredis). Prints a Markdown table of medians and
// ratios. Directory rows run on /dev/shm (tmpfs) when it exists, so that the code rather than
// the disk's writeback is measured.
// Usage: bench_storage [repetitions [backend]]   (redis-server must be on PATH)

#include <sealpipe/core/hash.hpp>
#include <sealpipe/storage/directory.hpp>
#include <sealpipe/storage/memory.hpp>
#include <sealpipe/storage/redis.hpp>
#include <sealpipe/storage/sqlite.hpp>

#include "support/storage.hpp"

#include <hiredis/hiredis.h>
#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <fcntl.h>
#include <malloc.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace sealpipe;
using namespace sealpipe::storage;

namespace {

struct Workload {
    std::vector<Reference> keys;
    std::vector<Bytes> data;
    std::vector<PutItem> items;
};

/// `count` leaf objects of `size` bytes, with their references.
Workload make_workload(std::size_t count, std::size_t size, std::uint32_t seed) {
    Workload w;
    for (std::size_t i = 0; i < count; ++i) {
        auto o = test::leaf(size, static_cast<std::uint32_t>(seed * 100003u + i));
        w.keys.push_back(o.ref);
        w.data.push_back(std::move(o.data));
    }
    for (std::size_t i = 0; i < count; ++i) w.items.push_back({w.keys[i], w.data[i]});
    return w;
}

/// Seconds `f` takes: CPU time of this process (user + system; the shared machine's other
/// load does not count), or wall-clock time when the work is done by another process (Redis).
bool use_wall_clock = false;
double seconds(const std::function<void()>& f) {
    if (use_wall_clock) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    timespec a{}, b{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
    f();
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
    return static_cast<double>(b.tv_sec - a.tv_sec) + static_cast<double>(b.tv_nsec - a.tv_nsec) * 1e-9;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

void check(bool ok, const char* what) {
    if (!ok) {
        std::fprintf(stderr, "bench_storage: %s failed\n", what);
        std::exit(1);
    }
}

/// One engine under test: `fresh` gives an empty store, `put`/`get` do all of a workload.
struct Engine {
    std::function<void()> fresh;
    std::function<void(const Workload&)> put;
    std::function<void(const Workload&)> get;
};

struct Result {
    double put_per_s, get_per_s;
};

Result measure(Engine& e, std::size_t count, std::size_t size, int reps) {
    std::vector<double> puts, gets;
    for (int r = 0; r < reps; ++r) {
        const Workload w = make_workload(count, size, static_cast<std::uint32_t>(r + 1));
        e.fresh();
        puts.push_back(static_cast<double>(count) / seconds([&] { e.put(w); }));
        gets.push_back(static_cast<double>(count) / seconds([&] { e.get(w); }));
    }
    return {median(puts), median(gets)};
}

// --- raw engines -------------------------------------------------------------------------

/** The least work that makes a file appear whole or not at all: write a temporary file in
    the shard (made on first use), close it, rename it over the final name. */
void raw_file_write(const std::string& shard, const std::string& name, ByteView data) {
    static std::uint64_t counter = 0;
    const std::string tmp = shard + "/.tmp-" + std::to_string(counter++);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    if (fd < 0 && errno == ENOENT) {
        check(::mkdir(shard.c_str(), 0755) == 0 || errno == EEXIST, "mkdir");
        fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    }
    check(fd >= 0, "open");
    check(::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size()), "write");
    check(::close(fd) == 0, "close");
    check(::rename(tmp.c_str(), (shard + "/" + name).c_str()) == 0, "rename");
}

Bytes raw_file_read(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    check(fd >= 0, "open");
    struct stat st{};
    ::fstat(fd, &st);
    Bytes out(static_cast<std::size_t>(st.st_size));
    check(::read(fd, out.data(), out.size()) == static_cast<ssize_t>(out.size()), "read");
    ::close(fd);
    return out;
}

struct RawSqlite {
    sqlite3* db = nullptr;
    sqlite3_stmt* ins = nullptr;
    sqlite3_stmt* sel = nullptr;
    void open(const std::string& path) {
        close();
        check(sqlite3_open(path.c_str(), &db) == SQLITE_OK, "sqlite3_open");
        sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
        sqlite3_exec(db, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
        sqlite3_exec(db, "CREATE TABLE t(key BLOB PRIMARY KEY, data BLOB)", nullptr, nullptr, nullptr);
        check(sqlite3_prepare_v2(db, "INSERT INTO t(key, data) VALUES(?1, ?2)", -1, &ins, nullptr) == SQLITE_OK, "prepare");
        check(sqlite3_prepare_v2(db, "SELECT data FROM t WHERE key = ?1", -1, &sel, nullptr) == SQLITE_OK, "prepare");
    }
    void close() {
        if (!db) return;
        sqlite3_finalize(ins);
        sqlite3_finalize(sel);
        sqlite3_close(db);
        db = nullptr;
    }
    ~RawSqlite() { close(); }
};

struct RawRedis {
    redisContext* c = nullptr;
    explicit RawRedis(int port) {
        c = redisConnect("127.0.0.1", port);
        check(c && !c->err, "redisConnect");
    }
    ~RawRedis() { redisFree(c); }
    void command(const char* cmd) {
        auto* r = static_cast<redisReply*>(redisCommand(c, cmd));
        check(r != nullptr, "redis command");
        freeReplyObject(r);
    }
};

} // namespace

int main(int argc, char** argv) {
    const int reps = argc > 1 ? std::atoi(argv[1]) : 5;
    const std::string only = argc > 2 ? argv[2] : "";
    // Every buffer from the heap and none given back: page faults of fresh 1 MiB mappings
    // would otherwise depend on the order of the runs rather than on the engines.
    ::mallopt(M_MMAP_THRESHOLD, 32 << 20);
    ::mallopt(M_TRIM_THRESHOLD, 1 << 30);
    test::TempDir dir;
    // Directory on tmpfs when there is one: on a disk, writeback of earlier runs swings results.
    struct stat shm{};
    const bool on_shm = ::stat("/dev/shm", &shm) == 0 && S_ISDIR(shm.st_mode) && ::access("/dev/shm", W_OK) == 0;
    std::optional<test::TempDir> shm_dir;
    if (on_shm) shm_dir.emplace("/dev/shm");
    const std::string files_root = on_shm ? shm_dir->path() : dir.path();
    test::RedisServer server;
    int generation = 0;
    auto next_path = [&](const char* name) { return dir.path() + "/" + name + std::to_string(++generation); };
    auto next_files_path = [&](const char* name) {
        return files_root + "/" + name + std::to_string(++generation);
    };

    // Memory.
    Memory memory;
    std::unordered_map<Reference, Bytes, ReferenceHash> map;
    Engine mem{[&] { memory = Memory(); },
               [&](const Workload& w) { check(memory.put_many(w.items).has_value(), "memory put"); },
               [&](const Workload& w) { check(memory.get_many(w.keys).has_value(), "memory get"); }};
    Engine mem_raw{[&] { map.clear(); },
                   [&](const Workload& w) {
                       for (const auto& it : w.items) map.try_emplace(it.reference, to_bytes(it.data));
                   },
                   [&](const Workload& w) {
                       std::vector<std::optional<Bytes>> out;
                       for (const auto& k : w.keys) out.emplace_back(map.at(k));
                   }};

    // Directory (no fsync on either side: the disk, not the code, would be measured).
    std::optional<Directory> directory;
    std::string raw_dir;
    Engine dirs{[&] { directory = Directory::open(next_files_path("dir"), {.sync = false}).value(); },
                [&](const Workload& w) { check(directory->put_many(w.items).has_value(), "directory put"); },
                [&](const Workload& w) { check(directory->get_many(w.keys).has_value(), "directory get"); }};
    Engine dirs_raw{[&] {
                        raw_dir = next_files_path("raw");
                        check(::mkdir(raw_dir.c_str(), 0755) == 0, "mkdir");
                    },
                    [&](const Workload& w) {
                        for (const auto& it : w.items) {
                            const std::string hex = it.reference.to_hex();
                            raw_file_write(raw_dir + "/" + hex.substr(0, 2), hex, it.data);
                        }
                    },
                    [&](const Workload& w) {
                        std::vector<std::optional<Bytes>> out; // kept, as get_many keeps them
                        for (const auto& k : w.keys) {
                            const std::string hex = k.to_hex();
                            out.emplace_back(raw_file_read(raw_dir + "/" + hex.substr(0, 2) + "/" + hex));
                        }
                    }};

    // Sqlite (synchronous=NORMAL on both sides).
    std::optional<Sqlite> sqlite;
    RawSqlite raw_sqlite;
    Engine sql{[&] { sqlite = Sqlite::open(next_path("db"), {.durable = false}).value(); },
               [&](const Workload& w) { check(sqlite->put_many(w.items).has_value(), "sqlite put"); },
               [&](const Workload& w) { check(sqlite->get_many(w.keys).has_value(), "sqlite get"); }};
    Engine sql_raw{[&] { raw_sqlite.open(next_path("rawdb")); },
                   [&](const Workload& w) {
                       sqlite3_exec(raw_sqlite.db, "BEGIN", nullptr, nullptr, nullptr);
                       for (const auto& it : w.items) {
                           sqlite3_bind_blob(raw_sqlite.ins, 1, it.reference.bytes().data(), 40, SQLITE_STATIC);
                           sqlite3_bind_blob64(raw_sqlite.ins, 2, it.data.data(), it.data.size(), SQLITE_STATIC);
                           check(sqlite3_step(raw_sqlite.ins) == SQLITE_DONE, "insert");
                           sqlite3_reset(raw_sqlite.ins);
                       }
                       check(sqlite3_exec(raw_sqlite.db, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK, "commit");
                   },
                   [&](const Workload& w) {
                       std::vector<std::optional<Bytes>> out;
                       for (const auto& k : w.keys) {
                           sqlite3_bind_blob(raw_sqlite.sel, 1, k.bytes().data(), 40, SQLITE_STATIC);
                           check(sqlite3_step(raw_sqlite.sel) == SQLITE_ROW, "select");
                           const auto* p = static_cast<const Byte*>(sqlite3_column_blob(raw_sqlite.sel, 0));
                           out.emplace_back(Bytes(p, p + sqlite3_column_bytes(raw_sqlite.sel, 0)));
                           sqlite3_reset(raw_sqlite.sel);
                       }
                   }};

    // Redis (a server of our own on a loopback port; pipelined on both sides).
    auto redis = Redis::open(server.uri()).value();
    RawRedis raw_redis(server.port());
    Engine red{[&] { raw_redis.command("FLUSHALL"); },
               [&](const Workload& w) { check(redis.put_many(w.items).has_value(), "redis put"); },
               [&](const Workload& w) { check(redis.get_many(w.keys).has_value(), "redis get"); }};
    Engine red_raw{[&] { raw_redis.command("FLUSHALL"); },
                   [&](const Workload& w) {
                       for (const auto& it : w.items)
                           redisAppendCommand(raw_redis.c, "SET %b %b", it.reference.bytes().data(), std::size_t{40}, it.data.data(),
                                              it.data.size());
                       for (std::size_t i = 0; i < w.items.size(); ++i) {
                           void* reply = nullptr;
                           check(redisGetReply(raw_redis.c, &reply) == REDIS_OK, "SET");
                           freeReplyObject(reply);
                       }
                   },
                   [&](const Workload& w) {
                       for (const auto& k : w.keys) redisAppendCommand(raw_redis.c, "GET %b", k.bytes().data(), std::size_t{40});
                       std::vector<std::optional<Bytes>> out;
                       for (std::size_t i = 0; i < w.keys.size(); ++i) {
                           void* reply = nullptr;
                           check(redisGetReply(raw_redis.c, &reply) == REDIS_OK, "GET");
                           auto* r = static_cast<redisReply*>(reply);
                           out.emplace_back(Bytes(r->str, r->str + r->len));
                           freeReplyObject(reply);
                       }
                   }};

    struct Row {
        const char* name;
        Engine* engine;
        Engine* raw;
        const char* peer;
        bool wall;
    };
    Row rows[] = {{"Memory", &mem, &mem_raw, "unordered_map", false},
                  {"Directory", &dirs, &dirs_raw, "temporary file, write, close, rename", false},
                  {"Sqlite", &sql, &sql_raw, "sqlite3 (one transaction)", false},
                  {"Redis", &red, &red_raw, "hiredis pipelined SET/GET (wall clock)", true}};
    std::printf("Medians of %d runs, objects per CPU second of this process (Redis: per wall-clock second).\n", reps);
    std::printf("Directory rows in %s (%s).\n\n", files_root.c_str(),
                on_shm ? "tmpfs" : "the temporary directory: no /dev/shm");
    std::printf("| backend | size | put | raw put | ratio | get | raw get | ratio | raw engine |\n");
    std::printf("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (const auto& [size, count, label] : {std::tuple{std::size_t{4096}, std::size_t{2000}, "4 KiB"},
                                             std::tuple{std::size_t{1} << 20, std::size_t{48}, "1 MiB"}}) {
        for (auto& row : rows) {
            if (!only.empty() && only != row.name) continue;
            // Interleave the two sides so that noise on the shared machine hits both.
            use_wall_clock = row.wall;
            std::vector<double> p, rp, g, rg;
            for (int r = 0; r < reps; ++r) {
                const auto a = measure(*row.engine, count, size, 1);
                const auto b = measure(*row.raw, count, size, 1);
                p.push_back(a.put_per_s);
                g.push_back(a.get_per_s);
                rp.push_back(b.put_per_s);
                rg.push_back(b.get_per_s);
            }
            const double mp = median(p), mrp = median(rp), mg = median(g), mrg = median(rg);
            std::printf("| %s | %s | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f | %s |\n", row.name, label, mp, mrp,
                        mp / mrp, mg, mrg, mg / mrg, row.peer);
            std::fflush(stdout);
        }
    }
    return 0;
}
