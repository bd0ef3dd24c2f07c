// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Raw AES-GCM-SIV on caller-supplied key bytes and a caller-chosen nonce, with the key size
// picked at run time (the CLI's `aead seal` / `aead open`). Grep for `hazmat::` in review.

#ifndef SEALPIPE_HAZMAT_AEAD_HPP
#define SEALPIPE_HAZMAT_AEAD_HPP

#include <sealpipe/aead/aes_gcm_siv.hpp>
#include <sealpipe/aead/implementation.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>

#include <algorithm>
#include <string>
#include <type_traits>
#include <utility>

namespace sealpipe::hazmat {

namespace detail {

inline Error aes_gcm_siv_key_error(std::size_t got) {
    return Error(errc::invalid_length,
                 "aead key: expected 16 or 32 bytes, got " + std::to_string(got));
}

template <std::size_t KeyBits, class F>
auto with_aes_gcm_siv(ByteView key, ByteView nonce, aead::Implementation impl, F&& f)
    -> decltype(f(std::declval<typename aead::AesGcmSiv<KeyBits>::Context&>(),
                  std::declval<const typename aead::AesGcmSiv<KeyBits>::Nonce&>())) {
    using A = aead::AesGcmSiv<KeyBits>;
    auto k = A::Key::from(key, "aead key");
    if (!k) return k.error();
    auto n = A::Nonce::from(nonce, "aead nonce");
    if (!n) return n.error();
    auto ctx = A::Context::with_implementation(*k, impl);
    if (!ctx) return ctx.error();
    return f(*ctx, *n);
}

} // namespace detail

/** AES-GCM-SIV seal with raw key bytes (16 or 32) and a caller-chosen 12-byte nonce; returns
    ciphertext || tag.
    @par Errors `errc::invalid_length` for a key or nonce of the wrong size;
    `errc::size_limit_exceeded` beyond RFC 8452's limits; `errc::unsupported` if `impl` is
    not available on this CPU.
    @par Security The caller owns nonce uniqueness. A repeated nonce with AES-GCM-SIV reveals
    whether two messages (with their associated data) are identical, nothing more. Prefer
    `aead::AesGcmSiv<N>::Context` with a `FixedSecret` key in library code. */
[[nodiscard]] inline result<Bytes> aes_gcm_siv_seal(ByteView key, ByteView nonce, ByteView plaintext,
                                                    ByteView aad = {},
                                                    aead::Implementation impl = aead::default_implementation()) {
    auto run = [&](auto& ctx, const auto& n) { return ctx.seal(n, plaintext, aad); };
    if (key.size() == 16) return detail::with_aes_gcm_siv<128>(key, nonce, impl, run);
    if (key.size() == 32) return detail::with_aes_gcm_siv<256>(key, nonce, impl, run);
    return detail::aes_gcm_siv_key_error(key.size());
}

/** The inverse of `aes_gcm_siv_seal`: verifies and decrypts ciphertext || tag.
    @par Errors `errc::authentication_failed` when the tag does not verify (no plaintext is
    returned); `errc::malformed_input` for input shorter than the tag; the errors of
    `aes_gcm_siv_seal`.
    @par Security The tag is compared in constant time. */
[[nodiscard]] inline result<Bytes> aes_gcm_siv_open(ByteView key, ByteView nonce, ByteView sealed,
                                                    ByteView aad = {},
                                                    aead::Implementation impl = aead::default_implementation()) {
    auto run = [&](auto& ctx, const auto& n) { return ctx.open(n, sealed, aad); };
    if (key.size() == 16) return detail::with_aes_gcm_siv<128>(key, nonce, impl, run);
    if (key.size() == 32) return detail::with_aes_gcm_siv<256>(key, nonce, impl, run);
    return detail::aes_gcm_siv_key_error(key.size());
}

/** `aes_gcm_siv_seal` in place: `data` holds the plaintext followed by 16 bytes of room for
    the tag, and holds ciphertext || tag on return (nothing is allocated or copied).
    @par Errors `errc::invalid_length` when `data` is shorter than 16 bytes; the errors of
    `aes_gcm_siv_seal`.
    @par Security as for `aes_gcm_siv_seal`. */
[[nodiscard]] inline result<void> aes_gcm_siv_seal_in_place(ByteView key, ByteView nonce, MutableByteView data,
                                                            ByteView aad = {},
                                                            aead::Implementation impl = aead::default_implementation()) {
    auto run = [&](auto& ctx, const auto& nonce_) -> result<void> {
        if (data.size() < 16) return length_error("aead seal buffer (plaintext and room for the tag)", 16, data.size());
        const std::size_t n = data.size() - 16;
        auto tag = ctx.seal_in_place(nonce_, data.first(n), aad);
        if (!tag) return tag.error();
        std::copy(tag->begin(), tag->end(), data.begin() + static_cast<std::ptrdiff_t>(n));
        return {};
    };
    if (key.size() == 16) return detail::with_aes_gcm_siv<128>(key, nonce, impl, run);
    if (key.size() == 32) return detail::with_aes_gcm_siv<256>(key, nonce, impl, run);
    return detail::aes_gcm_siv_key_error(key.size());
}

/** `aes_gcm_siv_open` in place: `data` holds ciphertext || tag; on success its first
    `data.size() - 16` bytes hold the plaintext (returned; the tag bytes are left as they
    were). On `errc::authentication_failed` the whole of `data` is wiped.
    @par Errors as for `aes_gcm_siv_open`.
    @par Security The tag is compared in constant time; no unverified plaintext is left. */
[[nodiscard]] inline result<MutableByteView> aes_gcm_siv_open_in_place(
    ByteView key, ByteView nonce, MutableByteView data, ByteView aad = {},
    aead::Implementation impl = aead::default_implementation()) {
    auto run = [&](auto& ctx, const auto& nonce_) -> result<MutableByteView> {
        if (data.size() < 16)
            return fail(errc::malformed_input,
                        "aead open: expected at least 16 bytes (the tag), got " + std::to_string(data.size()));
        const std::size_t n = data.size() - 16;
        using Tag = typename std::decay_t<decltype(ctx)>::Tag;
        Tag tag;
        std::copy(data.begin() + static_cast<std::ptrdiff_t>(n), data.end(), tag.begin());
        if (auto r = ctx.open_in_place(nonce_, data.first(n), tag, aad); !r) {
            wipe(data);
            return r.error();
        }
        return data.first(n);
    };
    if (key.size() == 16) return detail::with_aes_gcm_siv<128>(key, nonce, impl, run);
    if (key.size() == 32) return detail::with_aes_gcm_siv<256>(key, nonce, impl, run);
    return detail::aes_gcm_siv_key_error(key.size());
}

} // namespace sealpipe::hazmat

#endif // SEALPIPE_HAZMAT_AEAD_HPP
