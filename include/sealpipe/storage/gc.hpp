// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Reachability checks and mark-and-sweep garbage collection over a store, using only the
// plaintext outgoing references of objects (no key is needed).

#ifndef SEALPIPE_STORAGE_GC_HPP
#define SEALPIPE_STORAGE_GC_HPP

#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/verifier.hpp>

#include <algorithm>
#include <chrono>
#include <concepts>
#include <functional>
#include <cstddef>
#include <iterator>
#include <optional>
#include <span>
#include <unordered_set>
#include <utility>
#include <vector>

namespace sealpipe::storage {

/// What `check_reachable` saw.
struct ReachStats {
    std::size_t objects = 0; ///< distinct objects fetched and verified
    std::size_t bytes = 0;   ///< their total size
};

/// How `collect_garbage` runs.
struct GcOptions {
    /** Objects whose last put (or touch) began less than `grace` before the collection
        started are kept even when unreachable: a writer has that long to store the root of
        what it is uploading (or to touch it) and to name it as a root. */
    std::chrono::nanoseconds grace = std::chrono::hours(1);
    /// Objects fetched per batch while marking.
    std::size_t batch = 256;
    /// Objects removed per batch while sweeping, by a backend that removes in batches (one
    /// transaction in SQLite, one sync per shard in a directory, one pipeline in Redis).
    std::size_t removal_batch = 1024;
    /// Count what would be deleted without deleting anything.
    bool dry_run = false;
    /// Called after each marking batch with what was marked so far.
    std::function<void(const ReachStats&)> progress;
};

/// What `collect_garbage` did.
struct GcStats {
    std::size_t reachable = 0;   ///< objects marked from the roots
    std::size_t deleted = 0;     ///< unreachable objects removed (or that would be, in a dry run)
    std::size_t kept_recent = 0; ///< unreachable objects kept because they were written recently
    std::size_t temporaries = 0; ///< stale temporary files removed (directory backend)
    WriteTime cutoff{};          ///< start of the collection minus the grace period
};

namespace detail {

/// The most bytes one marking batch may fetch (beyond its first object).
inline constexpr std::size_t batch_bytes_limit = std::size_t{32} << 20;

/** Fetches and verifies every object reachable from `roots`, iteratively (an explicit stack,
    batches of `batch` keys through get_many) and visiting each object once. Stops at the first
    missing or corrupt object, naming it and the object that references it. */
template <class Backend, class Verifier>
[[nodiscard]] result<ReachStats> mark(BasicStore<Backend, Verifier>& store, std::span<const Reference> roots,
                                      std::size_t batch, std::unordered_set<Reference, ReferenceHash>& visited,
                                      const std::function<void(const ReachStats&)>& progress = {}) {
    ReachStats stats;
    struct Pending {
        Reference ref;
        std::optional<Reference> parent;
    };
    std::vector<Pending> stack;
    for (const auto& r : roots)
        if (visited.insert(r).second) stack.push_back({r, std::nullopt});
    if (batch == 0) batch = 1;
    std::vector<Pending> current;
    std::vector<Reference> keys;
    while (!stack.empty()) {
        // A batch holds at most `batch` objects and, beyond its first, `batch_bytes_limit`
        // bytes as the keys announce them: memory stays bounded even for 2 MiB objects.
        std::size_t n = 0, announced = 0;
        while (n < std::min(batch, stack.size())) {
            const std::size_t size = stack[stack.size() - 1 - n].ref.size();
            if (n > 0 && announced + size > batch_bytes_limit) break;
            announced += size;
            ++n;
        }
        current.assign(std::make_move_iterator(stack.end() - static_cast<std::ptrdiff_t>(n)),
                       std::make_move_iterator(stack.end()));
        stack.erase(stack.end() - static_cast<std::ptrdiff_t>(n), stack.end());
        keys.clear();
        for (const auto& p : current) keys.push_back(p.ref);
        auto fetched = store.get_many(keys);
        if (!fetched) return fetched.error();
        for (std::size_t i = 0; i < n; ++i) {
            auto& got = (*fetched)[i];
            if (!got) {
                Error e = got.error();
                if (current[i].parent) return std::move(e).context("reached from " + current[i].parent->to_hex());
                return e;
            }
            ++stats.objects;
            stats.bytes += got->size();
            auto children = Verifier::children(current[i].ref, *got);
            if (!children) return children.error();
            for (const auto& c : *children)
                if (visited.insert(c).second) stack.push_back({c, current[i].ref});
        }
        if (progress) progress(stats);
    }
    return stats;
}

template <class B>
concept HasBatchedRemoval = requires(B& b, std::span<const Reference> keys, WriteTime t) {
    { b.remove_many_if_written_before(keys, t) } -> std::same_as<result<std::size_t>>;
};

template <class B>
concept HasStaleTemporaries = requires(B& b, WriteTime t) {
    { b.remove_stale_temporaries(t) } -> std::same_as<result<std::size_t>>;
};

} // namespace detail

/** Is every object in `roots` and everything they reach stored and valid?

    Walks the DAG through the outgoing references in each object's header (doc/protocol.md, "Objects and
    references"), fetching in batches and verifying each object against its reference.

    @return the number and total size of the distinct objects checked.
    @par Errors the first `errc::object_not_found` or `errc::object_corrupt` met, naming
    the object (and the object that references it); environment errors from the backend.
    @par Security Needs no key: references are plaintext. A success proves availability and
    integrity of the stored bytes, not that anyone can decode them. */
template <class Backend, class Verifier>
[[nodiscard]] result<ReachStats> check_reachable(BasicStore<Backend, Verifier>& store, std::span<const Reference> roots,
                                                 std::size_t batch = 256) {
    std::unordered_set<Reference, ReferenceHash> visited;
    return detail::mark(store, roots, batch, visited);
}

/// `check_reachable` for one root.
template <class Backend, class Verifier>
[[nodiscard]] result<ReachStats> check_reachable(BasicStore<Backend, Verifier>& store, const Reference& root,
                                                 std::size_t batch = 256) {
    return check_reachable(store, std::span(&root, 1), batch);
}

/// `check_reachable`, calling `progress` after each batch with what was checked so far.
template <class Backend, class Verifier>
[[nodiscard]] result<ReachStats> check_reachable(BasicStore<Backend, Verifier>& store, std::span<const Reference> roots,
                                                 const std::function<void(const ReachStats&)>& progress,
                                                 std::size_t batch = 256) {
    std::unordered_set<Reference, ReferenceHash> visited;
    return detail::mark(store, roots, batch, visited, progress);
}

/** Deletes every object that is neither reachable from `roots` nor recently written.

    1. T0 = now; cutoff = T0 - options.grace.
    2. Mark: every object reachable from the roots (verified; a missing or corrupt object
       aborts the collection before anything is deleted).
    3. Sweep: enumerate the store; each unmarked object with a write time before the cutoff
       is removed with `remove_if_written_before(key, cutoff)`, which the backend performs
       atomically, so an object put again after the enumeration saw it is not removed (in
       batches of `options.removal_batch` through `remove_many_if_written_before` when the
       backend has it).

    @par Concurrency Safe against concurrent writers in any thread or process: an object
    whose put (or touch) begins after T0 - grace is never deleted by this collection. What
    the rule does not cover: a writer that relies on an old object by checking `contains`
    without a `touch`, or that takes longer than `grace` to store and register its root.
    @par Errors as `check_reachable` for the mark phase; environment errors from the backend
    (some objects may then have been deleted, all of them garbage). */
template <class Backend, class Verifier>
[[nodiscard]] result<GcStats> collect_garbage(BasicStore<Backend, Verifier>& store, std::span<const Reference> roots,
                                              const GcOptions& options = {}) {
    const WriteTime start = WriteClock::now();
    const WriteTime cutoff = start - std::chrono::duration_cast<WriteClock::duration>(options.grace);
    GcStats stats;
    if constexpr (detail::HasStaleTemporaries<Backend>) {
        // First, so that what a killed collection set aside is back under its name before
        // this one enumerates: it is decided about now, not left for the next collection.
        // A temporary file is only ever stale: its writer died. Leave an hour for slow writers.
        if (!options.dry_run) {
            auto t = store.backend().remove_stale_temporaries(std::min(cutoff, start - std::chrono::hours(1)));
            if (!t) return t.error();
            stats.temporaries = *t;
        }
    }
    std::unordered_set<Reference, ReferenceHash> marked;
    auto m = detail::mark(store, roots, options.batch, marked, options.progress);
    if (!m) return m.error();
    stats.reachable = m->objects;
    stats.cutoff = cutoff;

    std::vector<Reference> candidates;
    auto e = store.enumerate([&](const ObjectInfo& info) {
        if (marked.contains(info.reference)) return true;
        if (info.written < cutoff) candidates.push_back(info.reference);
        else ++stats.kept_recent;
        return true;
    });
    if (!e) return e.error();
    if (options.dry_run) {
        stats.deleted = candidates.size();
        return stats;
    }
    if constexpr (detail::HasBatchedRemoval<Backend>) {
        const std::size_t batch = std::max<std::size_t>(options.removal_batch, 1);
        for (std::size_t at = 0; at < candidates.size(); at += batch) {
            const std::span<const Reference> some(candidates.data() + at, std::min(batch, candidates.size() - at));
            auto r = store.backend().remove_many_if_written_before(some, cutoff);
            if (!r) return r.error();
            stats.deleted += *r;
            stats.kept_recent += some.size() - *r;
        }
    } else {
        for (const auto& k : candidates) {
            auto r = store.backend().remove_if_written_before(k, cutoff);
            if (!r) return r.error();
            if (*r) ++stats.deleted;
            else ++stats.kept_recent;
        }
    }
    return stats;
}

} // namespace sealpipe::storage

#endif // SEALPIPE_STORAGE_GC_HPP
