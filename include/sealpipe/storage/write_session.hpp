// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `WriteSession`: many puts into a store as one unit of work, batched into large writes and
// checked on `commit()`, so that a root is handed out only when everything it reaches is stored.

#ifndef SEALPIPE_STORAGE_WRITE_SESSION_HPP
#define SEALPIPE_STORAGE_WRITE_SESSION_HPP

#include <sealpipe/storage/types.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <chrono>
#include <concepts>
#include <span>
#include <thread>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

namespace sealpipe::storage {

/// How a `WriteSession` writes.
struct WriteSessionOptions {
    /// Objects collected before they are written together with one `put_many` (one transaction
    /// in SQLite, one pipeline in Redis); 1 writes every object at once. Order is kept, so a
    /// node is never stored before the children written ahead of it.
    std::size_t batch_objects = 1;
    /// Bytes collected before a batch is written, whatever its number of objects.
    std::size_t batch_bytes = std::size_t{8} << 20;
    /** Read back every object that is already stored before storing it again, and rewrite
        it when it does not match its reference (a corrupt or truncated copy). Costs one read
        per object; without it, a stored object is only refreshed, never read. */
    bool repair = false;
    /** Remember every object put (40 bytes each) so that `commit()` can check that all of
        them are still stored. */
    bool check_on_commit = true;
    /// Look each batch up before writing it, to count what was new (`new_objects()`,
    /// `new_bytes()`): one lookup per object.
    bool count_new = false;
    /** Write each full batch on a thread of its own while the caller goes on producing the
        next one (a store over the network, or a slow disk, then overlaps with compression and
        encryption). At most one batch is in flight, so batches still reach the store in
        order; a failure is reported by the next `put`, `flush` or `commit`. The store must
        be usable from another thread (every sealpipe backend is). */
    bool background = false;
};

/** Many puts into `Store` (a `BasicStore`, or any type with `put(Reference, ByteView)` and
    `get(Reference)`) as one unit of work, for writers of many objects such as `dag::Writer`:

    @code
    storage::WriteSession session(store, {.batch_objects = 512});
    dag::Writer writer(pipeline, session);
    // ... writer.write(...) ...
    if (auto r = writer.commit(); !r) ...   // everything written is now stored
    @endcode

    Every `put` reaches the store, also for objects already there: a put of a stored object
    refreshes its write time, which is what keeps it from a concurrent garbage collection
    (doc/storage.md, "Garbage collection"). `commit()` writes what is batched and checks that
    every object put since the last commit is still stored, so that a root is handed out only
    when everything it reaches is there. */
template <class Store>
class WriteSession {
public:
    explicit WriteSession(Store& store, WriteSessionOptions options = {}) : s_(&store), options_(options) {
        if (options_.batch_objects == 0) options_.batch_objects = 1;
    }
    WriteSession(const WriteSession&) = delete;
    WriteSession& operator=(const WriteSession&) = delete;
    /// Waits for a batch still being written (its result is then lost: call `commit()`).
    ~WriteSession() { (void)wait(); }

    [[nodiscard]] result<void> put(const Reference& ref, ByteView data) {
        if (options_.check_on_commit) remember(ref);
        if (options_.repair)
            if (auto r = repair(ref); !r) return r;
        if constexpr (has_put_many) {
            if (options_.batch_objects > 1 || options_.count_new) {
                batch_.push_back({ref, to_bytes(data)});
                batched_bytes_ += data.size();
                if (batch_.size() >= options_.batch_objects || batched_bytes_ >= options_.batch_bytes) return flush();
                return {};
            }
        }
        return s_->put(ref, data);
    }

    [[nodiscard]] result<Bytes> get(const Reference& ref) {
        if (auto f = flush(); !f) return f.error();
        if (auto w = wait(); !w) return w.error();
        return s_->get(ref);
    }

    /// Writes the objects still batched (with `background`, starts writing them: `commit()`
    /// waits for the write).
    [[nodiscard]] result<void> flush() {
        if (batch_.empty()) return wait();
        if constexpr (has_put_many) {
            // One batch in flight at a time: the previous one is stored before this one starts.
            if (auto w = wait(); !w) return w;
            auto batch = std::make_shared<std::vector<std::pair<Reference, Bytes>>>(std::move(batch_));
            batch_.clear();
            batched_bytes_ = 0;
            if (!options_.background) return write(*batch);
            in_flight_ = std::thread([this, batch] { in_flight_result_ = write(*batch); });
            return {};
        } else {
            return {};
        }
    }

    /** Writes what is batched and waits for it, then (with `check_on_commit`) checks that
        every object put since the last commit is stored, and forgets them.
        @par Errors the store's; `errc::object_not_found` naming the first object that was
        put but is gone (removed by a garbage collection whose grace period was shorter than
        the time since the put). */
    [[nodiscard]] result<void> commit() {
        if (auto f = flush(); !f) return f;
        if (auto w = wait(); !w) return w;
        return check_written();
    }

    /// How many objects were found stored but corrupt and rewritten (`repair`).
    [[nodiscard]] std::size_t repaired() const noexcept { return repaired_; }
    /// Objects, and their bytes, that were not stored before (`count_new`).
    [[nodiscard]] std::size_t new_objects() const noexcept { return new_objects_; }
    [[nodiscard]] std::uint64_t new_bytes() const noexcept { return new_bytes_; }

private:
    /// Waits for the batch in flight, if any; its result.
    result<void> wait() {
        if (!in_flight_.joinable()) return {};
        in_flight_.join();
        return std::exchange(in_flight_result_, result<void>{});
    }

    /// Writes one batch with put_many (counting what is new first, with `count_new`).
    result<void> write(const std::vector<std::pair<Reference, Bytes>>& batch) {
        if constexpr (has_put_many) {
            std::vector<PutItem> items;
            items.reserve(batch.size());
            for (const auto& [ref, data] : batch) items.push_back({ref, data});
            if (options_.count_new) {
                std::vector<Reference> refs;
                refs.reserve(items.size());
                for (const auto& i : items) refs.push_back(i.reference);
                auto present = contains_many(refs);
                if (!present) return present.error();
                std::unordered_set<Reference, ReferenceHash> fresh;   // an object twice in a batch is new once
                for (std::size_t i = 0; i < items.size(); ++i) {
                    if ((*present)[i] || !fresh.insert(refs[i]).second) continue;
                    ++new_objects_;
                    new_bytes_ += items[i].data.size();
                }
            }
            return s_->put_many(items);
        } else {
            return {};
        }
    }

    result<void> check_written() {
        if (!options_.check_on_commit) return {};
        compact();
        std::vector<Reference> refs = std::move(written_);
        written_.clear();
        compacted_ = 0;
        constexpr std::size_t page = 1024;
        for (std::size_t at = 0; at < refs.size(); at += page) {
            const std::span<const Reference> some(refs.data() + at, std::min(page, refs.size() - at));
            auto present = contains_many(some);
            if (!present) return present.error();
            for (std::size_t i = 0; i < some.size(); ++i) {
                if ((*present)[i]) continue;
                // A directory store moves an object aside for an instant while a collection
                // decides about it: look again before calling it gone.
                bool found = false;
                for (int attempt = 0; attempt < 3 && !found; ++attempt) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                    auto again = contains_many(some.subspan(i, 1));
                    if (!again) return again.error();
                    found = again->front();
                }
                if (!found)
                    return fail(errc::object_not_found,
                                "object " + some[i].to_hex() +
                                    " was stored by this put but is gone (was it collected with a grace period "
                                    "shorter than the put?)");
            }
        }
        return {};
    }

    static constexpr bool has_put_many = requires(Store& s, std::span<const PutItem> items) {
        { s.put_many(items) } -> std::same_as<result<void>>;
    };

    void remember(const Reference& ref) {
        written_.push_back(ref);
        // Keep the list near the number of distinct objects: sort and de-duplicate whenever
        // it has doubled since the last time.
        if (written_.size() >= 2 * compacted_ + 4096) compact();
    }
    void compact() {
        std::sort(written_.begin(), written_.end());
        written_.erase(std::unique(written_.begin(), written_.end()), written_.end());
        compacted_ = written_.size();
    }

    result<std::vector<bool>> contains_many(std::span<const Reference> refs) {
        if constexpr (requires { s_->contains_many(refs); }) {
            return s_->contains_many(refs);
        } else {
            std::vector<bool> out;
            for (const auto& k : refs) {
                auto g = s_->get(k);
                if (!g && g.error() != errc::object_not_found) return g.error();
                out.push_back(bool(g));
            }
            return out;
        }
    }

    /// Reads `ref` if stored; removes it when it does not verify, so that the put rewrites it.
    result<void> repair(const Reference& ref) {
        if (auto f = flush(); !f) return f;
        if (auto w = wait(); !w) return w;
        auto got = s_->get(ref);
        if (got || got.error() == errc::object_not_found) return {};
        if (got.error() != errc::object_corrupt) return got.error();
        if constexpr (requires { s_->remove(ref); }) {
            auto removed = s_->remove(ref);
            if (!removed) return removed.error();
            ++repaired_;
            return {};
        } else {
            return std::move(got.error()).context("cannot repair: the store has no remove");
        }
    }

    Store* s_;
    WriteSessionOptions options_;
    std::vector<std::pair<Reference, Bytes>> batch_;
    std::size_t batched_bytes_ = 0;
    std::vector<Reference> written_;
    std::size_t compacted_ = 0;
    std::size_t repaired_ = 0;
    // Written by the batch in flight, read by the caller: atomic.
    std::atomic<std::size_t> new_objects_{0};
    std::atomic<std::uint64_t> new_bytes_{0};
    std::thread in_flight_;
    result<void> in_flight_result_;
};

} // namespace sealpipe::storage

#endif // SEALPIPE_STORAGE_WRITE_SESSION_HPP
