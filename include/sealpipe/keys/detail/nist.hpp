// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// ECDH on the NIST prime curves P-256, P-384 and P-521 (SEC 1 §3.3.1), with strict public-key
// validation (SEC 1 §3.2.2.1), on two paths that give the same bytes: Crypto++'s
// DL_GroupParameters_EC<ECP> everywhere, and OpenSSL's libcrypto (nist_openssl.hpp) where the
// sealpipe::x509 component links it.

#ifndef SEALPIPE_KEYS_DETAIL_NIST_HPP
#define SEALPIPE_KEYS_DETAIL_NIST_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/detail/cryptopp.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/error.hpp>

#include <cryptopp/eccrypto.h>
#include <cryptopp/ecp.h>
#include <cryptopp/oids.h>
#include <cryptopp/osrng.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>

namespace sealpipe::keys::detail {

/// The group parameters of a curve, built once per thread: Crypto++'s ECP keeps scratch
/// points in `mutable` members, so one object must not be used by two threads at once.
template <int Bits>
const CryptoPP::DL_GroupParameters_EC<CryptoPP::ECP>& nist_group() {
    static thread_local const CryptoPP::DL_GroupParameters_EC<CryptoPP::ECP> g = [] {
        if constexpr (Bits == 256) return CryptoPP::DL_GroupParameters_EC<CryptoPP::ECP>(CryptoPP::ASN1::secp256r1());
        else if constexpr (Bits == 384) return CryptoPP::DL_GroupParameters_EC<CryptoPP::ECP>(CryptoPP::ASN1::secp384r1());
        else return CryptoPP::DL_GroupParameters_EC<CryptoPP::ECP>(CryptoPP::ASN1::secp521r1());
    }();
    return g;
}

/// Bytes of a field element / scalar: 32, 48, 66.
constexpr std::size_t nist_bytes(int bits) noexcept { return (static_cast<std::size_t>(bits) + 7) / 8; }

/// Wipes a Crypto++ Integer's limbs when it goes out of scope (private scalars).
struct IntegerWiper {
    CryptoPP::Integer& v;
    ~IntegerWiper() { v = CryptoPP::Integer::Zero(); }
};

/// Reads a private scalar: exactly n bytes, big-endian, within [1, order - 1].
template <int Bits>
[[nodiscard]] result<CryptoPP::Integer> nist_scalar(ByteView priv) {
    constexpr std::size_t n = nist_bytes(Bits);
    if (priv.size() != n) return length_error("private key", n, priv.size());
    CryptoPP::Integer d(priv.data(), priv.size());
    const auto& g = nist_group<Bits>();
    if (d.IsZero() || d >= g.GetSubgroupOrder()) {
        d = CryptoPP::Integer::Zero();
        return fail(errc::invalid_key, "private key: scalar is zero or not below the group order");
    }
    return d;
}

/// Encodes a point as 04 || X || Y.
template <int Bits>
void nist_encode_point(const CryptoPP::ECP::Point& p, Byte* out) {
    constexpr std::size_t n = nist_bytes(Bits);
    out[0] = 0x04;
    p.x.Encode(out + 1, n);
    p.y.Encode(out + 1 + n, n);
}

/// The form of a public key: uncompressed (as Go's crypto/ecdh), of the curve's length.
template <int Bits>
[[nodiscard]] result<void> nist_check_point_form(ByteView pub) {
    constexpr std::size_t n = nist_bytes(Bits);
    if (pub.size() == 1 && pub[0] == 0x00) return fail(errc::invalid_key, "public key: the point at infinity");
    if (!pub.empty() && (pub[0] == 0x02 || pub[0] == 0x03))
        return fail(errc::unsupported, "public key: compressed points are not supported");
    if (pub.empty() || pub[0] != 0x04) return fail(errc::invalid_key, "public key: not an uncompressed point");
    if (pub.size() != 1 + 2 * n) return length_error("public key", 1 + 2 * n, pub.size());
    return {};
}

/** Decodes and validates a public key: uncompressed form only (as Go's crypto/ecdh),
    coordinates below p, on the curve; the point at infinity is refused. The curves have
    cofactor 1, so a point on the curve is in the prime-order group. */
template <int Bits>
[[nodiscard]] result<CryptoPP::ECP::Point> nist_decode_point(ByteView pub) {
    constexpr std::size_t n = nist_bytes(Bits);
    if (auto f = nist_check_point_form<Bits>(pub); !f) return f.error();
    const auto& g = nist_group<Bits>();
    CryptoPP::ECP::Point p(CryptoPP::Integer(pub.data() + 1, n), CryptoPP::Integer(pub.data() + 1 + n, n));
    const CryptoPP::Integer& prime = g.GetCurve().GetField().GetModulus();
    if (p.x >= prime || p.y >= prime) return fail(errc::invalid_key, "public key: coordinate not below p");
    if (!g.GetCurve().VerifyPoint(p)) return fail(errc::invalid_key, "public key: point is not on the curve");
    return p;
}

/** The code paths of the NIST curves. Both give the same bytes (and the same errors) for
    every input; sealpipe takes OpenSSL's where it is linked (doc/keys.md, "NIST curve paths"). */
enum class NistPath {
    cryptopp,   ///< Crypto++'s ECP (portable C++), in every build
    openssl,    ///< OpenSSL's libcrypto, in programs built with the sealpipe::x509 component
};

/// Every path, slowest first.
inline constexpr std::array<NistPath, 2> all_nist_paths{NistPath::cryptopp, NistPath::openssl};

[[nodiscard]] constexpr std::string_view to_string(NistPath p) noexcept {
    switch (p) {
    case NistPath::cryptopp: return "cryptopp";
    case NistPath::openssl: return "openssl";
    }
    return "unknown";
}

/// Agreement and public key of one curve on a path other than Crypto++'s.
struct NistOps {
    result<void> (*agree)(ByteView priv, ByteView pub, MutableByteView out);
    result<void> (*public_key)(ByteView priv, MutableByteView out);
};
struct NistBackend {
    NistOps p256, p384, p521;
};

/// The OpenSSL path, installed at start-up by nist_openssl.hpp; null where it is not linked.
inline std::atomic<const NistBackend*> nist_openssl_backend{nullptr};

/// True when this program can run `p`; `cryptopp` always.
[[nodiscard]] inline bool is_supported(NistPath p) noexcept {
    return p == NistPath::cryptopp || nist_openssl_backend.load(std::memory_order_acquire) != nullptr;
}

/// A forced path (its enum value) or -1. Set only through ScopedNistPath (tests, benchmarks).
inline std::atomic<int> forced_nist_path{-1};

/// The path the NIST curves run on now: the forced one, else OpenSSL's where it is linked.
[[nodiscard]] inline NistPath active_nist_path() noexcept {
    const int f = forced_nist_path.load(std::memory_order_relaxed);
    if (f >= 0) return static_cast<NistPath>(f);
    return is_supported(NistPath::openssl) ? NistPath::openssl : NistPath::cryptopp;
}

/** Forces the NIST curves of the whole process onto `p` (which must be supported) for the
    lifetime of the object, so that tests can run the same vectors on every path. Not for
    concurrent use with other forcing. */
class ScopedNistPath {
public:
    explicit ScopedNistPath(NistPath p) noexcept
        : previous_(forced_nist_path.exchange(static_cast<int>(p), std::memory_order_relaxed)) {}
    ~ScopedNistPath() { forced_nist_path.store(previous_, std::memory_order_relaxed); }
    ScopedNistPath(const ScopedNistPath&) = delete;
    ScopedNistPath& operator=(const ScopedNistPath&) = delete;

private:
    int previous_;
};

/// The operations of curve `Bits` on the active path, or null for Crypto++'s.
template <int Bits>
[[nodiscard]] inline const NistOps* nist_fast_ops() noexcept {
    if (active_nist_path() != NistPath::openssl) return nullptr;
    const NistBackend* b = nist_openssl_backend.load(std::memory_order_acquire);
    if (!b) return nullptr;
    return Bits == 256 ? &b->p256 : Bits == 384 ? &b->p384 : &b->p521;
}

/// Public key of a private scalar (d * G), uncompressed.
template <int Bits>
[[nodiscard]] result<void> nist_public(ByteView priv, MutableByteView out) {
    if (const NistOps* fast = nist_fast_ops<Bits>()) return fast->public_key(priv, out);
    try {
        auto d = nist_scalar<Bits>(priv);
        if (!d) return d.error();
        IntegerWiper w{*d};
        const auto& g = nist_group<Bits>();
        nist_encode_point<Bits>(g.ExponentiateBase(*d), out.data());
        return {};
    } catch (const CryptoPP::Exception& e) {
        return sealpipe::detail::from_cryptopp(e);
    }
}

/// A fresh private scalar, uniform in [1, order - 1], from the operating system's CSPRNG.
template <int Bits>
[[nodiscard]] result<void> nist_generate(MutableByteView out) {
    try {
        CryptoPP::NonblockingRng rng;
        const auto& g = nist_group<Bits>();
        CryptoPP::Integer d(rng, CryptoPP::Integer::One(), g.GetSubgroupOrder() - 1);
        IntegerWiper w{d};
        d.Encode(out.data(), out.size());
        return {};
    } catch (const CryptoPP::Exception& e) {
        return sealpipe::detail::from_cryptopp(e);
    }
}

/// ECDH: the x-coordinate of d * Q (SEC 1 §3.3.1), n bytes.
template <int Bits>
[[nodiscard]] result<void> nist_agree(ByteView priv, ByteView pub, MutableByteView out) {
    if (const NistOps* fast = nist_fast_ops<Bits>()) return fast->agree(priv, pub, out);
    try {
        auto d = nist_scalar<Bits>(priv);
        if (!d) return d.error();
        IntegerWiper w{*d};
        auto q = nist_decode_point<Bits>(pub);
        if (!q) return q.error();
        const auto& g = nist_group<Bits>();
        CryptoPP::ECP::Point s = g.GetCurve().ScalarMultiply(*q, *d);
        if (s.identity) return fail(errc::invalid_key, "ECDH: the shared point is the point at infinity");
        s.x.Encode(out.data(), nist_bytes(Bits));
        s.x = CryptoPP::Integer::Zero();
        s.y = CryptoPP::Integer::Zero();
        return {};
    } catch (const CryptoPP::Exception& e) {
        return sealpipe::detail::from_cryptopp(e);
    }
}

} // namespace sealpipe::keys::detail

// The sealpipe::x509 component links OpenSSL's libcrypto and defines this.
#if defined(SEALPIPE_KEYS_NIST_OPENSSL) && SEALPIPE_KEYS_NIST_OPENSSL
#include <sealpipe/keys/detail/nist_openssl.hpp>
#endif

#endif // SEALPIPE_KEYS_DETAIL_NIST_HPP
