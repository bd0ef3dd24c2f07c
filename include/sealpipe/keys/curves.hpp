// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The key type policies: `X25519`, `Ed25519`, `P256`, `P384` and `P521`.

#ifndef SEALPIPE_KEYS_CURVES_HPP
#define SEALPIPE_KEYS_CURVES_HPP

#include <sealpipe/core/random.hpp>
#include <sealpipe/keys/concepts.hpp>
#include <sealpipe/keys/detail/curve25519.hpp>
#include <sealpipe/keys/detail/der.hpp>
#include <sealpipe/keys/detail/nist.hpp>

#include <cstddef>
#include <string_view>

namespace sealpipe::keys {

/** X25519 (RFC 7748): 32-byte scalar, 32-byte u-coordinate, 32-byte shared secret.
    @par Security An all-zero shared secret (a low-order peer key) is refused with
    `errc::invalid_key`, as Go's crypto/ecdh does. */
struct X25519 {
    static constexpr std::string_view name = "X25519";
    static constexpr std::string_view short_name = "x25519";
    static constexpr std::size_t private_bytes = 32;
    static constexpr std::size_t public_bytes = 32;
    static constexpr std::size_t shared_secret_bytes = 32;
    static constexpr detail::KeyKind kind = detail::KeyKind::x25519;
    using agreement_curve = X25519;

    [[nodiscard]] static result<void> generate(MutableByteView out) { return random_bytes(out.first(32)); }
    [[nodiscard]] static result<void> check_private(ByteView priv) {
        if (priv.size() != 32) return length_error("X25519 private key", 32, priv.size());
        return {};
    }
    /// Every 32-byte string is a u-coordinate (RFC 7748 §5); low order shows in agree().
    [[nodiscard]] static result<void> check_public(ByteView pub) {
        if (pub.size() != 32) return length_error("X25519 public key", 32, pub.size());
        return {};
    }
    [[nodiscard]] static result<void> public_from_private(ByteView priv, MutableByteView out) {
        if (auto c = check_private(priv); !c) return c;
        detail::x25519_base(priv.data(), out.data());
        return {};
    }
    [[nodiscard]] static result<void> agree(ByteView priv, ByteView pub, MutableByteView out) {
        if (auto c = check_private(priv); !c) return c;
        if (auto c = check_public(pub); !c) return c;
        if (!detail::x25519(priv.data(), pub.data(), out.data())) {
            wipe(out.first(32));
            return fail(errc::invalid_key, "X25519: the peer's public key is of low order (all-zero shared secret)");
        }
        return {};
    }
};

/** Ed25519 (RFC 8032): 32-byte seed, 32-byte encoded point. Its ECDH runs on X25519 after
    the conversion of doc/protocol.md, "Ed25519 keys in key agreement" (to_x25519 in key.hpp). */
struct Ed25519 {
    static constexpr std::string_view name = "Ed25519";
    static constexpr std::string_view short_name = "ed25519";
    static constexpr std::size_t private_bytes = 32;
    static constexpr std::size_t public_bytes = 32;
    static constexpr std::size_t signature_bytes = 64;
    static constexpr detail::KeyKind kind = detail::KeyKind::ed25519;
    using agreement_curve = X25519;

    [[nodiscard]] static result<void> generate(MutableByteView out) { return random_bytes(out.first(32)); }
    [[nodiscard]] static result<void> check_private(ByteView priv) {
        if (priv.size() != 32) return length_error("Ed25519 private key", 32, priv.size());
        return {};
    }
    /// The point must decode (canonical y, x recoverable; RFC 8032 §5.1.3).
    [[nodiscard]] static result<void> check_public(ByteView pub) {
        if (pub.size() != 32) return length_error("Ed25519 public key", 32, pub.size());
        return detail::ed25519_check_point(pub.data());
    }
    [[nodiscard]] static result<void> public_from_private(ByteView priv, MutableByteView out) {
        if (auto c = check_private(priv); !c) return c;
        detail::ed25519_public(priv.data(), out.data());
        return {};
    }
};

namespace detail {
/// The three NIST curves share everything but their size and identifier.
template <int Bits, KeyKind Kind, class Self>
struct NistCurve {
    static constexpr std::size_t private_bytes = nist_bytes(Bits);
    static constexpr std::size_t public_bytes = 1 + 2 * nist_bytes(Bits);
    static constexpr std::size_t shared_secret_bytes = nist_bytes(Bits);
    static constexpr KeyKind kind = Kind;
    using agreement_curve = Self;

    [[nodiscard]] static result<void> generate(MutableByteView out) { return nist_generate<Bits>(out); }
    [[nodiscard]] static result<void> check_private(ByteView priv) {
        try {
            auto d = nist_scalar<Bits>(priv);
            if (!d) return d.error();
            IntegerWiper w{*d};
            return {};
        } catch (const CryptoPP::Exception& e) {
            return sealpipe::detail::from_cryptopp(e);
        }
    }
    [[nodiscard]] static result<void> check_public(ByteView pub) {
        try {
            auto p = nist_decode_point<Bits>(pub);
            if (!p) return p.error();
            return {};
        } catch (const CryptoPP::Exception& e) {
            return sealpipe::detail::from_cryptopp(e);
        }
    }
    [[nodiscard]] static result<void> public_from_private(ByteView priv, MutableByteView out) {
        return nist_public<Bits>(priv, out);
    }
    [[nodiscard]] static result<void> agree(ByteView priv, ByteView pub, MutableByteView out) {
        return nist_agree<Bits>(priv, pub, out);
    }
};
} // namespace detail

/// NIST P-256 (secp256r1): 32-byte scalar, 65-byte uncompressed point, 32-byte secret.
struct P256 : detail::NistCurve<256, detail::KeyKind::p256, P256> {
    static constexpr std::string_view name = "P-256";
    static constexpr std::string_view short_name = "p256";
};
/// NIST P-384 (secp384r1): 48-byte scalar, 97-byte point, 48-byte secret.
struct P384 : detail::NistCurve<384, detail::KeyKind::p384, P384> {
    static constexpr std::string_view name = "P-384";
    static constexpr std::string_view short_name = "p384";
};
/// NIST P-521 (secp521r1): 66-byte scalar, 133-byte point, 66-byte secret.
struct P521 : detail::NistCurve<521, detail::KeyKind::p521, P521> {
    static constexpr std::string_view name = "P-521";
    static constexpr std::string_view short_name = "p521";
};

static_assert(AgreementCurve<X25519> && AgreementCurve<P256> && AgreementCurve<P384> && AgreementCurve<P521>);
static_assert(KeyType<Ed25519> && !AgreementCurve<Ed25519>);

} // namespace sealpipe::keys

#endif // SEALPIPE_KEYS_CURVES_HPP
