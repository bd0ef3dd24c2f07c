// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fault injection for the storage backends: writers killed with SIGKILL mid-write, a Redis
// server that goes away and restarts, read-only directories and full disks. Each must be a
// clear error and must never let a torn or invalid object be read.
#include <sealpipe/storage.hpp>
#include <sealpipe/storage/redis.hpp>
#include <sealpipe/storage/sqlite.hpp>

#include "support/redis_client.hpp"
#include "support/storage.hpp"

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <map>
#include <random>
#include <thread>

#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>

using namespace sealpipe;
using namespace sealpipe::storage;
using namespace sealpipe::test;

namespace {

// Backends opened with their default (durable) options, at a path in a temporary directory.
struct DirectoryAt {
    static constexpr const char* name = "directory";
    using backend_type = Directory;
    static std::string path(const TempDir& d) { return d.path() + "/store"; }
    static result<Directory> open(const std::string& p) { return Directory::open(p); }
};
struct SqliteAt {
    static constexpr const char* name = "sqlite";
    using backend_type = Sqlite;
    static std::string path(const TempDir& d) { return d.path() + "/store.db"; }
    static result<Sqlite> open(const std::string& p) { return Sqlite::open(p); }
};
using file_backends = boost::mpl::list<DirectoryAt, SqliteAt>;

/// Fetches and verifies every stored object; returns {objects, corrupt}.
template <class S>
std::pair<std::size_t, std::size_t> verify_all(S& store) {
    std::size_t objects = 0, corrupt = 0;
    auto r = store.enumerate([&](const ObjectInfo& i) {
        ++objects;
        auto got = store.get(i.reference);
        if (!got) {
            ++corrupt;
            BOOST_TEST_MESSAGE("bad object: " << got.error().message());
        }
        return true;
    });
    BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().message()));
    return {objects, corrupt};
}

/// Runs `f` in a child that has a private mount namespace; 77 when that is not possible.
int in_mount_namespace(const std::function<int()>& f) {
    return run_in_child([&] {
        if (::unshare(CLONE_NEWNS) != 0) return 77;
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return 77;
        return f();
    });
}

} // namespace

BOOST_AUTO_TEST_SUITE(storage_faults)

/** A writer killed with SIGKILL at random moments of heavy writing (single puts and batches,
    small and large objects) never leaves an object that is visible but torn or invalid. */
BOOST_AUTO_TEST_CASE_TEMPLATE(sigkill_during_writes_leaves_no_torn_object, B, file_backends) {
    TempDir dir;
    const std::string path = B::path(dir);
    BOOST_TEST_REQUIRE(B::open(path).has_value());
    std::mt19937 rng(20261123);
    // At least 10 kills however loaded the machine is, up to 60 within 5 s, never past 60 s.
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::seconds(5), hard_stop = start + std::chrono::seconds(60);
    int iterations = 0, killed_mid_run = 0;
    std::size_t objects = 0;
    while (iterations < 60 && (std::chrono::steady_clock::now() < deadline ||
                               (iterations < 10 && std::chrono::steady_clock::now() < hard_stop))) {
        const unsigned iteration_seed = static_cast<unsigned>(rng());
        const pid_t pid = ::fork();
        BOOST_TEST_REQUIRE(pid >= 0);
        if (pid == 0) {
            auto b = B::open(path);
            if (!b) ::_exit(10);
            BasicStore<typename B::backend_type> store(std::move(*b));
            std::mt19937 local(iteration_seed);
            for (std::uint32_t i = 0;; ++i) {
                const std::size_t size = (i % 10 == 9) ? (std::size_t{1} << 20) : 1 + local() % (64 * 1024);
                const Object o = leaf(size, iteration_seed ^ (i * 2654435761u));
                if (i % 5 == 4) {
                    const Object o2 = leaf(1 + local() % 65536, iteration_seed ^ (i * 40503u + 1));
                    const PutItem items[] = {{o.ref, o.data}, {o2.ref, o2.data}};
                    if (!store.put_many(items)) ::_exit(11);
                } else if (!store.put(o.ref, o.data)) {
                    ::_exit(12);
                }
            }
        }
        std::this_thread::sleep_for(std::chrono::microseconds(2000 + rng() % 70000));
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ++killed_mid_run;
        else BOOST_TEST_REQUIRE(false, B::name << ": writer failed on its own, status " << status);
        ++iterations;

        auto b = B::open(path);
        BOOST_TEST_REQUIRE(b.has_value(), (b ? "" : b.error().message()));
        BasicStore<typename B::backend_type> store(std::move(*b));
        const auto [n, corrupt] = verify_all(store);
        BOOST_TEST_REQUIRE(corrupt == 0u, B::name << ": " << corrupt << " torn objects after kill " << iterations);
        objects = n;
    }
    BOOST_TEST(killed_mid_run == iterations);
    BOOST_TEST(iterations >= 10);
    BOOST_TEST(objects > 0u);
    BOOST_TEST_MESSAGE(B::name << ": " << iterations << " writers killed, " << objects << " objects intact");
    // The store keeps working after all those kills, and GC clears what the writers left.
    auto store = BasicStore<typename B::backend_type>(B::open(path).value());
    const Object o = leaf(1000, 1);
    BOOST_TEST(store.put(o.ref, o.data).has_value());
    BOOST_TEST((store.get(o.ref).value() == o.data));
    auto gc = collect_garbage(store, std::vector<Reference>{o.ref}, {.grace = {}});
    BOOST_TEST_REQUIRE(gc.has_value(), (gc ? "" : gc.error().message()));
    BOOST_TEST(gc->deleted == objects);
    if constexpr (std::is_same_v<B, DirectoryAt>) {
        // Temporary files of killed writers are not objects, and a collection whose cutoff
        // is past them removes them.
        BOOST_TEST(store.backend().remove_stale_temporaries(WriteClock::now()).has_value());
        std::size_t stray = 0;
        for (const auto& e : std::filesystem::recursive_directory_iterator(path))
            if (e.is_regular_file() && e.path().filename().string().front() == '.') ++stray;
        BOOST_TEST(stray == 0u);
    }
}

/** A Redis server that goes away is `backend_unavailable` (naming the server), never data;
    when it comes back (empty: no persistence), the same handle reconnects. */
BOOST_AUTO_TEST_CASE(redis_restart_is_a_clear_error) {
    RedisServer server;
    auto store = RedisStore(Redis::open(server.uri()).value());
    const Object o = leaf(5000, 1);
    BOOST_TEST_REQUIRE(store.put(o.ref, o.data).has_value());
    BOOST_TEST((store.get(o.ref).value() == o.data));

    server.stop();
    const std::string where = "127.0.0.1:" + std::to_string(server.port());
    auto got = store.get(o.ref);
    BOOST_TEST_REQUIRE(!got.has_value());
    BOOST_TEST((got.error() == errc::backend_unavailable));
    BOOST_TEST(got.error().message().find(where) != std::string::npos, got.error().message());
    BOOST_TEST((store.put(o.ref, o.data).error() == errc::backend_unavailable));
    BOOST_TEST((store.contains(o.ref).error() == errc::backend_unavailable));
    BOOST_TEST((store.enumerate([](const ObjectInfo&) { return true; }).error() == errc::backend_unavailable));
    BOOST_TEST((check_reachable(store, o.ref).error() == errc::backend_unavailable));
    BOOST_TEST((collect_garbage(store, std::vector<Reference>{o.ref}).error() == errc::backend_unavailable));
    BOOST_TEST((Redis::open(server.uri()).error() == errc::backend_unavailable));

    server.start();
    got = store.get(o.ref);
    BOOST_TEST_REQUIRE(!got.has_value());
    BOOST_TEST((got.error() == errc::object_not_found)); // the restarted server is empty
    BOOST_TEST_REQUIRE(store.put(o.ref, o.data).has_value());
    BOOST_TEST((store.get(o.ref).value() == o.data));

    // Restarts in the middle of a busy run: every answer is right, missing or unavailable.
    std::atomic<bool> stop{false};
    std::atomic<int> ok{0}, unavailable{0}, missing{0}, wrong{0};
    std::thread worker([&] {
        auto own = RedisStore(Redis::open(server.uri()).value());
        for (std::uint32_t i = 0; !stop.load(); ++i) {
            const Object x = leaf(100 + i % 3000, 500 + i % 50);
            auto p = own.put(x.ref, x.data);
            if (!p) {
                (p.error() == errc::backend_unavailable ? unavailable : wrong)++;
                continue;
            }
            auto g = own.get(x.ref);
            if (g && *g == x.data) ++ok;
            else if (!g && g.error() == errc::backend_unavailable) ++unavailable;
            else if (!g && g.error() == errc::object_not_found) ++missing; // restarted in between
            else ++wrong;
        }
    });
    for (int restart = 0; restart < 2; ++restart) {
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        server.stop();
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        server.start();
    }
    const int ok_before_end = ok.load();
    const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (ok.load() <= ok_before_end + 10 && std::chrono::steady_clock::now() < limit)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    stop = true;
    worker.join();
    BOOST_TEST(wrong.load() == 0);
    BOOST_TEST(unavailable.load() > 0);
    BOOST_TEST(ok.load() > ok_before_end); // working again after the last restart
    BOOST_TEST_MESSAGE("redis restarts: " << ok << " ok, " << unavailable << " unavailable, " << missing
                                          << " lost by a restart");
}

/** Values planted under object names by something else: too short to hold a write time, a
    write time and nothing else, not a string. Reads are clear errors (never a crash or data);
    enumerate lists the short ones as written at the epoch, so a collection removes them. */
BOOST_AUTO_TEST_CASE(redis_malformed_values_are_corrupt) {
    RedisServer server;
    auto store = RedisStore(Redis::open(server.uri()).value());
    RedisClient raw(server.port(), 0);
    const Object root = leaf(100, 1), empty = leaf(100, 2), short7 = leaf(100, 3), time_only = leaf(100, 4),
                 hash = leaf(100, 5);
    BOOST_TEST_REQUIRE(store.put(root.ref, root.data).has_value());
    auto name = [&](const Object& o) { return store.backend().object_key(o.ref); };
    raw.set(name(empty), "");
    raw.set(name(short7), "1234567");
    raw.set(name(time_only), std::string(Redis::time_bytes - 1, '\0') + '\x01'); // 1 µs after the epoch
    raw.command({"HSET", name(hash), "field", "value"});

    for (const Object* o : {&empty, &short7}) {
        BOOST_TEST_CONTEXT(o->ref.to_hex()) {
            auto got = store.get(o->ref);
            BOOST_TEST_REQUIRE(!got.has_value());
            BOOST_TEST((got.error() == errc::object_corrupt));
            BOOST_TEST(got.error().message().find("too short") != std::string::npos, got.error().message());
            BOOST_TEST(got.error().message().find(o->ref.to_hex()) != std::string::npos);
            BOOST_TEST((store.backend().get(o->ref).error() == errc::object_corrupt));
            BOOST_TEST((store.get_many(std::vector<Reference>{root.ref, o->ref}).error() == errc::object_corrupt));
            BOOST_TEST(store.contains(o->ref).value());
        }
    }
    BOOST_TEST(store.backend().get(time_only.ref).value().empty());
    BOOST_TEST((store.get(time_only.ref).error() == errc::object_corrupt));
    auto wrong_type = store.get(hash.ref);
    BOOST_TEST_REQUIRE(!wrong_type.has_value());
    BOOST_TEST((wrong_type.error() == errc::backend_unavailable));
    BOOST_TEST(wrong_type.error().message().find("WRONGTYPE") != std::string::npos, wrong_type.error().message());

    std::map<Reference, WriteTime> seen;
    BOOST_TEST(store.enumerate([&](const ObjectInfo& i) { return seen[i.reference] = i.written, true; }).has_value());
    BOOST_TEST(seen.size() == 4u); // not the hash
    BOOST_TEST((seen[empty.ref] == WriteTime{}));
    BOOST_TEST((seen[short7.ref] == WriteTime{}));
    BOOST_TEST((seen[time_only.ref] > WriteTime{}));
    BOOST_TEST((seen[root.ref] > WriteClock::now() - std::chrono::minutes(1)));

    // With a grace period of an hour, the collection still removes what was "written at the
    // epoch" (and the value whose time is 1 µs later), and keeps the root.
    auto gc = collect_garbage(store, std::vector<Reference>{root.ref}, {.grace = std::chrono::hours(1)});
    BOOST_TEST_REQUIRE(gc.has_value(), (gc ? "" : gc.error().message()));
    BOOST_TEST(gc->deleted == 3u);
    BOOST_TEST(gc->kept_recent == 0u);
    for (const Object* o : {&empty, &short7, &time_only}) BOOST_TEST(!store.contains(o->ref).value());
    BOOST_TEST(raw.command({"EXISTS", name(hash)})->integer == 1);
    BOOST_TEST((store.get(root.ref).value() == root.data));
}

/** Writing to a read-only directory is a clear `io_error` ("Read-only file system"); reading
    still works. As root, permission bits do not stop writes, so the store is bind-mounted
    read-only in a private mount namespace; without that privilege, the directory is made
    non-writable with chmod (which then binds). */
BOOST_AUTO_TEST_CASE(read_only_store_is_a_clear_error) {
    TempDir dir;
    const std::string dpath = dir.path() + "/ro", spath = dir.path() + "/ro/store.db";
    const Object existing = leaf(2000, 1), fresh = leaf(2000, 2);
    {
        auto d = DirectoryStore(Directory::open(dpath).value());
        BOOST_TEST_REQUIRE(d.put(existing.ref, existing.data).has_value());
        auto s = SqliteStore(Sqlite::open(spath).value());
        BOOST_TEST_REQUIRE(s.put(existing.ref, existing.data).has_value());
    }
    auto attempt = [&] {
        int code = 0;
        auto d = Directory::open(dpath);
        if (!d) return 20;
        DirectoryStore store(std::move(*d));
        auto got = store.get(existing.ref);
        if (!got || *got != existing.data) code = 21;
        auto put = store.put(fresh.ref, fresh.data);
        if (put || !(put.error() == errc::io_error)) code = 22;
        else std::fprintf(stderr, "directory: %s\n", put.error().message().c_str());
        auto again = store.put(existing.ref, existing.data);
        if (again || !(again.error() == errc::io_error)) code = 23;
        // SQLite: opening or writing fails with io_error, never a crash or a partial row.
        auto s = Sqlite::open(spath);
        if (s) {
            SqliteStore sstore(std::move(*s));
            auto sput = sstore.put(fresh.ref, fresh.data);
            if (sput || !(sput.error() == errc::io_error)) code = 24;
            else std::fprintf(stderr, "sqlite: %s\n", sput.error().message().c_str());
        } else if (!(s.error() == errc::io_error)) {
            code = 25;
        } else {
            std::fprintf(stderr, "sqlite: %s\n", s.error().message().c_str());
        }
        return code;
    };
    int code = in_mount_namespace([&] {
        if (::mount(dpath.c_str(), dpath.c_str(), nullptr, MS_BIND, nullptr) != 0) return 77;
        if (::mount(nullptr, dpath.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) return 77;
        return attempt();
    });
    if (code == 77) {
        BOOST_TEST_MESSAGE("no mount namespace: using permission bits");
        BOOST_TEST_REQUIRE(::geteuid() != 0, "root without CAP_SYS_ADMIN: cannot make a read-only directory");
        std::filesystem::permissions(dpath, std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
        for (const auto& e : std::filesystem::directory_iterator(dpath))
            if (e.is_directory())
                std::filesystem::permissions(e.path(), std::filesystem::perms::owner_read |
                                                           std::filesystem::perms::owner_exec);
        code = run_in_child(attempt);
        for (const auto& e : std::filesystem::directory_iterator(dpath))
            if (e.is_directory()) std::filesystem::permissions(e.path(), std::filesystem::perms::owner_all);
        std::filesystem::permissions(dpath, std::filesystem::perms::owner_all);
    }
    BOOST_TEST(code == 0);
    // Nothing was stored, nothing was damaged.
    auto d = DirectoryStore(Directory::open(dpath).value());
    BOOST_TEST(!d.contains(fresh.ref).value());
    BOOST_TEST((d.get(existing.ref).value() == existing.data));
}

/** A full disk (or a file size limit) is a clear `io_error`; the object is then absent,
    never torn, and the store keeps working. RLIMIT_FSIZE works everywhere (SIGXFSZ ignored,
    so write(2) fails with EFBIG); a tiny tmpfs gives a real ENOSPC where mounting is allowed. */
BOOST_AUTO_TEST_CASE_TEMPLATE(full_disk_is_a_clear_error, B, file_backends) {
    TempDir dir;
    const std::string path = B::path(dir);
    const Object small = leaf(1000, 1), big = leaf(std::size_t{1} << 20, 2);
    {
        auto s = BasicStore<typename B::backend_type>(B::open(path).value());
        BOOST_TEST_REQUIRE(s.put(leaf(10, 3).ref, leaf(10, 3).data).has_value()); // creates the files
    }
    const int code = run_in_child([&] {
        ::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{256 * 1024, 256 * 1024};
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 30;
        auto b = B::open(path);
        if (!b) return 31;
        BasicStore<typename B::backend_type> store(std::move(*b));
        if (!store.put(small.ref, small.data)) return 32;
        auto put = store.put(big.ref, big.data);
        if (put || !(put.error() == errc::io_error)) return 33;
        std::fprintf(stderr, "%s: %s\n", B::name, put.error().message().c_str());
        if (auto c = store.contains(big.ref); !c || *c) return 34;
        return 0;
    });
    BOOST_TEST(code == 0);
    auto store = BasicStore<typename B::backend_type>(B::open(path).value());
    BOOST_TEST((store.get(big.ref).error() == errc::object_not_found));
    BOOST_TEST((store.get(small.ref).value() == small.data));
    const auto [n, corrupt] = verify_all(store);
    BOOST_TEST(n == 2u);
    BOOST_TEST(corrupt == 0u);
    BOOST_TEST(store.put(big.ref, big.data).has_value()); // without the limit, it fits

    // A real ENOSPC on a 512 KiB tmpfs, where a mount namespace is available.
    const int tmpfs = in_mount_namespace([&] {
        TempDir mnt;
        if (::mount("tmpfs", mnt.path().c_str(), "tmpfs", 0, "size=512k") != 0) return 77;
        const std::string p = B::path(mnt);
        auto b = B::open(p);
        if (!b) return 40;
        BasicStore<typename B::backend_type> s(std::move(*b));
        Error last;
        std::uint32_t stored = 0;
        for (std::uint32_t i = 0; i < 64; ++i) {
            const Object o = leaf(100 * 1024, 100 + i);
            auto r = s.put(o.ref, o.data);
            if (!r) {
                last = r.error();
                break;
            }
            ++stored;
        }
        if (!(last == errc::io_error)) return 41;
        std::fprintf(stderr, "%s on a full tmpfs: %s\n", B::name, last.message().c_str());
        std::size_t objects = 0;
        bool bad = false;
        (void)s.enumerate([&](const ObjectInfo& i) {
            ++objects;
            bad = bad || !s.get(i.reference);
            return true;
        });
        ::umount2(mnt.path().c_str(), MNT_DETACH);
        if (bad) return 42;
        if (objects != stored) return 43;
        return 0;
    });
    if (tmpfs == 77) BOOST_TEST_MESSAGE("no mount namespace: tmpfs case not run");
    else BOOST_TEST(tmpfs == 0, B::name << ": tmpfs case exited with " << tmpfs);
}

BOOST_AUTO_TEST_SUITE_END()
