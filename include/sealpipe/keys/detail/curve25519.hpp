// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// X25519 (RFC 7748) on sealpipe's AVX-512 IFMA ladder when the CPU has it, else on
// Crypto++'s curve25519-donna; Ed25519 (RFC 8032) through Crypto++'s ed25519-donna; and the
// Edwards-to-Montgomery conversion of doc/protocol.md, "Keys and key agreement".

#ifndef SEALPIPE_KEYS_DETAIL_CURVE25519_HPP
#define SEALPIPE_KEYS_DETAIL_CURVE25519_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/detail/cryptopp.hpp>
#include <sealpipe/core/hash.hpp>
#include <sealpipe/core/random.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/keys/detail/x25519_ifma.hpp>

#include <cryptopp/donna.h>
#include <cryptopp/integer.h>
#include <cryptopp/nbtheory.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <string_view>

namespace sealpipe::keys::detail {

/** The code paths of X25519. Both give the same bytes for every input; sealpipe picks the
    fastest the CPU supports, once (doc/keys.md, "X25519 paths"). */
enum class X25519Path {
    donna,        ///< Crypto++'s curve25519-donna (radix 2^51, portable C++)
    avx512ifma,   ///< sealpipe's four-lane ladder on AVX-512 IFMA (x86-64, checked by CPUID)
};

/// Every path, slowest first.
inline constexpr std::array<X25519Path, 2> all_x25519_paths{X25519Path::donna, X25519Path::avx512ifma};

[[nodiscard]] constexpr std::string_view to_string(X25519Path p) noexcept {
    switch (p) {
    case X25519Path::donna: return "donna";
    case X25519Path::avx512ifma: return "avx512ifma";
    }
    return "unknown";
}

/// True when this CPU (and operating system) can run `p`; `donna` always.
[[nodiscard]] inline bool is_supported(X25519Path p) noexcept {
    switch (p) {
    case X25519Path::donna: return true;
    case X25519Path::avx512ifma:
#if SEALPIPE_KEYS_X25519_IFMA
        return x25519_ifma::has_ifma();
#else
        return false;
#endif
    }
    return false;
}

/// The path used unless one is forced: the fastest supported.
[[nodiscard]] inline X25519Path default_x25519_path() noexcept {
    return is_supported(X25519Path::avx512ifma) ? X25519Path::avx512ifma : X25519Path::donna;
}

/// A forced path (its enum value) or -1. Set only through ScopedX25519Path (tests, benchmarks).
inline std::atomic<int> forced_x25519_path{-1};

/// The path X25519 runs on now.
[[nodiscard]] inline X25519Path active_x25519_path() noexcept {
    const int f = forced_x25519_path.load(std::memory_order_relaxed);
    return f < 0 ? default_x25519_path() : static_cast<X25519Path>(f);
}

/** Forces every X25519 in the process onto `p` (which must be supported) for the lifetime
    of the object, so that tests can run the same vectors on every path. Not for
    concurrent use with other forcing. */
class ScopedX25519Path {
public:
    explicit ScopedX25519Path(X25519Path p) noexcept
        : previous_(forced_x25519_path.exchange(static_cast<int>(p), std::memory_order_relaxed)) {}
    ~ScopedX25519Path() { forced_x25519_path.store(previous_, std::memory_order_relaxed); }
    ScopedX25519Path(const ScopedX25519Path&) = delete;
    ScopedX25519Path& operator=(const ScopedX25519Path&) = delete;

private:
    int previous_;
};

/// X25519(scalar, u) on path `p` (supported), the scalar clamped and bit 255 of u masked.
inline void x25519_on(X25519Path p, const Byte* scalar, const Byte* u, Byte* out) noexcept {
#if SEALPIPE_KEYS_X25519_IFMA
    if (p == X25519Path::avx512ifma) {
        x25519_ifma::scalarmult(out, scalar, u);
        return;
    }
#else
    (void)p;
#endif
    CryptoPP::Donna::curve25519_mult(out, scalar, u);
}

/// X25519(k, u) (RFC 7748 §5; the scalar is clamped and the top bit of u masked inside).
/// Returns false when the result is all zero: the peer's key is of low order (RFC 7748 §6.1
/// "MAY check"; Go's crypto/ecdh, and therefore Bonanza, does).
[[nodiscard]] inline bool x25519(const Byte* scalar, const Byte* u, Byte* out) noexcept {
    x25519_on(active_x25519_path(), scalar, u, out);
    Byte acc = 0;
    for (std::size_t i = 0; i < 32; ++i) acc |= out[i];
    return acc != 0;
}

/// X25519(k, 9): the public key of a private key.
inline void x25519_base(const Byte* scalar, Byte* out) noexcept {
    static constexpr Byte base[32] = {9};
    x25519_on(active_x25519_path(), scalar, base, out);
}

/// The Ed25519 public key A of a 32-byte seed (RFC 8032 §5.1.5).
inline void ed25519_public(const Byte* seed, Byte* out) noexcept { CryptoPP::Donna::ed25519_publickey(out, seed); }

/// An Ed25519 signature (RFC 8032 §5.1.6).
inline void ed25519_sign(ByteView msg, const Byte* seed, const Byte* pub, Byte* sig) noexcept {
    CryptoPP::Donna::ed25519_sign(msg.data(), msg.size(), seed, pub, sig);
}

/// The group order L of edwards25519, little-endian.
inline constexpr std::array<Byte, 32> ed25519_order{
    0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

/// True when the little-endian 32-byte `s` is below L (RFC 8032 §5.1.7 step 1).
inline bool below_order(const Byte* s) noexcept {
    for (std::size_t i = 32; i-- > 0;) {
        if (s[i] < ed25519_order[i]) return true;
        if (s[i] > ed25519_order[i]) return false;
    }
    return false;
}

/// Verifies an Ed25519 signature. Crypto++'s donna checks only the top three bits of S, so
/// S < L is checked here first (RFC 8032 §5.1.7; Wycheproof "SignatureMalleability").
[[nodiscard]] inline bool ed25519_verify(ByteView msg, const Byte* pub, const Byte* sig) noexcept {
    if (!below_order(sig + 32)) return false;
    return CryptoPP::Donna::ed25519_sign_open(msg.data(), msg.size(), pub, sig) == 0;
}

/** True when the 32-byte encoding names a point of small order (1, 2, 4 or 8: the torsion
    subgroup), whatever its sign bit, or a non-canonical encoding of one (y = p, p + 1).
    libsodium's `ge25519_has_small_order` blocklist: the y coordinates 0, 1, p - 1 and the two
    of order 8. Under such a public key, R = identity and S = 0 verify every message. */
inline bool ed25519_has_small_order(const Byte* point) noexcept {
    static constexpr Byte small_order_y[7][32] = {
        {0x00},                                                            // y = 0 (order 4)
        {0x01},                                                            // y = 1 (identity)
        {0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
         0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05},  // order 8
        {0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
         0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a},  // order 8
        {0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},  // p - 1 (order 2)
        {0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},  // p (= 0)
        {0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
         0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},  // p + 1 (= 1)
    };
    bool found = false;
    for (const auto& y : small_order_y) {
        Byte diff = static_cast<Byte>((point[31] & 0x7f) ^ y[31]);
        for (std::size_t i = 0; i < 31; ++i) diff |= static_cast<Byte>(point[i] ^ y[i]);
        found |= diff == 0;
    }
    return found;
}

struct Field25519 {
    CryptoPP::Integer p;
    CryptoPP::Integer d;
    Field25519() {
        p = CryptoPP::Integer::Power2(255) - 19;
        // d = -121665 / 121666 mod p (RFC 8032 §5.1)
        d = (p - CryptoPP::Integer(121665)) * CryptoPP::Integer(121666).InverseMod(p) % p;
    }
};

inline const Field25519& field25519() {
    static const Field25519 f;
    return f;
}

inline CryptoPP::Integer from_le(const Byte* b, std::size_t n) {
    return CryptoPP::Integer(b, n, CryptoPP::Integer::UNSIGNED, CryptoPP::LITTLE_ENDIAN_ORDER);
}

inline void to_le32(const CryptoPP::Integer& v, Byte* out) {
    v.Encode(out, 32);
    std::reverse(out, out + 32);
}

/** Checks that 32 bytes decode to an edwards25519 point (RFC 8032 §5.1.3): y canonical
    (y < p), x^2 = (y^2 - 1) / (d y^2 + 1) a square, and x = 0 only with a clear sign bit. */
[[nodiscard]] inline result<void> ed25519_check_point(const Byte* pub) {
    try {
        const Field25519& f = field25519();
        std::array<Byte, 32> yb;
        std::copy(pub, pub + 32, yb.begin());
        const bool sign = (yb[31] & 0x80) != 0;
        yb[31] &= 0x7f;
        const CryptoPP::Integer y = from_le(yb.data(), 32);
        if (y >= f.p) return fail(errc::invalid_key, "Ed25519 public key: non-canonical y coordinate");
        const CryptoPP::Integer y2 = y.Squared() % f.p;
        const CryptoPP::Integer u = (y2 + f.p - 1) % f.p;
        const CryptoPP::Integer v = (f.d * y2 + 1) % f.p;
        const CryptoPP::Integer x2 = u * v.InverseMod(f.p) % f.p;
        if (x2.IsZero()) {
            if (sign) return fail(errc::invalid_key, "Ed25519 public key: x = 0 with the sign bit set");
            return {};
        }
        if (CryptoPP::Jacobi(x2, f.p) != 1)
            return fail(errc::invalid_key, "Ed25519 public key: not a point on the curve");
        return {};
    } catch (const CryptoPP::Exception& e) {
        return sealpipe::detail::from_cryptopp(e);
    }
}

/** The RFC 7748 §4.1 birational map: u = (1 + y) / (1 - y) mod p, for a public key already
    checked with ed25519_check_point. The identity (y = 1) has no image. */
[[nodiscard]] inline result<void> ed25519_to_x25519_public(const Byte* pub, Byte* u_out) {
    try {
        const Field25519& f = field25519();
        std::array<Byte, 32> yb;
        std::copy(pub, pub + 32, yb.begin());
        yb[31] &= 0x7f;
        const CryptoPP::Integer y = from_le(yb.data(), 32);
        const CryptoPP::Integer den = (f.p + 1 - y) % f.p;
        if (den.IsZero())
            return fail(errc::invalid_key, "Ed25519 public key: the identity point has no X25519 form");
        const CryptoPP::Integer u = (y + 1) * den.InverseMod(f.p) % f.p;
        to_le32(u, u_out);
        return {};
    } catch (const CryptoPP::Exception& e) {
        return sealpipe::detail::from_cryptopp(e);
    }
}

/// doc/protocol.md, "Keys and key agreement": the X25519 private key of an Ed25519 seed is the first 32 bytes
/// of SHA-512(seed) (stored unclamped, as Go does; X25519 clamps on use).
inline void ed25519_to_x25519_private(const Byte* seed, Byte* out) {
    Digest64 h = sha512(ByteView(seed, 32));
    std::copy(h.begin(), h.begin() + 32, out);
    wipe(h.mutable_view());
}

} // namespace sealpipe::keys::detail

#endif // SEALPIPE_KEYS_DETAIL_CURVE25519_HPP
