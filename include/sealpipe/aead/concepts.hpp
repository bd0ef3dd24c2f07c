// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The `Aead` concept shared by every authenticated cipher policy, its strong byte types,
// and the nonce-misuse-resistance trait that deterministic modes check at compile time.

#ifndef SEALPIPE_AEAD_CONCEPTS_HPP
#define SEALPIPE_AEAD_CONCEPTS_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>

#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace sealpipe::aead {

struct NonceRole;
struct TagRole;

/// An AEAD nonce of N bytes; a different type from a tag of the same length.
template <std::size_t N>
using NonceBytes = FixedBytes<N, NonceRole>;
/// An AEAD authentication tag of N bytes.
template <std::size_t N>
using TagBytes = FixedBytes<N, TagRole>;

namespace detail {

/// `sealed` = ciphertext ‖ tag, split. @par Errors `errc::malformed_input` when shorter than the tag.
template <std::size_t N>
result<std::pair<ByteView, TagBytes<N>>> split_tag(ByteView sealed) {
    if (sealed.size() < N)
        return fail(errc::malformed_input, "aead open: expected at least " + std::to_string(N) +
                                                " bytes (the tag), got " + std::to_string(sealed.size()));
    const std::size_t n = sealed.size() - N;
    auto tag = TagBytes<N>::from(sealed.subspan(n), "aead tag");
    if (!tag) return tag.error();
    return std::pair<ByteView, TagBytes<N>>(sealed.first(n), *tag);
}

/// Part of `Aead`: the sizes and the name, as constants on the policy.
template <class A>
concept HasAeadConstants = requires {
    { A::key_bytes } -> std::convertible_to<std::size_t>;
    { A::nonce_bytes } -> std::convertible_to<std::size_t>;
    { A::tag_bytes } -> std::convertible_to<std::size_t>;
    { A::name } -> std::convertible_to<std::string_view>;
};

/// Part of `Aead`: the policy states whether it resists nonce misuse.
template <class A>
concept HasNonceMisuseTrait = requires {
    { A::nonce_misuse_resistant } -> std::convertible_to<bool>;
};

/// Part of `Aead`: a keyed context with attached and detached seal and open.
template <class A>
concept HasKeyedContext =
    std::constructible_from<typename A::Context, const typename A::Key&> &&
    requires(typename A::Context& c, const typename A::Nonce& n, const typename A::Tag& t, ByteView v,
             MutableByteView m) {
        { c.seal(n, v, v, m) } -> std::same_as<result<void>>;
        { c.open(n, v, v, m) } -> std::same_as<result<void>>;
        { c.seal_detached(n, v, v, m) } -> std::same_as<result<typename A::Tag>>;
        { c.open_detached(n, v, t, v, m) } -> std::same_as<result<void>>;
    };

} // namespace detail

/** An AEAD policy: `key_bytes`, `nonce_bytes`, `tag_bytes`, `name`, the trait
    `nonce_misuse_resistant`, the types `Key`, `Nonce`, `Tag` and a keyed `Context` with
    `seal`, `open`, `seal_detached` and `open_detached` (doc/concepts/aead.md lists the expressions). */
template <class A>
concept Aead = detail::HasAeadConstants<A> && detail::HasNonceMisuseTrait<A> && detail::HasKeyedContext<A>;

/** True when `A` stays secure if a nonce repeats: a repeated nonce then reveals only whether
    two (plaintext, associated data) pairs are identical. False for anything else, including
    types that do not state it. Deterministic modes (the all-zero nonce) require it. */
template <class A>
inline constexpr bool is_nonce_misuse_resistant_v = [] {
    if constexpr (detail::HasNonceMisuseTrait<A>) return static_cast<bool>(A::nonce_misuse_resistant);
    else return false;
}();

/// An AEAD that may be used with a fixed or repeated nonce (deterministic encryption).
template <class A>
concept NonceMisuseResistantAead = Aead<A> && is_nonce_misuse_resistant_v<A>;

} // namespace sealpipe::aead

#endif // SEALPIPE_AEAD_CONCEPTS_HPP
