// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `AnyBackend`: a type-erased `StorageBackend`, and `AnyStore`, the verified store over it,
// for code that picks its backend at run time (the CLI's `--store URI`).

#ifndef SEALPIPE_STORAGE_ANY_HPP
#define SEALPIPE_STORAGE_ANY_HPP

#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/concepts.hpp>

#include <memory>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

namespace sealpipe::storage {

/** Holds any `StorageBackend` behind one virtual call per operation; itself a
    `StorageBackend`. Copies share the held backend. Backends with extra maintenance
    (`Directory::remove_stale_temporaries`) keep it through `remove_stale_temporaries`, and
    batched removals (`remove_many_if_written_before`) through the member of that name. */
class AnyBackend {
public:
    template <class B>
        requires(StorageBackend<std::remove_cvref_t<B>> && !std::is_same_v<std::remove_cvref_t<B>, AnyBackend>)
    explicit AnyBackend(B&& backend)
        : impl_(std::make_shared<Model<std::remove_cvref_t<B>>>(std::forward<B>(backend))) {}

    [[nodiscard]] result<void> put(const Reference& k, ByteView d) { return impl_->put(k, d); }
    [[nodiscard]] result<Bytes> get(const Reference& k) { return impl_->get(k); }
    [[nodiscard]] result<bool> contains(const Reference& k) { return impl_->contains(k); }
    [[nodiscard]] result<bool> touch(const Reference& k) { return impl_->touch(k); }
    [[nodiscard]] result<bool> remove(const Reference& k) { return impl_->remove(k); }
    [[nodiscard]] result<bool> remove_if_written_before(const Reference& k, WriteTime t) {
        return impl_->remove_if_written_before(k, t);
    }
    [[nodiscard]] result<void> enumerate(const ObjectVisitor& v) { return impl_->enumerate(v); }
    [[nodiscard]] result<void> put_many(std::span<const PutItem> items) { return impl_->put_many(items); }
    [[nodiscard]] result<std::vector<std::optional<Bytes>>> get_many(std::span<const Reference> keys) {
        return impl_->get_many(keys);
    }
    [[nodiscard]] result<std::vector<bool>> contains_many(std::span<const Reference> keys) {
        return impl_->contains_many(keys);
    }
    /// The held backend's batched conditional removal, or `remove_if_written_before` of each key.
    [[nodiscard]] result<std::size_t> remove_many_if_written_before(std::span<const Reference> keys, WriteTime t) {
        return impl_->remove_many_if_written_before(keys, t);
    }
    /// The held backend's stale-temporary cleanup, or 0 when it has none.
    [[nodiscard]] result<std::size_t> remove_stale_temporaries(WriteTime t) {
        return impl_->remove_stale_temporaries(t);
    }

    /// The held backend if it is a `B`, else nullptr.
    template <class B>
    B* target() noexcept {
        auto* m = dynamic_cast<Model<B>*>(impl_.get());
        return m ? &m->backend : nullptr;
    }

private:
    struct Interface {
        virtual ~Interface() = default;
        virtual result<void> put(const Reference&, ByteView) = 0;
        virtual result<Bytes> get(const Reference&) = 0;
        virtual result<bool> contains(const Reference&) = 0;
        virtual result<bool> touch(const Reference&) = 0;
        virtual result<bool> remove(const Reference&) = 0;
        virtual result<bool> remove_if_written_before(const Reference&, WriteTime) = 0;
        virtual result<void> enumerate(const ObjectVisitor&) = 0;
        virtual result<void> put_many(std::span<const PutItem>) = 0;
        virtual result<std::vector<std::optional<Bytes>>> get_many(std::span<const Reference>) = 0;
        virtual result<std::vector<bool>> contains_many(std::span<const Reference>) = 0;
        virtual result<std::size_t> remove_many_if_written_before(std::span<const Reference>, WriteTime) = 0;
        virtual result<std::size_t> remove_stale_temporaries(WriteTime) = 0;
    };

    template <class B>
    struct Model final : Interface {
        template <class T>
        explicit Model(T&& b) : backend(std::forward<T>(b)) {}
        result<void> put(const Reference& k, ByteView d) override { return backend.put(k, d); }
        result<Bytes> get(const Reference& k) override { return backend.get(k); }
        result<bool> contains(const Reference& k) override { return backend.contains(k); }
        result<bool> touch(const Reference& k) override { return backend.touch(k); }
        result<bool> remove(const Reference& k) override { return backend.remove(k); }
        result<bool> remove_if_written_before(const Reference& k, WriteTime t) override {
            return backend.remove_if_written_before(k, t);
        }
        result<void> enumerate(const ObjectVisitor& v) override { return backend.enumerate(v); }
        result<void> put_many(std::span<const PutItem> items) override { return backend.put_many(items); }
        result<std::vector<std::optional<Bytes>>> get_many(std::span<const Reference> keys) override {
            return backend.get_many(keys);
        }
        result<std::vector<bool>> contains_many(std::span<const Reference> keys) override {
            return backend.contains_many(keys);
        }
        result<std::size_t> remove_many_if_written_before(std::span<const Reference> keys, WriteTime t) override {
            if constexpr (requires {
                              { backend.remove_many_if_written_before(keys, t) } -> std::same_as<result<std::size_t>>;
                          }) {
                return backend.remove_many_if_written_before(keys, t);
            } else {
                std::size_t removed = 0;
                for (const auto& k : keys) {
                    auto r = backend.remove_if_written_before(k, t);
                    if (!r) return r.error();
                    removed += *r ? 1 : 0;
                }
                return removed;
            }
        }
        result<std::size_t> remove_stale_temporaries(WriteTime t) override {
            if constexpr (requires { { backend.remove_stale_temporaries(t) } -> std::same_as<result<std::size_t>>; })
                return backend.remove_stale_temporaries(t);
            else
                return std::size_t{0};
        }
        B backend;
    };

    std::shared_ptr<Interface> impl_;
};

static_assert(StorageBackend<AnyBackend>);

/// A verified store over a backend chosen at run time.
using AnyStore = BasicStore<AnyBackend>;

} // namespace sealpipe::storage

#endif // SEALPIPE_STORAGE_ANY_HPP
