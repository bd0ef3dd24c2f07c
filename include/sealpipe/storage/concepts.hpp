// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The storage concepts: `StorageBackend` (where bytes live) and `ObjectVerifier` (how an
// object is checked against its key and what it references). doc/concepts/storage_backend.md
// has the tables.

#ifndef SEALPIPE_STORAGE_CONCEPTS_HPP
#define SEALPIPE_STORAGE_CONCEPTS_HPP

#include <sealpipe/storage/types.hpp>

#include <concepts>
#include <functional>
#include <optional>
#include <span>
#include <vector>

namespace sealpipe::storage {

/** The visitor of `enumerate`: called once per stored object; return false to stop.
    It is called without any backend lock held, so it may call back into the backend. */
using ObjectVisitor = std::function<bool(const ObjectInfo&)>;

namespace detail {

template <class B>
concept HasSingleOps = requires(B& b, const Reference& k, ByteView data, WriteTime t) {
    { b.put(k, data) } -> std::same_as<result<void>>;
    { b.get(k) } -> std::same_as<result<Bytes>>;
    { b.contains(k) } -> std::same_as<result<bool>>;
    { b.touch(k) } -> std::same_as<result<bool>>;
    { b.remove(k) } -> std::same_as<result<bool>>;
    { b.remove_if_written_before(k, t) } -> std::same_as<result<bool>>;
};

template <class B>
concept HasBatchOps = requires(B& b, std::span<const PutItem> items, std::span<const Reference> keys) {
    { b.put_many(items) } -> std::same_as<result<void>>;
    { b.get_many(keys) } -> std::same_as<result<std::vector<std::optional<Bytes>>>>;
    { b.contains_many(keys) } -> std::same_as<result<std::vector<bool>>>;
};

template <class B>
concept HasEnumerate = requires(B& b, const ObjectVisitor& visit) {
    { b.enumerate(visit) } -> std::same_as<result<void>>;
};

} // namespace detail

/** A place where object bytes live, keyed by `Reference`. Backends store opaque bytes and do not
    verify them: that is the job of `BasicStore`'s `ObjectVerifier`.

    | expression | result | semantics |
    | --- | --- | --- |
    | `b.put(k, data)` | `result<void>` | stores data under k; idempotent; a put of an existing key refreshes its write time |
    | `b.get(k)` | `result<Bytes>` | the stored bytes; `errc::object_not_found` when absent |
    | `b.contains(k)` | `result<bool>` | whether k is stored |
    | `b.touch(k)` | `result<bool>` | refreshes the write time of a stored k; false when absent |
    | `b.remove(k)` | `result<bool>` | deletes k; false when it was absent |
    | `b.remove_if_written_before(k, t)` | `result<bool>` | atomically deletes k only if its write time is before t |
    | `b.enumerate(visit)` | `result<void>` | calls visit(ObjectInfo) for every stored object until it returns false |
    | `b.put_many(items)` | `result<void>` | put of each item, batched |
    | `b.get_many(keys)` | `result<vector<optional<Bytes>>>` | get of each key, batched; nullopt when absent |
    | `b.contains_many(keys)` | `result<vector<bool>>` | contains of each key, batched |

    Every operation fails with `errc::io_error` or `errc::backend_unavailable` when the
    environment does; none returns partially written data. */
template <class B>
concept StorageBackend = detail::HasSingleOps<B> && detail::HasBatchOps<B> && detail::HasEnumerate<B>;

namespace detail {
template <class...>
inline constexpr bool always_false_v = false;
} // namespace detail

/** Asserts the first part of `StorageBackend` that `B` lacks (one diagnostic per mistake);
    true when `B` is a `StorageBackend`. */
template <class B>
constexpr bool check_backend() {
    if constexpr (StorageBackend<B>) {
        return true;
    } else if constexpr (!detail::HasSingleOps<B>) {
        static_assert(detail::always_false_v<B>,
                      "sealpipe: a StorageBackend needs put(Reference, ByteView) -> result<void>, get(Reference) -> result<Bytes>, "
                      "contains, touch, remove and remove_if_written_before(Reference, WriteTime) -> result<bool> "
                      "(doc/concepts/storage_backend.md)");
        return false;
    } else if constexpr (!detail::HasBatchOps<B>) {
        static_assert(detail::always_false_v<B>,
                      "sealpipe: a StorageBackend needs the batch operations put_many(span<const PutItem>), "
                      "get_many(span<const Reference>) and contains_many(span<const Reference>) (doc/concepts/storage_backend.md)");
        return false;
    } else {
        static_assert(detail::always_false_v<B>,
                      "sealpipe: a StorageBackend needs enumerate(const ObjectVisitor&) -> result<void> (doc/concepts/storage_backend.md)");
        return false;
    }
}

/** How a store checks an object against its reference and finds the references the object holds.

    | expression | result | semantics |
    | --- | --- | --- |
    | `V::verify(r, data)` | `result<void>` | success iff data is the object r names; else `errc::object_corrupt` |
    | `V::children(r, data)` | `result<std::vector<Reference>>` | the references a verified object holds |
*/
template <class V>
concept ObjectVerifier = requires(const Reference& r, ByteView data) {
    { V::verify(r, data) } -> std::same_as<result<void>>;
    { V::children(r, data) } -> std::same_as<result<std::vector<Reference>>>;
};

} // namespace sealpipe::storage

#endif // SEALPIPE_STORAGE_CONCEPTS_HPP
