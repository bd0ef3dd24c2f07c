// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Ed25519 signatures (RFC 8032, pure Ed25519): `sign`, `verify`, and libsodium's stricter
// `verify_strict` (no public key or R of small order).

#ifndef SEALPIPE_KEYS_ED25519_HPP
#define SEALPIPE_KEYS_ED25519_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/keys/curves.hpp>
#include <sealpipe/keys/detail/curve25519.hpp>
#include <sealpipe/keys/key.hpp>

#include <string>

namespace sealpipe::keys {

/// A 64-byte Ed25519 signature R ‖ S.
using Ed25519Signature = FixedBytes<64, struct Ed25519SignatureRole>;

/** Signs `msg` (RFC 8032 §5.1.6). Deterministic: the same key and message give the same
    signature. */
[[nodiscard]] inline Ed25519Signature sign(const PrivateKey<Ed25519>& key, ByteView msg) {
    Ed25519Signature sig;
    detail::ed25519_sign(msg, key.raw(hazmat::secret_access()).data(), key.public_key().raw().data(), sig.data());
    return sig;
}

/** Verifies a signature (RFC 8032 §5.1.7, cofactorless equation, S < L required).
    @par Errors `errc::invalid_length` for a signature that is not 64 bytes,
    `errc::signature_invalid` when it does not verify. */
[[nodiscard]] inline result<void> verify(const PublicKey<Ed25519>& key, ByteView msg, ByteView sig) {
    if (sig.size() != Ed25519Signature::size_bytes)
        return length_error("Ed25519 signature", Ed25519Signature::size_bytes, sig.size());
    if (!detail::ed25519_verify(msg, key.raw().data(), sig.data()))
        return fail(errc::signature_invalid, "Ed25519 signature does not verify");
    return {};
}

/** Whether a public key is a point of small order (the identity and the seven other points
    of the torsion subgroup). Such a key is valid for RFC 8032, but it binds nobody: under it,
    the signature R = identity, S = 0 verifies every message. */
[[nodiscard]] inline bool has_small_order(const PublicKey<Ed25519>& key) noexcept {
    return detail::ed25519_has_small_order(key.raw().data());
}

/** Verifies a signature as libsodium's `crypto_sign_verify_detached` does: `verify`'s checks
    (canonical key encoding, S < L, the cofactorless equation), and also refuses a public key
    or an R of small order (`has_small_order`). Use it where a key was chosen by someone else
    and must bind its holder, as a published JWK must.
    @par Errors as `verify`; `errc::signature_invalid` for a small-order key or R. */
[[nodiscard]] inline result<void> verify_strict(const PublicKey<Ed25519>& key, ByteView msg, ByteView sig) {
    if (sig.size() != Ed25519Signature::size_bytes)
        return length_error("Ed25519 signature", Ed25519Signature::size_bytes, sig.size());
    if (has_small_order(key))
        return fail(errc::signature_invalid, "Ed25519 public key of small order: it verifies forged signatures");
    if (detail::ed25519_has_small_order(sig.data()))
        return fail(errc::signature_invalid, "Ed25519 signature with an R of small order");
    return verify(key, msg, sig);
}

} // namespace sealpipe::keys

#endif // SEALPIPE_KEYS_ED25519_HPP
