// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The portable AES-GCM-SIV path: Crypto++'s AES and a constant-time POLYVAL in plain C++.

#ifndef SEALPIPE_AEAD_DETAIL_PORTABLE_HPP
#define SEALPIPE_AEAD_DETAIL_PORTABLE_HPP

#include <sealpipe/aead/detail/common.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace sealpipe::aead::detail::portable {

/** Carry-less 32x32 -> 64-bit multiplication without tables or secret-dependent branches
    (BearSSL's "holes" technique): each operand is split into four masks whose bits are
    four apart, so the integer products' carries never reach a bit that is kept. */
inline std::uint64_t clmul32(std::uint32_t x, std::uint32_t y) noexcept {
    const std::uint64_t x0 = x & 0x11111111u, x1 = x & 0x22222222u, x2 = x & 0x44444444u,
                        x3 = x & 0x88888888u;
    const std::uint64_t y0 = y & 0x11111111u, y1 = y & 0x22222222u, y2 = y & 0x44444444u,
                        y3 = y & 0x88888888u;
    std::uint64_t z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
    std::uint64_t z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
    std::uint64_t z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
    std::uint64_t z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
    z0 &= 0x1111111111111111u;
    z1 &= 0x2222222222222222u;
    z2 &= 0x4444444444444444u;
    z3 &= 0x8888888888888888u;
    return z0 | z1 | z2 | z3;
}

struct U128 {
    std::uint64_t lo, hi;
};

/// Carry-less 64x64 -> 128-bit multiplication (Karatsuba over 32-bit halves).
inline U128 clmul64(std::uint64_t a, std::uint64_t b) noexcept {
    const auto a0 = std::uint32_t(a), a1 = std::uint32_t(a >> 32);
    const auto b0 = std::uint32_t(b), b1 = std::uint32_t(b >> 32);
    const std::uint64_t lo = clmul32(a0, b0), hi = clmul32(a1, b1);
    const std::uint64_t mid = clmul32(a0 ^ a1, b0 ^ b1) ^ lo ^ hi;
    return {lo ^ (mid << 32), hi ^ (mid >> 32)};
}

/** POLYVAL's dot(a, b) = a * b * x^-128 modulo x^128 + x^127 + x^126 + x^121 + 1
    (RFC 8452 §3). Field elements are little-endian: `lo` holds x^0..x^63. The reduction is
    the two-step Montgomery folding by 0xc2000000_00000000 used by the intrinsic paths. */
inline U128 dot(U128 a, U128 b) noexcept {
    const U128 p0 = clmul64(a.lo, b.lo), p2 = clmul64(a.hi, b.hi);
    U128 p1 = clmul64(a.lo ^ a.hi, b.lo ^ b.hi);
    p1.lo ^= p0.lo ^ p2.lo;
    p1.hi ^= p0.hi ^ p2.hi;
    const std::uint64_t t0 = p0.lo, t1 = p0.hi ^ p1.lo, t2 = p2.lo ^ p1.hi, t3 = p2.hi;
    constexpr std::uint64_t c = 0xc200000000000000u;
    const U128 m1 = clmul64(t0, c);
    const std::uint64_t a0 = t1 ^ m1.lo, a1 = t0 ^ m1.hi;
    const U128 m2 = clmul64(a0, c);
    return {a1 ^ m2.lo ^ t2, a0 ^ m2.hi ^ t3};
}

inline U128 load(const Byte* p) noexcept { return {load_le64(p), load_le64(p + 8)}; }
inline void store(Byte* p, U128 v) noexcept {
    store_le64(p, v.lo);
    store_le64(p + 8, v.hi);
}

inline void set_key(AesKey& k, const Byte* key, std::size_t key_bytes) {
    k.cryptopp.SetKey(key, key_bytes);
}

inline void encrypt_blocks(const AesKey& k, const Byte* in, Byte* out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) k.cryptopp.ProcessBlock(in + i * block_bytes, out + i * block_bytes);
}

inline void set_hash_key(HashKey& hk, const Byte* h) {
    std::copy(h, h + block_bytes, hk.power(1));
    hk.ready_blocks = unlimited_blocks;   // Horner's rule needs H only
}

inline void polyval(const HashKey& hk, Byte* state, const Byte* data, std::size_t n) {
    const U128 h = load(hk.power(1));
    U128 s = load(state);
    for (std::size_t i = 0; i < n; ++i) {
        const U128 x = load(data + i * block_bytes);
        s = dot({s.lo ^ x.lo, s.hi ^ x.hi}, h);
    }
    store(state, s);
}

inline void ctr32(const AesKey& k, const Byte* counter, const Byte* in, Byte* out, std::size_t len) {
    constexpr std::size_t batch = 32;
    Byte ctr[batch * block_bytes];
    Byte first[block_bytes];
    std::copy(counter, counter + block_bytes, first);
    while (len >= block_bytes) {
        const std::size_t n = std::min(batch, len / block_bytes);
        for (std::size_t i = 0; i < n; ++i) {
            std::copy(first, first + block_bytes, ctr + i * block_bytes);
            counter_add(ctr + i * block_bytes, i);
        }
        // out = AES(ctr) xor in, several blocks in parallel (AES-NI inside Crypto++ when present).
        k.cryptopp.AdvancedProcessBlocks(ctr, in, out, n * block_bytes,
                                         CryptoPP::BlockTransformation::BT_AllowParallel);
        counter_add(first, n);
        in += n * block_bytes;
        out += n * block_bytes;
        len -= n * block_bytes;
    }
    if (len != 0) {
        Byte ks[block_bytes];
        k.cryptopp.ProcessBlock(first, ks);
        for (std::size_t i = 0; i < len; ++i) out[i] = in[i] ^ ks[i];
        sealpipe::detail::secure_wipe(ks, sizeof ks);
    }
}

/// The portable path's operation table.
inline constexpr Ops ops{&set_key, &encrypt_blocks, &set_hash_key, nullptr, &polyval, &ctr32, nullptr, nullptr};

} // namespace sealpipe::aead::detail::portable

#endif // SEALPIPE_AEAD_DETAIL_PORTABLE_HPP
