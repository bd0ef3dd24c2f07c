// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The AES-NI + PCLMULQDQ path of AES-GCM-SIV: 8 blocks in flight, one POLYVAL reduction
// per 8 blocks. Its key schedule, block encryption and POLYVAL helpers also serve the
// wider VAES paths.

#ifndef SEALPIPE_AEAD_DETAIL_AESNI_HPP
#define SEALPIPE_AEAD_DETAIL_AESNI_HPP

#include <sealpipe/aead/detail/common.hpp>

#if SEALPIPE_AEAD_X86

#include <immintrin.h>

#include <algorithm>
#include <cstddef>

// Function-level targets: users need no special compiler flags, and the code only runs
// after the CPU has been checked (detail/cpu.hpp).
#define SEALPIPE_AEAD_TARGET_AESNI __attribute__((target("aes,pclmul,sse4.1")))
#define SEALPIPE_AEAD_INLINE_AESNI [[gnu::always_inline]] inline SEALPIPE_AEAD_TARGET_AESNI

namespace sealpipe::aead::detail::aesni {

SEALPIPE_AEAD_INLINE_AESNI __m128i load(const Byte* p) noexcept {
    return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}
SEALPIPE_AEAD_INLINE_AESNI void store(Byte* p, __m128i v) noexcept {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v);
}
SEALPIPE_AEAD_INLINE_AESNI __m128i xor3(__m128i a, __m128i b, __m128i c) noexcept {
    return _mm_xor_si128(_mm_xor_si128(a, b), c);
}

/** Montgomery reduction of the 256-bit carry-less product hi:lo (already folded with the
    middle term) by x^128 modulo POLYVAL's polynomial x^128 + x^127 + x^126 + x^121 + 1:
    two foldings by 0xc2000000_00000000 (RFC 8452 Appendix A, Gueron's reference code). */
SEALPIPE_AEAD_INLINE_AESNI __m128i reduce(__m128i lo, __m128i hi) noexcept {
    const __m128i poly = _mm_set_epi64x(static_cast<long long>(0xc200000000000000ULL), 1);
    __m128i t = _mm_clmulepi64_si128(lo, poly, 0x10);
    lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
    t = _mm_clmulepi64_si128(lo, poly, 0x10);
    lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
    return _mm_xor_si128(lo, hi);
}

/// Reduces lo/mid/hi accumulators of schoolbook products.
SEALPIPE_AEAD_INLINE_AESNI __m128i reduce(__m128i lo, __m128i mid, __m128i hi) noexcept {
    return reduce(_mm_xor_si128(lo, _mm_slli_si128(mid, 8)), _mm_xor_si128(hi, _mm_srli_si128(mid, 8)));
}

/// Accumulates the unreduced product x * h into lo/mid/hi.
SEALPIPE_AEAD_INLINE_AESNI void mul_acc(__m128i x, __m128i h, __m128i& lo, __m128i& mid, __m128i& hi) noexcept {
    lo = _mm_xor_si128(lo, _mm_clmulepi64_si128(x, h, 0x00));
    hi = _mm_xor_si128(hi, _mm_clmulepi64_si128(x, h, 0x11));
    mid = xor3(mid, _mm_clmulepi64_si128(x, h, 0x01), _mm_clmulepi64_si128(x, h, 0x10));
}

/// POLYVAL's dot(a, b) = a * b * x^-128.
SEALPIPE_AEAD_INLINE_AESNI __m128i dot(__m128i a, __m128i b) noexcept {
    __m128i lo = _mm_setzero_si128(), mid = lo, hi = lo;
    mul_acc(a, b, lo, mid, hi);
    return reduce(lo, mid, hi);
}

// Rcon < 0 selects AES-256's odd step (SubWord without rotation or round constant).
template <int Rcon>
SEALPIPE_AEAD_INLINE_AESNI __m128i expand_step(__m128i prev, __m128i other) noexcept {
    // FIPS 197 §5.2: w[i] = w[i-Nk] ^ SubWord(RotWord(w[i-1])) ^ Rcon, and the running xor.
    const __m128i t = _mm_shuffle_epi32(_mm_aeskeygenassist_si128(other, Rcon < 0 ? 0 : Rcon), Rcon < 0 ? 0xaa : 0xff);
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
    return _mm_xor_si128(prev, t);
}

SEALPIPE_AEAD_TARGET_AESNI inline void set_key(AesKey& k, const Byte* key, std::size_t key_bytes) {
    __m128i rk[15];
    if (key_bytes == 16) {
        rk[0] = load(key);
        rk[1] = expand_step<0x01>(rk[0], rk[0]);
        rk[2] = expand_step<0x02>(rk[1], rk[1]);
        rk[3] = expand_step<0x04>(rk[2], rk[2]);
        rk[4] = expand_step<0x08>(rk[3], rk[3]);
        rk[5] = expand_step<0x10>(rk[4], rk[4]);
        rk[6] = expand_step<0x20>(rk[5], rk[5]);
        rk[7] = expand_step<0x40>(rk[6], rk[6]);
        rk[8] = expand_step<0x80>(rk[7], rk[7]);
        rk[9] = expand_step<0x1b>(rk[8], rk[8]);
        rk[10] = expand_step<0x36>(rk[9], rk[9]);
        for (int i = 0; i <= 10; ++i) store(k.round_keys + 16 * i, rk[i]);
    } else {
        rk[0] = load(key);
        rk[1] = load(key + 16);
        rk[2] = expand_step<0x01>(rk[0], rk[1]);
        rk[3] = expand_step<-1>(rk[1], rk[2]);
        rk[4] = expand_step<0x02>(rk[2], rk[3]);
        rk[5] = expand_step<-1>(rk[3], rk[4]);
        rk[6] = expand_step<0x04>(rk[4], rk[5]);
        rk[7] = expand_step<-1>(rk[5], rk[6]);
        rk[8] = expand_step<0x08>(rk[6], rk[7]);
        rk[9] = expand_step<-1>(rk[7], rk[8]);
        rk[10] = expand_step<0x10>(rk[8], rk[9]);
        rk[11] = expand_step<-1>(rk[9], rk[10]);
        rk[12] = expand_step<0x20>(rk[10], rk[11]);
        rk[13] = expand_step<-1>(rk[11], rk[12]);
        rk[14] = expand_step<0x40>(rk[12], rk[13]);
        for (int i = 0; i <= 14; ++i) store(k.round_keys + 16 * i, rk[i]);
    }
    for (auto& r : rk) r = _mm_setzero_si128();
}

/// Encrypts up to 8 blocks held in registers, interleaved.
template <unsigned Rounds, std::size_t N>
SEALPIPE_AEAD_INLINE_AESNI void encrypt_regs(const AesKey& k, __m128i (&b)[N]) noexcept {
    __m128i rk = load(k.round_keys);
    for (std::size_t i = 0; i < N; ++i) b[i] = _mm_xor_si128(b[i], rk);
    for (unsigned r = 1; r < Rounds; ++r) {
        rk = load(k.round_keys + 16 * r);
        for (std::size_t i = 0; i < N; ++i) b[i] = _mm_aesenc_si128(b[i], rk);
    }
    rk = load(k.round_keys + 16 * Rounds);
    for (std::size_t i = 0; i < N; ++i) b[i] = _mm_aesenclast_si128(b[i], rk);
}

template <unsigned Rounds>
SEALPIPE_AEAD_TARGET_AESNI inline void encrypt_blocks(const AesKey& k, const Byte* in, Byte* out, std::size_t n) {
    for (; n >= 2; n -= 2, in += 32, out += 32) {
        __m128i b[2] = {load(in), load(in + 16)};
        encrypt_regs<Rounds>(k, b);
        store(out, b[0]);
        store(out + 16, b[1]);
    }
    if (n != 0) {
        __m128i b[1] = {load(in)};
        encrypt_regs<Rounds>(k, b);
        store(out, b[0]);
    }
}

/// Fills H^1..H^N (N <= max_hash_powers). H^k = H^m * H^(k-m) with m the largest power of
/// two below k: a dependency depth of log2(N) + 1 products instead of N - 1.
template <std::size_t N>
SEALPIPE_AEAD_TARGET_AESNI inline void set_hash_key(HashKey& hk, const Byte* h) {
    static_assert(N >= 8 && N <= max_hash_powers && (N & (N - 1)) == 0);
    __m128i p[N + 1];
    p[1] = load(h);
    for (std::size_t m = 1; m < N; m *= 2)
        for (std::size_t k = m + 1; k <= 2 * m; ++k) p[k] = dot(p[m], p[k - m]);
    for (std::size_t k = 1; k <= N; ++k) store(hk.power(k), p[k]);
}

/// POLYVAL over n blocks, 8 per reduction (aggregated: sum of X_i * H^(8-i), then reduce).
SEALPIPE_AEAD_TARGET_AESNI inline void polyval(const HashKey& hk, Byte* state, const Byte* data, std::size_t n) {
    __m128i s = load(state);
    while (n != 0) {
        const std::size_t m = std::min<std::size_t>(n, 8);
        const Byte* pw = hk.power(m);   // block i pairs with H^(m-i)
        __m128i lo = _mm_setzero_si128(), mid = lo, hi = lo;
        if (m == 8) {
            mul_acc(_mm_xor_si128(s, load(data)), load(pw), lo, mid, hi);
            mul_acc(load(data + 16), load(pw + 16), lo, mid, hi);
            mul_acc(load(data + 32), load(pw + 32), lo, mid, hi);
            mul_acc(load(data + 48), load(pw + 48), lo, mid, hi);
            mul_acc(load(data + 64), load(pw + 64), lo, mid, hi);
            mul_acc(load(data + 80), load(pw + 80), lo, mid, hi);
            mul_acc(load(data + 96), load(pw + 96), lo, mid, hi);
            mul_acc(load(data + 112), load(pw + 112), lo, mid, hi);
        } else {
            mul_acc(_mm_xor_si128(s, load(data)), load(pw), lo, mid, hi);
            for (std::size_t i = 1; i < m; ++i) mul_acc(load(data + 16 * i), load(pw + 16 * i), lo, mid, hi);
        }
        s = reduce(lo, mid, hi);
        data += 16 * m;
        n -= m;
    }
    store(state, s);
}

SEALPIPE_AEAD_INLINE_AESNI __m128i counter_inc(__m128i c, int i) noexcept {
    return _mm_add_epi32(c, _mm_set_epi32(0, 0, 0, i));   // 32-bit LE word 0, wraps mod 2^32
}

template <unsigned Rounds>
SEALPIPE_AEAD_TARGET_AESNI inline void ctr32(const AesKey& k, const Byte* counter, const Byte* in, Byte* out,
                                             std::size_t len) {
    __m128i c = load(counter);
    for (; len >= 128; len -= 128, in += 128, out += 128) {
        __m128i b[8];
        for (int i = 0; i < 8; ++i) b[i] = counter_inc(c, i);
        c = counter_inc(c, 8);
        encrypt_regs<Rounds>(k, b);
        for (int i = 0; i < 8; ++i) store(out + 16 * i, _mm_xor_si128(b[i], load(in + 16 * i)));
    }
    for (; len >= 16; len -= 16, in += 16, out += 16) {
        __m128i b[1] = {c};
        c = counter_inc(c, 1);
        encrypt_regs<Rounds>(k, b);
        store(out, _mm_xor_si128(b[0], load(in)));
    }
    if (len != 0) {
        alignas(16) Byte buf[16] = {};
        std::copy(in, in + len, buf);
        __m128i b[1] = {c};
        encrypt_regs<Rounds>(k, b);
        store(buf, _mm_xor_si128(b[0], load(buf)));
        std::copy(buf, buf + len, out);
        sealpipe::detail::secure_wipe(buf, sizeof buf);
    }
}

/// The AES-NI path's operation table.
template <unsigned Rounds>
inline constexpr Ops ops{&set_key, &encrypt_blocks<Rounds>, &set_hash_key<8>, &polyval, &ctr32<Rounds>};

} // namespace sealpipe::aead::detail::aesni

#endif // SEALPIPE_AEAD_X86

#endif // SEALPIPE_AEAD_DETAIL_AESNI_HPP
