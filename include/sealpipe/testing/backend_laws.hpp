// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The conformance suite of the StorageBackend concept: every law is a function template over
// a fixture; SEALPIPE_TESTING_BACKEND_LAWS registers them all as Boost.Test cases for a list of
// fixtures (doc/testing.md, "The testing kit").
//
// A fixture F provides:
//   F::name                    the backend's name, for messages
//   F::multi_process           whether other processes see the same objects
//   F::backend_type            the backend
//   F f;                       fresh, empty storage (removed at scope exit)
//   f.open()                   result<backend_type>: a new handle (own connection) to it
//   f.tamper(ref)              flips one byte of the stored object, in the medium itself
//   F::fork_safe               (optional) false when the backend's client cannot be used in a
//                              forked child (gRPC); concurrent_processes is then the fixture's
//                              own business
//   F::verifies_writes         (optional) true when the backend itself refuses data that does
//                              not match its reference (a storage server)

#ifndef SEALPIPE_TESTING_BACKEND_LAWS_HPP
#define SEALPIPE_TESTING_BACKEND_LAWS_HPP

#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/gc.hpp>

#include <sealpipe/testing/objects.hpp>

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <optional>
#include <set>
#include <span>
#include <thread>
#include <vector>

namespace sealpipe::testing::backend_laws {

using namespace sealpipe::storage;

/// Whether fixture F's backend may be used in a forked child (false: `F::fork_safe = false`).
template <class F>
constexpr bool fork_safe = [] {
    if constexpr (requires { F::fork_safe; }) return bool(F::fork_safe);
    else return true;
}();

/// Whether fixture F's backend refuses, on its own, data that does not match its reference.
template <class F>
constexpr bool verifies_writes = [] {
    if constexpr (requires { F::verifies_writes; }) return bool(F::verifies_writes);
    else return false;
}();

template <class F>
BasicStore<typename F::backend_type> open_store(F& f) {
    auto b = f.open();
    BOOST_TEST_REQUIRE(b.has_value(), F::name << ": open: " << (b ? "" : b.error().message()));
    return BasicStore<typename F::backend_type>(std::move(*b));
}

template <class S>
std::set<Reference> stored_keys(S& store) {
    std::set<Reference> keys;
    auto r = store.enumerate([&](const ObjectInfo& i) {
        keys.insert(i.reference);
        return true;
    });
    BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().message()));
    return keys;
}

/// put then get returns the bytes; at the smallest and largest object sizes.
template <class F>
void round_trip() {
    F f;
    auto store = open_store(f);
    for (std::size_t n : {std::size_t{1}, std::size_t{4096}, max_object_bytes}) {
        const Object o = leaf(n, static_cast<std::uint32_t>(n));
        BOOST_TEST_CONTEXT(F::name << ", " << n << " bytes") {
            BOOST_TEST(!store.contains(o.ref).value());
            BOOST_TEST_REQUIRE(store.put(o.ref, o.data).has_value());
            BOOST_TEST(store.contains(o.ref).value());
            auto got = store.get(o.ref);
            BOOST_TEST_REQUIRE(got.has_value(), (got ? "" : got.error().message()));
            BOOST_TEST((*got == o.data));
            // A second handle sees it too.
            auto other = open_store(f);
            BOOST_TEST((other.get(o.ref).value() == o.data));
        }
    }
}

/// Storing an object twice is fine; it is stored once and its write time moves forward.
template <class F>
void idempotent_put() {
    F f;
    auto store = open_store(f);
    const Object o = leaf(1000, 7);
    BOOST_TEST_REQUIRE(store.put(o.ref, o.data).has_value());
    WriteTime first{};
    BOOST_TEST(store.enumerate([&](const ObjectInfo& i) { first = i.written; return true; }).has_value());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    BOOST_TEST_REQUIRE(store.put(o.ref, o.data).has_value());
    std::size_t count = 0;
    WriteTime second{};
    BOOST_TEST(store.enumerate([&](const ObjectInfo& i) { ++count; second = i.written; return true; }).has_value());
    BOOST_TEST(count == 1u);
    BOOST_TEST((second > first), F::name << ": a re-put must refresh the write time");
    BOOST_TEST((store.get(o.ref).value() == o.data));
    // touch does the same without data.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    BOOST_TEST(store.touch(o.ref).value());
    WriteTime third{};
    BOOST_TEST(store.enumerate([&](const ObjectInfo& i) { third = i.written; return true; }).has_value());
    BOOST_TEST((third > second));
}

/// A missing object is object_not_found, never data; remove and touch report false.
template <class F>
void missing_is_not_found() {
    F f;
    auto store = open_store(f);
    const Object o = leaf(100, 3);
    auto got = store.get(o.ref);
    BOOST_TEST_REQUIRE(!got.has_value());
    BOOST_TEST((got.error() == errc::object_not_found));
    BOOST_TEST(got.error().message().find(o.ref.to_hex()) != std::string::npos);
    BOOST_TEST(!store.contains(o.ref).value());
    BOOST_TEST(!store.remove(o.ref).value());
    BOOST_TEST(!store.touch(o.ref).value());
}

/// Data that does not match its key is refused on put and never returned on get.
template <class F>
void corrupt_is_an_error() {
    F f;
    auto store = open_store(f);
    const Object o = leaf(5000, 11);
    Bytes wrong = o.data;
    wrong[17] ^= 1;
    auto put = store.put(o.ref, wrong);
    BOOST_TEST_REQUIRE(!put.has_value());
    BOOST_TEST((put.error() == errc::object_corrupt));
    BOOST_TEST(!store.contains(o.ref).value());

    const Object t = leaf(5000, 12);
    auto got = store.get(o.ref);
    if constexpr (verifies_writes<F>) {
        // A backend that checks what it stores (a storage server) refuses such bytes itself.
        auto planted = store.backend().put(o.ref, wrong);
        BOOST_TEST_REQUIRE(!planted.has_value());
        BOOST_TEST((planted.error() == errc::object_corrupt));
        BOOST_TEST((store.get(o.ref).error() == errc::object_not_found));
        BOOST_TEST(!store.backend().put(t.ref, ByteView(t.data).first(4999)).has_value());
        BOOST_TEST(!store.contains(t.ref).value());
    } else {
        // Bytes planted behind the verifier's back (straight into the backend)...
        BOOST_TEST_REQUIRE(store.backend().put(o.ref, wrong).has_value());
        got = store.get(o.ref);
        BOOST_TEST_REQUIRE(!got.has_value());
        BOOST_TEST((got.error() == errc::object_corrupt));
        BOOST_TEST(got.error().message().find(o.ref.to_hex()) != std::string::npos);
        // ...and truncated ones.
        BOOST_TEST_REQUIRE(store.backend().put(t.ref, ByteView(t.data).first(4999)).has_value());
        BOOST_TEST((store.get(t.ref).error() == errc::object_corrupt));
    }

    // Tampering with the medium itself (file, row, Redis key).
    const Object g = leaf(3000, 13);
    BOOST_TEST_REQUIRE(store.put(g.ref, g.data).has_value());
    f.tamper(g.ref);
    got = store.get(g.ref);
    BOOST_TEST_REQUIRE(!got.has_value());
    BOOST_TEST((got.error() == errc::object_corrupt));
    auto many = store.get_many(std::vector<Reference>{g.ref});
    BOOST_TEST_REQUIRE(many.has_value());
    BOOST_TEST(((*many)[0].error() == errc::object_corrupt));
    auto check = check_reachable(store, g.ref);
    BOOST_TEST_REQUIRE(!check.has_value());
    BOOST_TEST((check.error() == errc::object_corrupt));
}

/// remove deletes exactly one object.
template <class F>
void remove_deletes() {
    F f;
    auto store = open_store(f);
    const Object a = leaf(10, 1), b = leaf(10, 2);
    BOOST_TEST_REQUIRE(store.put(a.ref, a.data).has_value());
    BOOST_TEST_REQUIRE(store.put(b.ref, b.data).has_value());
    BOOST_TEST(store.remove(a.ref).value());
    BOOST_TEST((store.get(a.ref).error() == errc::object_not_found));
    BOOST_TEST(!store.remove(a.ref).value());
    BOOST_TEST((store.get(b.ref).value() == b.data));
    // remove_if_written_before honours the time.
    const auto before = WriteClock::now() - std::chrono::hours(1);
    BOOST_TEST(!store.backend().remove_if_written_before(b.ref, before).value());
    BOOST_TEST(store.contains(b.ref).value());
    BOOST_TEST(store.backend().remove_if_written_before(b.ref, WriteClock::now() + std::chrono::seconds(1)).value());
    BOOST_TEST(!store.contains(b.ref).value());
    // A batched removal, where the backend has one, decides for each object by its own time.
    if constexpr (requires { store.backend().remove_many_if_written_before(std::span<const Reference>(), WriteTime()); }) {
        const Object old = leaf(10, 3), fresh = leaf(10, 4), absent = leaf(10, 5);
        BOOST_TEST_REQUIRE(store.put(old.ref, old.data).has_value());
        const WriteTime cutoff = WriteClock::now() + std::chrono::milliseconds(1);
        std::this_thread::sleep_for(std::chrono::milliseconds(3)); // past the cutoff, at any clock resolution
        BOOST_TEST_REQUIRE(store.put(fresh.ref, fresh.data).has_value());
        const Reference keys[] = {old.ref, absent.ref, fresh.ref, a.ref};
        BOOST_TEST(store.backend().remove_many_if_written_before(keys, cutoff).value() == 1u);
        BOOST_TEST(!store.contains(old.ref).value());
        BOOST_TEST((store.get(fresh.ref).value() == fresh.data));
        BOOST_TEST(store.backend().remove_many_if_written_before(std::span<const Reference>(), cutoff).value() == 0u);
        BOOST_TEST(store.backend().remove_many_if_written_before(keys, WriteClock::now() + std::chrono::seconds(1))
                       .value() == 1u);
        BOOST_TEST(!store.contains(fresh.ref).value());
    }
}

/// enumerate reports every object once, with write times, and stops when asked.
template <class F>
void enumerate_lists_everything() {
    F f;
    auto store = open_store(f);
    std::set<Reference> expected;
    const auto t0 = WriteClock::now() - std::chrono::seconds(1);
    for (std::uint32_t i = 0; i < 700; ++i) { // more than one page of the paged backends
        const Object o = leaf(20 + i % 50, 100 + i);
        expected.insert(o.ref);
        BOOST_TEST_REQUIRE(store.put(o.ref, o.data).has_value());
    }
    std::set<Reference> seen;
    std::size_t visits = 0;
    bool times_ok = true;
    BOOST_TEST(store.enumerate([&](const ObjectInfo& i) {
        ++visits;
        seen.insert(i.reference);
        times_ok = times_ok && i.written > t0 && i.written < WriteClock::now() + std::chrono::seconds(1);
        return true;
    }).has_value());
    BOOST_TEST((seen == expected));
    BOOST_TEST(visits >= expected.size()); // Redis' ZSCAN may repeat, never skip
    BOOST_TEST(times_ok);
    std::size_t stopped = 0;
    BOOST_TEST(store.enumerate([&](const ObjectInfo&) { return ++stopped < 3; }).has_value());
    BOOST_TEST(stopped == 3u);
}

/// Batched operations agree with the single ones, element by element.
template <class F>
void batches() {
    F f;
    auto store = open_store(f);
    std::vector<Object> objects;
    for (std::uint32_t i = 0; i < 64; ++i) objects.push_back(leaf(1 + i * 97, 500 + i));
    std::vector<PutItem> items;
    for (std::size_t i = 0; i < objects.size(); i += 2) items.push_back({objects[i].ref, objects[i].data});
    BOOST_TEST_REQUIRE(store.put_many(items).has_value());
    BOOST_TEST_REQUIRE(store.put_many(items).has_value()); // idempotent too
    std::vector<Reference> keys;
    for (const auto& o : objects) keys.push_back(o.ref);
    auto got = store.get_many(keys);
    BOOST_TEST_REQUIRE(got.has_value());
    auto has = store.contains_many(keys);
    BOOST_TEST_REQUIRE(has.has_value());
    BOOST_TEST_REQUIRE(got->size() == objects.size());
    for (std::size_t i = 0; i < objects.size(); ++i) {
        BOOST_TEST_CONTEXT(F::name << ", object " << i) {
            if (i % 2 == 0) {
                BOOST_TEST_REQUIRE((*got)[i].has_value());
                BOOST_TEST(((*got)[i].value() == objects[i].data));
                BOOST_TEST((*has)[i]);
            } else {
                BOOST_TEST(((*got)[i].error() == errc::object_not_found));
                BOOST_TEST(!(*has)[i]);
            }
        }
    }
    // One bad item refuses the whole batch before anything is stored.
    Bytes wrong = objects[1].data;
    wrong[0] ^= 0x80;
    std::vector<PutItem> bad{{objects[1].ref, objects[1].data}, {objects[3].ref, wrong}};
    BOOST_TEST((store.put_many(bad).error() == errc::object_corrupt));
    BOOST_TEST(!store.contains(objects[1].ref).value());
    // Empty batches are fine.
    BOOST_TEST(store.put_many({}).has_value());
    BOOST_TEST(store.get_many({}).value().empty());
}

/// Several threads put the same and different objects, through one handle and their own.
template <class F>
void concurrent_threads() {
    F f;
    auto shared = open_store(f);
    constexpr int threads = 4, per_thread = 30;
    std::vector<Object> common;
    for (std::uint32_t i = 0; i < 20; ++i) common.push_back(leaf(100 + i * 311, 9000 + i));
    std::atomic<int> failures{0};
    // Each thread's own handle, opened here: Boost.Test's assertions are for this thread only.
    std::vector<BasicStore<typename F::backend_type>> owns;
    for (int t = 0; t < threads; ++t) owns.push_back(open_store(f));
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            auto& own = owns[static_cast<std::size_t>(t)];
            for (int i = 0; i < per_thread; ++i) {
                const Object mine = leaf(50 + static_cast<std::size_t>(i) * 13, 20000 + static_cast<std::uint32_t>(t * 1000 + i));
                const Object& same = common[static_cast<std::size_t>(i) % common.size()];
                auto& s = (i % 2) ? shared : own;
                if (!s.put(mine.ref, mine.data) || !s.put(same.ref, same.data)) ++failures;
                auto back = s.get(same.ref);
                if (!back || *back != same.data) ++failures;
            }
        });
    }
    for (auto& th : pool) th.join();
    BOOST_TEST(failures.load() == 0);
    BOOST_TEST(stored_keys(shared).size() == common.size() + threads * per_thread);
    for (const auto& o : common) BOOST_TEST((shared.get(o.ref).value() == o.data));
}

/// Several processes put the same and different objects into one store.
template <class F>
void concurrent_processes() {
    if constexpr (!fork_safe<F>) {
        // A client library that cannot be used across fork(2) (gRPC): other processes are
        // the fixture's own test, with processes started fresh.
        BOOST_TEST_MESSAGE(F::name << ": no fork test; the backend's client cannot cross fork(2)");
    } else if constexpr (!F::multi_process) {
        // A process-local backend: a child's objects stay in the child.
        F f;
        auto store = open_store(f);
        const Object o = leaf(10, 1);
        BOOST_TEST(run_in_child([&] { return store.put(o.ref, o.data) ? 0 : 1; }) == 0);
        BOOST_TEST(!store.contains(o.ref).value());
    } else {
        F f;
        constexpr int children = 4, per_child = 40;
        std::vector<Object> common;
        for (std::uint32_t i = 0; i < 25; ++i) common.push_back(leaf(100 + i * 977, 7000 + i));
        std::vector<pid_t> pids;
        for (int c = 0; c < children; ++c) {
            const pid_t pid = ::fork();
            BOOST_TEST_REQUIRE(pid >= 0);
            if (pid == 0) {
                int code = 0;
                auto b = f.open(); // each process has its own handle
                if (!b) ::_exit(10);
                BasicStore<typename F::backend_type> s(std::move(*b));
                for (int i = 0; i < per_child; ++i) {
                    const Object mine = leaf(64 + static_cast<std::size_t>(i) * 101, 40000 + static_cast<std::uint32_t>(c * 1000 + i));
                    const Object& same = common[static_cast<std::size_t>(i) % common.size()];
                    if (!s.put(mine.ref, mine.data)) code = 11;
                    if (!s.put(same.ref, same.data)) code = 12;
                    auto back = s.get(same.ref);
                    if (!back || *back != same.data) code = 13;
                }
                std::vector<PutItem> batch;
                for (const auto& o : common) batch.push_back({o.ref, o.data});
                if (!s.put_many(batch)) code = 14;
                ::_exit(code);
            }
            pids.push_back(pid);
        }
        for (pid_t pid : pids) {
            int status = 0;
            ::waitpid(pid, &status, 0);
            BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 0), F::name << ": child status " << status);
        }
        auto store = open_store(f);
        BOOST_TEST(stored_keys(store).size() == common.size() + children * per_child);
        std::size_t bad = 0;
        BOOST_TEST(store.enumerate([&](const ObjectInfo& i) {
            if (!store.get(i.reference)) ++bad;
            return true;
        }).has_value());
        BOOST_TEST(bad == 0u);
    }
}

/// A small DAG: two roots sharing a subtree, plus unreachable objects.
struct Dag {
    std::vector<Object> reachable;  // from root_a and root_b
    std::vector<Object> garbage;
    std::optional<Reference> root_a, root_b;   // set by make_dag
};

inline Dag make_dag(std::uint32_t seed) {
    Dag d;
    const Object l1 = leaf(300, seed + 1), l2 = leaf(200, seed + 2), l3 = leaf(100, seed + 3);
    const Object m1 = make_object(pattern(50, seed + 4), {l1.ref, l2.ref});
    const Object m2 = make_object(pattern(60, seed + 5), {l2.ref, l3.ref});
    const Object a = make_object(pattern(10, seed + 6), {m1.ref, m2.ref});
    const Object b = make_object(pattern(10, seed + 7), {m2.ref});
    d.reachable = {l1, l2, l3, m1, m2, a, b};
    d.root_a = a.ref;
    d.root_b = b.ref;
    const Object g1 = leaf(400, seed + 8);
    const Object g2 = make_object(pattern(20, seed + 9), {g1.ref, l1.ref}); // garbage referencing live data
    d.garbage = {g1, g2};
    return d;
}

/// check_reachable walks the DAG, counts each object once and names what is missing.
template <class F>
void reachability() {
    F f;
    auto store = open_store(f);
    const Dag d = make_dag(1);
    for (const auto& o : d.reachable) BOOST_TEST_REQUIRE(store.put(o.ref, o.data).has_value());
    auto r = check_reachable(store, std::vector<Reference>{*d.root_a, *d.root_b});
    BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().message()));
    BOOST_TEST(r->objects == d.reachable.size());
    std::size_t bytes = 0;
    for (const auto& o : d.reachable) bytes += o.data.size();
    BOOST_TEST(r->bytes == bytes);
    BOOST_TEST(check_reachable(store, *d.root_b).value().objects == 4u);

    // Remove a shared leaf: the error names it and who references it.
    const Object& l2 = d.reachable[1];
    BOOST_TEST(store.remove(l2.ref).value());
    r = check_reachable(store, *d.root_b);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == errc::object_not_found));
    BOOST_TEST(r.error().message().find(l2.ref.to_hex()) != std::string::npos);
    BOOST_TEST(r.error().message().find("reached from") != std::string::npos);
    // A missing root.
    r = check_reachable(store, d.garbage[0].ref);
    BOOST_TEST((r.error() == errc::object_not_found));

    // A chain as high as SHA256_V1 allows, walked without recursion.
    Object prev = leaf(8, 77);
    BOOST_TEST_REQUIRE(store.put(prev.ref, prev.data).has_value());
    for (int h = 1; h <= 255; ++h) {
        Object next = make_object(pattern(8, 1000 + static_cast<std::uint32_t>(h)), {prev.ref});
        BOOST_TEST_REQUIRE(store.put(next.ref, next.data).has_value());
        prev = next;
    }
    BOOST_TEST(prev.ref.height() == 255u);
    BOOST_TEST(check_reachable(store, prev.ref).value().objects == 256u);
}

/// GC keeps what the roots reach (and what was written within the grace period) and
/// deletes the rest.
template <class F>
void gc_keeps_reachable_deletes_unreachable() {
    F f;
    auto store = open_store(f);
    const Dag d = make_dag(2);
    for (const auto& o : d.reachable) BOOST_TEST_REQUIRE(store.put(o.ref, o.data).has_value());
    for (const auto& o : d.garbage) BOOST_TEST_REQUIRE(store.put(o.ref, o.data).has_value());

    // Within the grace period nothing unreachable goes.
    auto s = collect_garbage(store, std::vector<Reference>{*d.root_a, *d.root_b}, {.grace = std::chrono::hours(1)});
    BOOST_TEST_REQUIRE(s.has_value(), (s ? "" : s.error().message()));
    BOOST_TEST(s->reachable == d.reachable.size());
    BOOST_TEST(s->deleted == 0u);
    BOOST_TEST(s->kept_recent == d.garbage.size());

    // A dry run counts without deleting.
    s = collect_garbage(store, std::vector<Reference>{*d.root_a, *d.root_b}, {.grace = {}, .dry_run = true});
    BOOST_TEST_REQUIRE(s.has_value());
    BOOST_TEST(s->deleted == d.garbage.size());
    BOOST_TEST(stored_keys(store).size() == d.reachable.size() + d.garbage.size());

    // Keeping only root_b: root_a and m1 become garbage too (l1 is still reached from nowhere).
    s = collect_garbage(store, std::vector<Reference>{*d.root_b}, {.grace = {}});
    BOOST_TEST_REQUIRE(s.has_value());
    BOOST_TEST(s->reachable == 4u);
    BOOST_TEST(s->deleted == d.garbage.size() + 3u); // g1, g2, a, m1, l1
    BOOST_TEST(check_reachable(store, *d.root_b).value().objects == 4u);
    BOOST_TEST(stored_keys(store).size() == 4u);

    // A missing root aborts before anything is deleted.
    const Object other = leaf(10, 4242);
    BOOST_TEST_REQUIRE(store.put(other.ref, other.data).has_value());
    s = collect_garbage(store, std::vector<Reference>{*d.root_a}, {.grace = {}});
    BOOST_TEST_REQUIRE(!s.has_value());
    BOOST_TEST((s.error() == errc::object_not_found));
    BOOST_TEST(store.contains(other.ref).value());
}

/** A writer keeps putting new objects and putting garbage again while a collection runs:
    every put that began after the collection's cutoff must survive it. */
template <class F>
void gc_with_concurrent_writer() {
    F f;
    auto store = open_store(f);
    const Dag d = make_dag(3);
    for (const auto& o : d.reachable) BOOST_TEST_REQUIRE(store.put(o.ref, o.data).has_value());
    std::vector<Object> garbage;
    for (std::uint32_t i = 0; i < 300; ++i) garbage.push_back(leaf(64 + i, 60000 + i));
    for (const auto& o : garbage) BOOST_TEST_REQUIRE(store.put(o.ref, o.data).has_value());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));

    struct Put {
        Reference ref;
        WriteTime began;
    };
    // Rounds of (writer running, collection), until some put has landed inside a collection
    // (a fast backend can finish a collection before the writer's next put).
    std::size_t protected_puts = 0, lost = 0, rounds = 0, total_puts = 0, deleted = 0;
    for (std::uint32_t round = 0; round < 20 && protected_puts == 0; ++round, ++rounds) {
        std::vector<Put> puts;
        std::atomic<bool> stop{false}, started{false};
        std::atomic<int> failures{0};
        std::thread writer([&] {
            auto own = open_store(f);
            for (std::uint32_t i = 0; !stop.load(); ++i) {
                // Alternate fresh objects and garbage being stored again.
                const Object fresh = leaf(32 + i % 64, 80000 + round * 100000 + i);
                const Object& again = garbage[(i * 7) % garbage.size()];
                for (const Object* o : {&fresh, &again}) {
                    const WriteTime began = WriteClock::now();
                    if (!own.put(o->ref, o->data)) ++failures;
                    puts.push_back({o->ref, began});
                }
                started = true;
            }
        });
        while (!started.load()) std::this_thread::yield();
        auto s = collect_garbage(store, std::vector<Reference>{*d.root_a, *d.root_b}, {.grace = {}, .batch = 16});
        stop = true;
        writer.join();
        BOOST_TEST_REQUIRE(s.has_value(), (s ? "" : s.error().message()));
        BOOST_TEST(failures.load() == 0);
        BOOST_TEST(check_reachable(store, std::vector<Reference>{*d.root_a, *d.root_b}).value().objects == d.reachable.size());
        // The rule: a put that began at or after the cutoff (here the collection's start) is
        // never undone, whatever happened to earlier puts of the same key.
        for (const auto& p : puts) {
            if (p.began < s->cutoff) continue;
            ++protected_puts;
            if (!store.contains(p.ref).value()) ++lost;
        }
        total_puts += puts.size();
        deleted += s->deleted;
    }
    BOOST_TEST(lost == 0u, F::name << ": " << lost << " of " << protected_puts << " protected puts were deleted");
    BOOST_TEST(protected_puts > 0u);
    BOOST_TEST_MESSAGE(F::name << ": " << rounds << " collections deleted " << deleted << "; " << total_puts
                               << " puts during them, " << protected_puts << " after a cutoff");
}

} // namespace sealpipe::testing::backend_laws

/** Registers, in the Boost.Test suite `suite`, every law of the `StorageBackend` conformance
    suite as a case template over `fixtures` (a type alias of a `boost::mpl::list` of fixtures,
    described at the top of this header). */
#define SEALPIPE_TESTING_BACKEND_LAWS(suite, fixtures) \
    BOOST_AUTO_TEST_SUITE(suite) \
    BOOST_AUTO_TEST_CASE_TEMPLATE(round_trip, F, fixtures) { ::sealpipe::testing::backend_laws::round_trip<F>(); } \
    BOOST_AUTO_TEST_CASE_TEMPLATE(idempotent_put, F, fixtures) { ::sealpipe::testing::backend_laws::idempotent_put<F>(); } \
    BOOST_AUTO_TEST_CASE_TEMPLATE(missing_is_not_found, F, fixtures) { ::sealpipe::testing::backend_laws::missing_is_not_found<F>(); } \
    BOOST_AUTO_TEST_CASE_TEMPLATE(corrupt_is_an_error, F, fixtures) { ::sealpipe::testing::backend_laws::corrupt_is_an_error<F>(); } \
    BOOST_AUTO_TEST_CASE_TEMPLATE(remove_deletes, F, fixtures) { ::sealpipe::testing::backend_laws::remove_deletes<F>(); } \
    BOOST_AUTO_TEST_CASE_TEMPLATE(enumerate_lists_everything, F, fixtures) { ::sealpipe::testing::backend_laws::enumerate_lists_everything<F>(); } \
    BOOST_AUTO_TEST_CASE_TEMPLATE(batches, F, fixtures) { ::sealpipe::testing::backend_laws::batches<F>(); } \
    BOOST_AUTO_TEST_CASE_TEMPLATE(concurrent_threads, F, fixtures) { ::sealpipe::testing::backend_laws::concurrent_threads<F>(); } \
    BOOST_AUTO_TEST_CASE_TEMPLATE(concurrent_processes, F, fixtures) { ::sealpipe::testing::backend_laws::concurrent_processes<F>(); } \
    BOOST_AUTO_TEST_CASE_TEMPLATE(reachability, F, fixtures) { ::sealpipe::testing::backend_laws::reachability<F>(); } \
    BOOST_AUTO_TEST_CASE_TEMPLATE(gc_keeps_reachable_deletes_unreachable, F, fixtures) { ::sealpipe::testing::backend_laws::gc_keeps_reachable_deletes_unreachable<F>(); } \
    BOOST_AUTO_TEST_CASE_TEMPLATE(gc_with_concurrent_writer, F, fixtures) { ::sealpipe::testing::backend_laws::gc_with_concurrent_writer<F>(); } \
    BOOST_AUTO_TEST_SUITE_END()

#endif // SEALPIPE_TESTING_BACKEND_LAWS_HPP
