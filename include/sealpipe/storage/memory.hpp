// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `Memory`: a thread-safe in-process storage backend (tests, caches, examples).

#ifndef SEALPIPE_STORAGE_MEMORY_HPP
#define SEALPIPE_STORAGE_MEMORY_HPP

#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/concepts.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sealpipe::storage {

/** Objects in a hash map guarded by a reader-writer lock. Copies of a `Memory` share the same
    objects (it is a handle), so a store and a test can look at one map.

    @par Guarantees Every operation is atomic with respect to the others; nothing survives
    the process. Safe to share between threads; a forked child gets a private copy. */
class Memory {
public:
    Memory() : state_(std::make_shared<State>()) {}

    [[nodiscard]] result<void> put(const Reference& k, ByteView data) {
        const auto now = WriteClock::now();
        std::unique_lock lock(state_->mutex);
        auto [it, inserted] = state_->objects.try_emplace(k);
        if (inserted) it->second.data = to_bytes(data);
        it->second.written = now;
        return {};
    }

    [[nodiscard]] result<Bytes> get(const Reference& k) const {
        std::shared_lock lock(state_->mutex);
        auto it = state_->objects.find(k);
        if (it == state_->objects.end()) return detail::not_found(k);
        return it->second.data;
    }

    [[nodiscard]] result<bool> contains(const Reference& k) const {
        std::shared_lock lock(state_->mutex);
        return state_->objects.contains(k);
    }

    [[nodiscard]] result<bool> touch(const Reference& k) {
        const auto now = WriteClock::now();
        std::unique_lock lock(state_->mutex);
        auto it = state_->objects.find(k);
        if (it == state_->objects.end()) return false;
        it->second.written = now;
        return true;
    }

    [[nodiscard]] result<bool> remove(const Reference& k) {
        std::unique_lock lock(state_->mutex);
        return state_->objects.erase(k) == 1;
    }

    [[nodiscard]] result<bool> remove_if_written_before(const Reference& k, WriteTime cutoff) {
        std::unique_lock lock(state_->mutex);
        auto it = state_->objects.find(k);
        if (it == state_->objects.end() || !(it->second.written < cutoff)) return false;
        state_->objects.erase(it);
        return true;
    }

    /// Visits a snapshot taken under the lock; the visitor runs without it.
    [[nodiscard]] result<void> enumerate(const ObjectVisitor& visit) const {
        std::vector<ObjectInfo> snapshot;
        {
            std::shared_lock lock(state_->mutex);
            snapshot.reserve(state_->objects.size());
            for (const auto& [k, e] : state_->objects) snapshot.push_back({k, e.written});
        }
        for (const auto& info : snapshot)
            if (!visit(info)) break;
        return {};
    }

    [[nodiscard]] result<void> put_many(std::span<const PutItem> items) {
        const auto now = WriteClock::now();
        std::unique_lock lock(state_->mutex);
        for (const auto& item : items) {
            auto [it, inserted] = state_->objects.try_emplace(item.reference);
            if (inserted) it->second.data = to_bytes(item.data);
            it->second.written = now;
        }
        return {};
    }

    [[nodiscard]] result<std::vector<std::optional<Bytes>>> get_many(std::span<const Reference> keys) const {
        std::vector<std::optional<Bytes>> out;
        out.reserve(keys.size());
        std::shared_lock lock(state_->mutex);
        for (const auto& k : keys) {
            auto it = state_->objects.find(k);
            if (it == state_->objects.end()) out.emplace_back();
            else out.emplace_back(it->second.data);
        }
        return out;
    }

    [[nodiscard]] result<std::vector<bool>> contains_many(std::span<const Reference> keys) const {
        std::vector<bool> out;
        out.reserve(keys.size());
        std::shared_lock lock(state_->mutex);
        for (const auto& k : keys) out.push_back(state_->objects.contains(k));
        return out;
    }

    /// The number of stored objects.
    [[nodiscard]] std::size_t size() const {
        std::shared_lock lock(state_->mutex);
        return state_->objects.size();
    }

private:
    struct Entry {
        Bytes data;
        WriteTime written;
    };
    struct State {
        mutable std::shared_mutex mutex;
        std::unordered_map<Reference, Entry, ReferenceHash> objects;
    };
    std::shared_ptr<State> state_;
};

static_assert(StorageBackend<Memory>);

/// A verified in-memory store.
using MemoryStore = BasicStore<Memory>;

} // namespace sealpipe::storage

#endif // SEALPIPE_STORAGE_MEMORY_HPP
