// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The `KeyType` and `AgreementCurve` concepts that the key policies of curves.hpp model.

#ifndef SEALPIPE_KEYS_CONCEPTS_HPP
#define SEALPIPE_KEYS_CONCEPTS_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/keys/detail/der.hpp>

#include <concepts>
#include <cstddef>
#include <string_view>

namespace sealpipe::keys {

/** A key type policy (doc/concepts/key_type.md).

    | expression | meaning |
    | --- | --- |
    | `K::name` | human name, "X25519", "P-256" |
    | `K::private_bytes`, `K::public_bytes` | raw sizes (EC: scalar; 04‖X‖Y point) |
    | `K::kind` | the algorithm identifier it reads and writes in PKCS#8 and SPKI |
    | `K::generate(out)` | a fresh private key → `result<void>` |
    | `K::public_from_private(priv, out)` | → `result<void>` |
    | `K::check_private(priv)`, `K::check_public(pub)` | validation → `result<void>` |
    | `typename K::agreement_curve` | the curve its ECDH runs on (Ed25519 → X25519) |
*/
namespace detail {
/// Part of `KeyType`: the constants and the agreement curve.
template <class K>
concept HasKeyConstants = requires {
    { K::name } -> std::convertible_to<std::string_view>;
    { K::private_bytes } -> std::convertible_to<std::size_t>;
    { K::public_bytes } -> std::convertible_to<std::size_t>;
    { K::kind } -> std::convertible_to<detail::KeyKind>;
    typename K::agreement_curve;
};
/// Part of `KeyType`: generation, derivation and validation of raw keys.
template <class K>
concept HasKeyOperations = requires(MutableByteView out, ByteView in) {
    { K::generate(out) } -> std::same_as<result<void>>;
    { K::public_from_private(in, out) } -> std::same_as<result<void>>;
    { K::check_private(in) } -> std::same_as<result<void>>;
    { K::check_public(in) } -> std::same_as<result<void>>;
};
template <class...>
inline constexpr bool always_false_v = false;
} // namespace detail

template <class K>
concept KeyType = detail::HasKeyConstants<K> && detail::HasKeyOperations<K>;

/** Asserts the first part of `KeyType` that `K` lacks (one diagnostic per mistake); true
    when `K` is a `KeyType`. */
template <class K>
constexpr bool check_key_type() {
    if constexpr (KeyType<K>) {
        return true;
    } else if constexpr (!detail::HasKeyConstants<K>) {
        static_assert(detail::always_false_v<K>,
                      "sealpipe: a KeyType needs the constants name, private_bytes, public_bytes, kind and the type "
                      "agreement_curve (doc/concepts/key_type.md)");
        return false;
    } else {
        static_assert(detail::always_false_v<K>,
                      "sealpipe: a KeyType needs static generate(out), public_from_private(priv, out), "
                      "check_private(priv) and check_public(pub), each returning result<void> (doc/concepts/key_type.md)");
        return false;
    }
}

/** A key type on which ECDH runs directly: `K::agree(priv, pub, out)` writes
    `K::shared_secret_bytes` bytes, or fails with `errc::invalid_key`. */
template <class K>
concept AgreementCurve = KeyType<K> && std::same_as<typename K::agreement_curve, K> &&
                         requires(ByteView priv, ByteView pub, MutableByteView out) {
                             { K::shared_secret_bytes } -> std::convertible_to<std::size_t>;
                             { K::agree(priv, pub, out) } -> std::same_as<result<void>>;
                         };

} // namespace sealpipe::keys

#endif // SEALPIPE_KEYS_CONCEPTS_HPP
