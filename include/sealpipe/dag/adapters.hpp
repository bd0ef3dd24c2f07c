// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Adapters from the encoding and storage areas to the DAG policies: `PipelineCodec` makes an
// encoder pipeline an `ObjectCodec`, `StoreAdapter` makes a store an `ObjectStore`.

#ifndef SEALPIPE_DAG_ADAPTERS_HPP
#define SEALPIPE_DAG_ADAPTERS_HPP

#include <sealpipe/dag/concepts.hpp>
#include <sealpipe/encoding/concepts.hpp>
#include <sealpipe/storage/key.hpp>

#include <algorithm>
#include <chrono>
#include <concepts>
#include <span>
#include <thread>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

namespace sealpipe::dag {

namespace detail {
template <class P>
consteval bool keyed_at_compile_time() {
    if constexpr (requires { P::mode; }) return P::mode == encoding::Mode::keyed;
    else return false;
}
} // namespace detail

/** An encoder pipeline used as a DAG's `ObjectCodec`: a typed `encoding::BasicPipeline` in
    deterministic (deduplicating) or randomized mode, or an `encoding::AnyPipeline`.
    Keyed pipelines are refused: in a DAG, every object's parameters come from encoding it. */
template <class Pipeline>
class PipelineCodec {
    static_assert(!detail::keyed_at_compile_time<Pipeline>(),
                  "sealpipe: a DAG needs a deterministic or randomized pipeline; keyed mode takes "
                  "caller-chosen parameters per object (doc/dag.md)");

public:
    explicit PipelineCodec(Pipeline& pipeline) : p_(&pipeline) {}

    [[nodiscard]] result<Encoded> encode(ByteView in) {
        auto e = p_->encode(in);
        if (!e) return e.error();
        return Encoded{std::move(e->data), to_bytes(ByteView(e->parameters))};
    }
    [[nodiscard]] result<SecureBytes> decode(ByteView in, ByteView parameters, std::size_t max) {
        return p_->decode(in, parameters, max);
    }
    [[nodiscard]] std::size_t parameters_size() const {
        if constexpr (requires { Pipeline::decoding_parameters_bytes; }) return Pipeline::decoding_parameters_bytes;
        else return p_->decoding_parameters_bytes();
    }

private:
    Pipeline* p_;
};

/// How a `StoreAdapter` writes.
struct StoreAdapterOptions {
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
};

/** A store used as a DAG's `ObjectStore`: any `storage::BasicStore` (which verifies objects
    on write and read) or other type with `put(storage::Key, ByteView)` and
    `get(storage::Key)`.

    Every `put` reaches the store, also for objects already there: a put of a stored object
    refreshes its write time, which is what keeps it from a concurrent garbage collection
    (doc/storage.md, "Garbage collection"). `commit()` writes what is batched and checks that
    every object put since the last commit is still stored, so that a root is handed out only
    when everything it reaches is there. */
template <class Store>
class StoreAdapter {
public:
    explicit StoreAdapter(Store& store, StoreAdapterOptions options = {}) : s_(&store), options_(options) {
        if (options_.batch_objects == 0) options_.batch_objects = 1;
    }
    StoreAdapter(const StoreAdapter&) = delete;
    StoreAdapter& operator=(const StoreAdapter&) = delete;

    [[nodiscard]] result<void> put(const object::Reference& ref, ByteView data) {
        const storage::Key key(ref.array());
        if (options_.check_on_commit) remember(key);
        if (options_.repair)
            if (auto r = repair(key); !r) return r;
        if constexpr (has_put_many) {
            if (options_.batch_objects > 1 || options_.count_new) {
                batch_.push_back({key, to_bytes(data)});
                batched_bytes_ += data.size();
                if (batch_.size() >= options_.batch_objects || batched_bytes_ >= options_.batch_bytes) return flush();
                return {};
            }
        }
        return s_->put(key, data);
    }

    [[nodiscard]] result<Bytes> get(const object::Reference& ref) {
        if (auto f = flush(); !f) return f.error();
        return s_->get(storage::Key(ref.array()));
    }

    /// Writes the objects still batched.
    [[nodiscard]] result<void> flush() {
        if (batch_.empty()) return {};
        if constexpr (has_put_many) {
            std::vector<storage::PutItem> items;
            items.reserve(batch_.size());
            for (const auto& [key, data] : batch_) items.push_back({key, data});
            if (options_.count_new) {
                std::vector<storage::Key> keys;
                keys.reserve(items.size());
                for (const auto& i : items) keys.push_back(i.key);
                auto present = contains_many(keys);
                if (!present) return present.error();
                std::unordered_set<storage::Key, storage::KeyHash> fresh;   // an object twice in a batch is new once
                for (std::size_t i = 0; i < items.size(); ++i) {
                    if ((*present)[i] || !fresh.insert(keys[i]).second) continue;
                    ++new_objects_;
                    new_bytes_ += items[i].data.size();
                }
            }
            auto r = s_->put_many(items);
            batch_.clear();
            batched_bytes_ = 0;
            return r;
        } else {
            return {};
        }
    }

    /** Writes what is batched, then (with `check_on_commit`) checks that every object put
        since the last commit is stored, and forgets them.
        @par Errors the store's; `error::object_not_found` naming the first object that was
        put but is gone (removed by a garbage collection whose grace period was shorter than
        the time since the put). */
    [[nodiscard]] result<void> commit() {
        if (auto f = flush(); !f) return f;
        if (!options_.check_on_commit) return {};
        compact();
        std::vector<storage::Key> keys = std::move(written_);
        written_.clear();
        compacted_ = 0;
        constexpr std::size_t page = 1024;
        for (std::size_t at = 0; at < keys.size(); at += page) {
            const std::span<const storage::Key> some(keys.data() + at, std::min(page, keys.size() - at));
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
                    return fail(error::object_not_found,
                                "object " + storage::to_hex(some[i]) +
                                    " was stored by this put but is gone (was it collected with a grace period "
                                    "shorter than the put?)");
            }
        }
        return {};
    }

    /// How many objects were found stored but corrupt and rewritten (`repair`).
    [[nodiscard]] std::size_t repaired() const noexcept { return repaired_; }
    /// Objects, and their bytes, that were not stored before (`count_new`).
    [[nodiscard]] std::size_t new_objects() const noexcept { return new_objects_; }
    [[nodiscard]] std::uint64_t new_bytes() const noexcept { return new_bytes_; }

private:
    static constexpr bool has_put_many = requires(Store& s, std::span<const storage::PutItem> items) {
        { s.put_many(items) } -> std::same_as<result<void>>;
    };

    void remember(const storage::Key& key) {
        written_.push_back(key);
        // Keep the list near the number of distinct objects: sort and de-duplicate whenever
        // it has doubled since the last time.
        if (written_.size() >= 2 * compacted_ + 4096) compact();
    }
    void compact() {
        std::sort(written_.begin(), written_.end());
        written_.erase(std::unique(written_.begin(), written_.end()), written_.end());
        compacted_ = written_.size();
    }

    result<std::vector<bool>> contains_many(std::span<const storage::Key> keys) {
        if constexpr (requires { s_->contains_many(keys); }) {
            return s_->contains_many(keys);
        } else {
            std::vector<bool> out;
            for (const auto& k : keys) {
                auto g = s_->get(k);
                if (!g && g.error() != error::object_not_found) return g.error();
                out.push_back(bool(g));
            }
            return out;
        }
    }

    /// Reads `key` if stored; removes it when it does not verify, so that the put rewrites it.
    result<void> repair(const storage::Key& key) {
        if (auto f = flush(); !f) return f;
        auto got = s_->get(key);
        if (got || got.error() == error::object_not_found) return {};
        if (got.error() != error::object_corrupt) return got.error();
        if constexpr (requires { s_->remove(key); }) {
            auto removed = s_->remove(key);
            if (!removed) return removed.error();
            ++repaired_;
            return {};
        } else {
            return std::move(got.error()).context("cannot repair: the store has no remove");
        }
    }

    Store* s_;
    StoreAdapterOptions options_;
    std::vector<std::pair<storage::Key, Bytes>> batch_;
    std::size_t batched_bytes_ = 0;
    std::vector<storage::Key> written_;
    std::size_t compacted_ = 0;
    std::size_t repaired_ = 0;
    std::size_t new_objects_ = 0;
    std::uint64_t new_bytes_ = 0;
};

} // namespace sealpipe::dag

#endif // SEALPIPE_DAG_ADAPTERS_HPP
