// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Proof of possession of a platform key (doc/protocol.md, "Proof of possession"): `verification_zeros` and
// its constant-time check.

#ifndef SEALPIPE_KEYS_PROOF_HPP
#define SEALPIPE_KEYS_PROOF_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/constant_time.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/keys/detail/aes_block.hpp>
#include <sealpipe/keys/ecdh.hpp>

#include <array>
#include <string>
#include <variant>

namespace sealpipe::keys {

/// The 16-byte proof a worker returns: AES-ECB(raw shared secret, 16 zero bytes).
using VerificationZeros = FixedBytes<16, struct VerificationZerosRole>;

/// True for secret sizes that are AES keys.
template <std::size_t N>
inline constexpr bool is_aes_key_size = N == 16 || N == 24 || N == 32;

/** AES-ECB encryption of 16 zero bytes under the raw shared secret as AES key (AES-256 for
    X25519 and P-256). P-384/P-521 secrets are no AES key: that does not compile. */
template <class C>
[[nodiscard]] VerificationZeros verification_zeros(const SharedSecret<C>& secret) {
    static_assert(is_aes_key_size<SharedSecret<C>::size_bytes>,
                  "sealpipe: verification_zeros(secret) needs a 16-, 24- or 32-byte secret (an AES key); "
                  "P-384 and P-521 secrets are not");
    static constexpr std::array<Byte, 16> zeros{};
    VerificationZeros out;
    // A valid key size cannot fail.
    (void)detail::aes_encrypt_block(secret.reveal(hazmat::secret_access()), zeros.data(), out.data());
    return out;
}

/** verification_zeros of a secret whose curve is known at run time.
    @par Errors `errc::unsupported` for a 48- or 66-byte secret. */
[[nodiscard]] inline result<VerificationZeros> verification_zeros(const AnySharedSecret& secret) {
    return std::visit(
        [](const auto& s) -> result<VerificationZeros> {
            constexpr std::size_t n = std::decay_t<decltype(s)>::size_bytes;
            if constexpr (is_aes_key_size<n>) return verification_zeros(s);
            else
                return fail(errc::unsupported, "verification zeros: the shared secret is " + std::to_string(n) +
                                                    " bytes; an AES key is 16, 24 or 32 bytes");
        },
        secret);
}

/** Checks a claimed proof against the one computed from our side of the agreement.
    @par Errors `errc::proof_failed` when it differs, `errc::invalid_length` when it is not
    16 bytes. @par Security compared in constant time. */
template <class C>
[[nodiscard]] result<void> check_verification_zeros(const SharedSecret<C>& secret, ByteView claimed) {
    if (claimed.size() != VerificationZeros::size_bytes)
        return length_error("verification zeros", VerificationZeros::size_bytes, claimed.size());
    const VerificationZeros expected = verification_zeros(secret);
    if (!constant_time_equal(expected, claimed))
        return fail(errc::proof_failed, "verification zeros do not match: the peer does not hold the key");
    return {};
}

} // namespace sealpipe::keys

#endif // SEALPIPE_KEYS_PROOF_HPP
