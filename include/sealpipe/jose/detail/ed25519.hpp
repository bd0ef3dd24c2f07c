// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The jose area's adapter over Crypto++'s Ed25519 (RFC 8032): key derivation, signing and
// verification on raw bytes, with Crypto++ exceptions translated.

#ifndef SEALPIPE_JOSE_DETAIL_ED25519_HPP
#define SEALPIPE_JOSE_DETAIL_ED25519_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/keys/detail/curve25519.hpp>

#include <array>
#include <cstddef>

namespace sealpipe::jose::detail {

// The JWK and JWS code works on raw key bytes as they appear in JSON; the arithmetic is the
// keys area's (keys/detail/curve25519.hpp), shared with keys/ed25519.hpp.

inline constexpr std::size_t ed25519_seed_bytes = 32;
inline constexpr std::size_t ed25519_public_bytes = 32;
inline constexpr std::size_t ed25519_signature_bytes = 64;

[[nodiscard]] inline result<std::array<Byte, ed25519_public_bytes>> ed25519_public_from_seed(ByteView seed) {
    if (seed.size() != ed25519_seed_bytes) return length_error("Ed25519 private key", ed25519_seed_bytes, seed.size());
    std::array<Byte, ed25519_public_bytes> out{};
    keys::detail::ed25519_public(seed.data(), out.data());
    return out;
}

[[nodiscard]] inline result<std::array<Byte, ed25519_signature_bytes>> ed25519_sign(ByteView seed, ByteView public_key,
                                                                                    ByteView message) {
    if (seed.size() != ed25519_seed_bytes) return length_error("Ed25519 private key", ed25519_seed_bytes, seed.size());
    if (public_key.size() != ed25519_public_bytes)
        return length_error("Ed25519 public key", ed25519_public_bytes, public_key.size());
    std::array<Byte, ed25519_signature_bytes> sig{};
    keys::detail::ed25519_sign(message, seed.data(), public_key.data(), sig.data());
    return sig;
}

/** Verifies an Ed25519 signature (RFC 8032 §5.1.7). False for a key or signature of the
    wrong length or a non-canonical S (S >= L). */
[[nodiscard]] inline bool ed25519_verify(ByteView public_key, ByteView message, ByteView signature) {
    if (public_key.size() != ed25519_public_bytes || signature.size() != ed25519_signature_bytes) return false;
    return keys::detail::ed25519_verify(message, public_key.data(), signature.data());
}

} // namespace sealpipe::jose::detail

#endif // SEALPIPE_JOSE_DETAIL_ED25519_HPP
