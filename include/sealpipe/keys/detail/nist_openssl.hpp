// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The OpenSSL path of the NIST curves (nist.hpp): ECDH and public keys on P-256, P-384 and
// P-521 through libcrypto's EC_POINT_mul. Included by nist.hpp when the sealpipe::x509
// component (the one that links OpenSSL's libcrypto) defines SEALPIPE_KEYS_NIST_OPENSSL;
// including it installs the path for the whole process.

#ifndef SEALPIPE_KEYS_DETAIL_NIST_OPENSSL_HPP
#define SEALPIPE_KEYS_DETAIL_NIST_OPENSSL_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/keys/detail/nist.hpp>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <new>

namespace sealpipe::keys::detail::nist_openssl {

struct GroupFree {
    void operator()(EC_GROUP* g) const noexcept { EC_GROUP_free(g); }
};
struct PointClearFree {
    void operator()(EC_POINT* p) const noexcept { EC_POINT_clear_free(p); }
};
struct BnClearFree {
    void operator()(BIGNUM* b) const noexcept { BN_clear_free(b); }
};
struct BnCtxFree {
    // BN_CTX_free clears the numbers it pooled (BN_clear_free), intermediates included.
    void operator()(BN_CTX* c) const noexcept { BN_CTX_free(c); }
};
using Point = std::unique_ptr<EC_POINT, PointClearFree>;
using Bn = std::unique_ptr<BIGNUM, BnClearFree>;
using BnCtx = std::unique_ptr<BN_CTX, BnCtxFree>;

template <class T>
T checked(T p) {
    if (!p) {
        ERR_clear_error();
        throw std::bad_alloc();
    }
    return p;
}

/// A curve's group and constants, built once per process. libcrypto reads a group without
/// changing it (its tables are computed when it is made), so threads share it.
template <int Bits>
struct Curve {
    static constexpr std::size_t n = nist_bytes(Bits);
    std::unique_ptr<EC_GROUP, GroupFree> group;
    std::array<Byte, n> order{};   // big-endian
    std::array<Byte, n> prime{};   // big-endian

    Curve()
        : group(checked(EC_GROUP_new_by_curve_name(Bits == 256   ? NID_X9_62_prime256v1
                                                   : Bits == 384 ? NID_secp384r1
                                                                 : NID_secp521r1))) {
        Bn p(checked(BN_new()));
        if (BN_bn2binpad(EC_GROUP_get0_order(group.get()), order.data(), static_cast<int>(n)) != static_cast<int>(n) ||
            EC_GROUP_get_curve(group.get(), p.get(), nullptr, nullptr, nullptr) != 1 ||
            BN_bn2binpad(p.get(), prime.data(), static_cast<int>(n)) != static_cast<int>(n)) {
            ERR_clear_error();
            throw std::bad_alloc();
        }
    }
    static const Curve& get() {
        static const Curve c;
        return c;
    }
};

/// a < b for big-endian numbers of `n` bytes, in time that depends on `n` only.
inline bool less_than(const Byte* a, const Byte* b, std::size_t n) noexcept {
    unsigned borrow = 0;   // of a - b, from the least significant byte up
    for (std::size_t i = n; i-- > 0;) borrow = (static_cast<unsigned>(a[i]) - b[i] - borrow) >> 8 & 1;
    return borrow != 0;
}

/// The private scalar as a BIGNUM flagged constant-time, after the checks of nist_scalar.
template <int Bits>
[[nodiscard]] result<Bn> scalar(ByteView priv) {
    constexpr std::size_t n = nist_bytes(Bits);
    if (priv.size() != n) return length_error("private key", n, priv.size());
    unsigned any = 0;
    for (const Byte b : priv) any |= b;
    const bool below_order = less_than(priv.data(), Curve<Bits>::get().order.data(), n);
    if ((any == 0) | !below_order)
        return fail(errc::invalid_key, "private key: scalar is zero or not below the group order");
    Bn d(checked(BN_secure_new()));
    BN_set_flags(d.get(), BN_FLG_CONSTTIME);
    if (!BN_bin2bn(priv.data(), static_cast<int>(n), d.get())) throw std::bad_alloc();
    return d;
}

/// The peer's point, after the checks (and with the messages) of nist_decode_point.
template <int Bits>
[[nodiscard]] result<Point> peer_point(ByteView pub, BN_CTX* ctx) {
    constexpr std::size_t n = nist_bytes(Bits);
    if (auto f = nist_check_point_form<Bits>(pub); !f) return f.error();
    const Curve<Bits>& c = Curve<Bits>::get();
    if (!less_than(pub.data() + 1, c.prime.data(), n) || !less_than(pub.data() + 1 + n, c.prime.data(), n))
        return fail(errc::invalid_key, "public key: coordinate not below p");
    Point q(checked(EC_POINT_new(c.group.get())));
    // Checks that the point is on the curve (cofactor 1: then it is in the group).
    if (EC_POINT_oct2point(c.group.get(), q.get(), pub.data(), pub.size(), ctx) != 1) {
        ERR_clear_error();
        return fail(errc::invalid_key, "public key: point is not on the curve");
    }
    return q;
}

/// ECDH: the x-coordinate of d * Q, n bytes. EC_POINT_mul with one point and no generator
/// scalar runs libcrypto's constant-time multiplication: ecp_nistz256's fixed-window ladder
/// for P-256 (x86-64, ARM64), the Montgomery ladder of ec_mult.c (ossl_ec_scalar_mul_ladder)
/// otherwise, or the nistp521 code where it is built in.
template <int Bits>
[[nodiscard]] result<void> agree(ByteView priv, ByteView pub, MutableByteView out) {
    constexpr std::size_t n = nist_bytes(Bits);
    const Curve<Bits>& c = Curve<Bits>::get();
    auto d = scalar<Bits>(priv);
    if (!d) return d.error();
    BnCtx ctx(checked(BN_CTX_secure_new()));
    // The peer's point, decoded and checked, or the one of the thread's previous agreement
    // when the bytes are the same (public data: a worker agrees with one peer many times).
    struct LastPeer {
        std::array<Byte, 1 + 2 * n> bytes{};
        Point point;
    };
    static thread_local LastPeer last;
    if (!last.point || pub.size() != last.bytes.size() || !std::equal(pub.begin(), pub.end(), last.bytes.begin())) {
        auto q = peer_point<Bits>(pub, ctx.get());
        if (!q) return q.error();
        last.point = std::move(*q);
        std::copy(pub.begin(), pub.end(), last.bytes.begin());
    }
    Point s(checked(EC_POINT_new(c.group.get())));
    Bn x(checked(BN_secure_new()));
    if (EC_POINT_mul(c.group.get(), s.get(), nullptr, last.point.get(), d->get(), ctx.get()) != 1) {
        ERR_clear_error();
        return fail(errc::internal, "ECDH: EC_POINT_mul failed");
    }
    if (EC_POINT_is_at_infinity(c.group.get(), s.get()))
        return fail(errc::invalid_key, "ECDH: the shared point is the point at infinity");
    if (EC_POINT_get_affine_coordinates(c.group.get(), s.get(), x.get(), nullptr, ctx.get()) != 1 ||
        BN_bn2binpad(x.get(), out.data(), static_cast<int>(n)) != static_cast<int>(n)) {
        ERR_clear_error();
        wipe(out.first(n));
        return fail(errc::internal, "ECDH: cannot read the shared point");
    }
    return {};
}

/// The public key d * G, uncompressed (libcrypto's constant-time fixed-base multiplication).
template <int Bits>
[[nodiscard]] result<void> public_key(ByteView priv, MutableByteView out) {
    constexpr std::size_t n = nist_bytes(Bits);
    const Curve<Bits>& c = Curve<Bits>::get();
    auto d = scalar<Bits>(priv);
    if (!d) return d.error();
    BnCtx ctx(checked(BN_CTX_secure_new()));
    Point p(checked(EC_POINT_new(c.group.get())));
    if (EC_POINT_mul(c.group.get(), p.get(), d->get(), nullptr, nullptr, ctx.get()) != 1 ||
        EC_POINT_point2oct(c.group.get(), p.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(), 1 + 2 * n, ctx.get()) !=
            1 + 2 * n) {
        ERR_clear_error();
        return fail(errc::internal, "public key: EC_POINT_mul failed");
    }
    return {};
}

template <int Bits>
inline constexpr NistOps ops{&agree<Bits>, &public_key<Bits>};

inline constexpr NistBackend backend{ops<256>, ops<384>, ops<521>};

/// Installs the path when the program starts (nist.hpp picks it unless a test forces another).
inline const bool installed = (nist_openssl_backend.store(&backend, std::memory_order_release), true);

} // namespace sealpipe::keys::detail::nist_openssl

#endif // SEALPIPE_KEYS_DETAIL_NIST_OPENSSL_HPP
