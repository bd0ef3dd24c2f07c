// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The jose area's adapter over Crypto++'s Ed25519 (RFC 8032): key derivation, signing and
// verification on raw bytes, with Crypto++ exceptions translated.

#ifndef SEALPIPE_JOSE_DETAIL_ED25519_HPP
#define SEALPIPE_JOSE_DETAIL_ED25519_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/detail/cryptopp.hpp>

#include <cryptopp/xed25519.h>

#include <array>
#include <cstddef>

namespace sealpipe::jose::detail {

inline constexpr std::size_t ed25519_seed_bytes = 32;
inline constexpr std::size_t ed25519_public_bytes = 32;
inline constexpr std::size_t ed25519_signature_bytes = 64;

/// The public key of a 32-byte seed (RFC 8032 §5.1.5).
[[nodiscard]] inline result<std::array<Byte, ed25519_public_bytes>> ed25519_public_from_seed(ByteView seed) {
    if (seed.size() != ed25519_seed_bytes) return length_error("Ed25519 private key", ed25519_seed_bytes, seed.size());
    try {
        const CryptoPP::ed25519Signer signer(seed.data());
        const auto& key = static_cast<const CryptoPP::ed25519PrivateKey&>(signer.GetPrivateKey());
        std::array<Byte, ed25519_public_bytes> out{};
        std::copy_n(key.GetPublicKeyBytePtr(), ed25519_public_bytes, out.begin());
        return out;
    } catch (const CryptoPP::Exception& e) {
        return sealpipe::detail::from_cryptopp(e);
    }
}

/// Signs `message` (RFC 8032 §5.1.6). `public_key` must be the seed's public key.
[[nodiscard]] inline result<std::array<Byte, ed25519_signature_bytes>> ed25519_sign(ByteView seed, ByteView public_key,
                                                                                    ByteView message) {
    if (seed.size() != ed25519_seed_bytes) return length_error("Ed25519 private key", ed25519_seed_bytes, seed.size());
    if (public_key.size() != ed25519_public_bytes)
        return length_error("Ed25519 public key", ed25519_public_bytes, public_key.size());
    try {
        const CryptoPP::ed25519Signer signer(public_key.data(), seed.data());
        std::array<Byte, ed25519_signature_bytes> sig{};
        // Ed25519 signing is deterministic: the generator is never used.
        signer.SignMessage(CryptoPP::NullRNG(), message.data(), message.size(), sig.data());
        return sig;
    } catch (const CryptoPP::Exception& e) {
        return sealpipe::detail::from_cryptopp(e);
    }
}

/** Verifies an Ed25519 signature (RFC 8032 §5.1.7). False for a signature of the wrong
    length or a non-canonical S (S >= L). */
[[nodiscard]] inline bool ed25519_verify(ByteView public_key, ByteView message, ByteView signature) {
    if (public_key.size() != ed25519_public_bytes || signature.size() != ed25519_signature_bytes) return false;
    // S must be below the group order L = 2^252 + 27742317777372353535851937790883648493.
    static constexpr std::array<Byte, 32> order = {
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};
    const Byte* s = signature.data() + 32;
    bool below = false;
    for (std::size_t i = 32; i-- > 0;) {
        if (s[i] < order[i]) { below = true; break; }
        if (s[i] > order[i]) return false;
    }
    if (!below) return false;
    try {
        const CryptoPP::ed25519Verifier verifier(public_key.data());
        return verifier.VerifyMessage(message.data(), message.size(), signature.data(), signature.size());
    } catch (const CryptoPP::Exception&) {
        return false;
    }
}

} // namespace sealpipe::jose::detail

#endif // SEALPIPE_JOSE_DETAIL_ED25519_HPP
