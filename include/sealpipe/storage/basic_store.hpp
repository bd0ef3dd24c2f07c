// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `BasicStore<Backend, Verifier>`: a storage backend whose objects are verified against
// their references on every read and every write.

#ifndef SEALPIPE_STORAGE_BASIC_STORE_HPP
#define SEALPIPE_STORAGE_BASIC_STORE_HPP

#include <sealpipe/storage/concepts.hpp>
#include <sealpipe/storage/verifier.hpp>

#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace sealpipe::storage {

/** A content-addressed object store: `Backend` keeps the bytes, `Verifier` checks them.

    Reads never return bytes that do not match their reference: a tampered, torn or substituted
    object is `errc::object_corrupt`. Writes refuse data that does not match its reference, so a
    store only ever holds what its references name.

    @code
    auto store = storage::MemoryStore{};
    if (auto r = store.put(ref, data); !r) ...
    auto data = store.get(ref);   // result<Bytes>: object_not_found or object_corrupt on failure
    @endcode

    @par Thread safety As the backend's (every shipped backend is safe to share between threads).
    @par Security Storage is trusted with availability only: verification detects corruption
    and substitution, and keeps both from reaching the caller. */
template <class Backend, class Verifier = Sha256V1Verifier>
class BasicStore {
    static_assert((check_backend<Backend>(), true));   // names the first part 'Backend' lacks
    static_assert(ObjectVerifier<Verifier>,
                  "sealpipe: BasicStore<Backend, Verifier> requires 'Verifier' to model "
                  "sealpipe::storage::ObjectVerifier (doc/concepts/storage_backend.md)");

public:
    using backend_type = Backend;
    using verifier_type = Verifier;

    /// Wraps a backend (moved in).
    explicit BasicStore(Backend backend) : backend_(std::move(backend)) {}
    /// Constructs the backend in place.
    template <class... Args>
        requires std::constructible_from<Backend, Args...>
    explicit BasicStore(std::in_place_t, Args&&... args) : backend_(std::forward<Args>(args)...) {}
    BasicStore() requires std::default_initializable<Backend> = default;

    /** Stores `data` under `ref`. Storing the same object again is harmless and refreshes its
        write time (which protects it from a concurrent garbage collection).
        @par Errors `errc::object_corrupt` when data does not match the reference, and the backend's environment errors (`io_error`, `backend_unavailable`). */
    [[nodiscard]] result<void> put(const Reference& ref, ByteView data) {
        if (auto r = Verifier::verify(ref, data); !r) return r;
        return backend_.put(ref, data);
    }

    /** The object stored under `ref`, verified.
        @par Errors `errc::object_not_found`, `errc::object_corrupt`, environment errors. */
    [[nodiscard]] result<Bytes> get(const Reference& ref) {
        auto data = backend_.get(ref);
        if (!data) return data;
        if (auto r = Verifier::verify(ref, *data); !r) return r.error();
        return data;
    }

    /// Whether `ref` is stored (presence only: use `get` or `check_reachable` to validate).
    [[nodiscard]] result<bool> contains(const Reference& ref) { return backend_.contains(ref); }

    /** Refreshes the write time of a stored object so that a garbage collection that starts
        later keeps it for its grace period; false when absent. Use this, not `contains`,
        when deciding not to upload an object because it is already there. */
    [[nodiscard]] result<bool> touch(const Reference& ref) { return backend_.touch(ref); }

    /// Deletes `ref`; false when it was absent.
    [[nodiscard]] result<bool> remove(const Reference& ref) { return backend_.remove(ref); }

    /// Calls `visit` for every stored object (unverified references and write times).
    [[nodiscard]] result<void> enumerate(const ObjectVisitor& visit) { return backend_.enumerate(visit); }

    /** Stores every item, verifying each first; nothing is stored if one does not verify.
        @par Errors as `put`. */
    [[nodiscard]] result<void> put_many(std::span<const PutItem> items) {
        for (const auto& it : items)
            if (auto r = Verifier::verify(it.reference, it.data); !r) return r;
        return backend_.put_many(items);
    }

    /** Fetches every reference in one batch. The outer result fails only when the backend does;
        each element is the verified object, `object_not_found` or `object_corrupt`. */
    [[nodiscard]] result<std::vector<result<Bytes>>> get_many(std::span<const Reference> refs) {
        std::vector<result<Bytes>> out;
        out.reserve(refs.size());
        auto fetched = backend_.get_many(refs);
        if (!fetched) return fetched.error();
        for (std::size_t i = 0; i < refs.size(); ++i) {
            const Reference& k = refs[i];
            auto& slot = (*fetched)[i];
            if (!slot) {
                out.emplace_back(detail::not_found(k));
            } else if (auto r = Verifier::verify(k, *slot); !r) {
                out.emplace_back(r.error());
            } else {
                out.emplace_back(std::move(*slot));
            }
        }
        return out;
    }

    /// Whether each reference is stored, in one batch.
    [[nodiscard]] result<std::vector<bool>> contains_many(std::span<const Reference> refs) {
        return backend_.contains_many(refs);
    }

    /// The backend, for its own operations (and for tests that need to tamper with it).
    Backend& backend() noexcept { return backend_; }
    const Backend& backend() const noexcept { return backend_; }

private:
    Backend backend_;
};

} // namespace sealpipe::storage

#endif // SEALPIPE_STORAGE_BASIC_STORE_HPP
