// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `Sha256V1Verifier`: the default `ObjectVerifier`, checking size and SHA-256 (SPEC.md §2).

#ifndef SEALPIPE_STORAGE_VERIFIER_HPP
#define SEALPIPE_STORAGE_VERIFIER_HPP

#include <sealpipe/storage/concepts.hpp>
#include <sealpipe/storage/detail/sha256_v1.hpp>

#include <vector>

namespace sealpipe::storage {

/** Checks an object against its SHA256_V1 reference as far as storage can without parsing
    the references it holds: the data length equals the reference's size and the SHA-256 of
    the data equals the reference's hash. Its outgoing references are the first degree * 40
    bytes.

    @par Security A SHA-256 match makes substituted or torn data detectable; it does not
    authenticate who stored the object (storage is trusted with availability only). */
struct Sha256V1Verifier {
    [[nodiscard]] static result<void> check_key(const Key& k) { return detail::sha256_v1::check_key(k); }

    [[nodiscard]] static result<void> verify(const Key& k, ByteView data) {
        return detail::sha256_v1::verify(k, data);
    }

    [[nodiscard]] static result<std::vector<Key>> children(const Key& k, ByteView data) {
        std::vector<Key> out;
        out.reserve(detail::sha256_v1::degree_of(k) <= data.size() / 40 ? detail::sha256_v1::degree_of(k) : 0);
        auto r = detail::sha256_v1::for_each_child(k, data, [&](const Key& c) { out.push_back(c); });
        if (!r) return r.error();
        return out;
    }
};

static_assert(ObjectVerifier<Sha256V1Verifier>);

} // namespace sealpipe::storage

#endif // SEALPIPE_STORAGE_VERIFIER_HPP
