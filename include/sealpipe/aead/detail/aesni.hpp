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
#define SEALPIPE_AEAD_TARGET_AESNI __attribute__((target("aes,pclmul,ssse3,sse4.1")))
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

/// Karatsuba form of `mul_acc`: mk collects (x.lo ^ x.hi) * hf with hf = h.lo ^ h.hi
/// (HashKey::folded); `reduce_k` turns mk into the middle term.
SEALPIPE_AEAD_INLINE_AESNI void mul_acc_k(__m128i x, __m128i h, __m128i hf, __m128i& lo, __m128i& mk,
                                          __m128i& hi) noexcept {
    lo = _mm_xor_si128(lo, _mm_clmulepi64_si128(x, h, 0x00));
    hi = _mm_xor_si128(hi, _mm_clmulepi64_si128(x, h, 0x11));
    mk = _mm_xor_si128(mk, _mm_clmulepi64_si128(_mm_xor_si128(x, _mm_shuffle_epi32(x, 0x4e)), hf, 0x00));
}

SEALPIPE_AEAD_INLINE_AESNI __m128i reduce_k(__m128i lo, __m128i mk, __m128i hi) noexcept {
    return reduce(lo, xor3(mk, lo, hi), hi);
}

/// POLYVAL's dot(a, b) = a * b * x^-128.
SEALPIPE_AEAD_INLINE_AESNI __m128i dot(__m128i a, __m128i b) noexcept {
    __m128i lo = _mm_setzero_si128(), mid = lo, hi = lo;
    mul_acc(a, b, lo, mid, hi);
    return reduce(lo, mid, hi);
}

/** One key-expansion step (FIPS 197 §5.2): w[i] = w[i-Nk] ^ SubWord(RotWord(w[i-1])) ^ Rcon
    with the running xor, where `prev` holds w[i-Nk..] and `other` the previous round key.
    SubWord comes from AESENCLAST on a block whose four columns are equal (ShiftRows is then
    the identity), which is faster than AESKEYGENASSIST on current CPUs. `rcon == 0` with
    `rotate == false` is AES-256's odd step (SubWord only). */
SEALPIPE_AEAD_INLINE_AESNI __m128i expand_step(__m128i prev, __m128i other, int rcon, bool rotate) noexcept {
    const __m128i word = rotate ? _mm_shuffle_epi8(other, _mm_set1_epi32(0x0c0f0e0d))   // RotWord(w3) in every column
                                : _mm_shuffle_epi32(other, 0xff);                       // w3 in every column
    const __m128i t = _mm_aesenclast_si128(word, _mm_set1_epi32(rcon));
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
    prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
    return _mm_xor_si128(prev, t);
}

/// Expands an AES-128 (`k1` unused) or AES-256 key held in registers into `k`.
template <std::size_t KeyBytes>
SEALPIPE_AEAD_INLINE_AESNI void expand_key(AesKey& k, __m128i k0, __m128i k1) noexcept {
    __m128i rk[15];
    if constexpr (KeyBytes == 16) {
        (void)k1;
        static constexpr int rcon[10] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36};
        rk[0] = k0;
#pragma GCC unroll 10
        for (int i = 1; i <= 10; ++i) rk[i] = expand_step(rk[i - 1], rk[i - 1], rcon[i - 1], true);
#pragma GCC unroll 11
        for (int i = 0; i <= 10; ++i) store(k.round_keys + 16 * i, rk[i]);
    } else {
        rk[0] = k0;
        rk[1] = k1;
        int rcon = 1;
#pragma GCC unroll 7
        for (int i = 2; i <= 14; i += 2, rcon <<= 1) {
            rk[i] = expand_step(rk[i - 2], rk[i - 1], rcon, true);
            if (i < 14) rk[i + 1] = expand_step(rk[i - 1], rk[i], 0, false);
        }
#pragma GCC unroll 15
        for (int i = 0; i <= 14; ++i) store(k.round_keys + 16 * i, rk[i]);
    }
}

SEALPIPE_AEAD_TARGET_AESNI inline void set_key(AesKey& k, const Byte* key, std::size_t key_bytes) {
    if (key_bytes == 16) expand_key<16>(k, load(key), _mm_setzero_si128());
    else expand_key<32>(k, load(key), load(key + 16));
}

/// Encrypts up to 8 blocks held in registers, interleaved.
template <unsigned Rounds, std::size_t N>
SEALPIPE_AEAD_INLINE_AESNI void encrypt_regs(const AesKey& k, __m128i (&b)[N]) noexcept {
    __m128i rk = load(k.round_keys);
#pragma GCC unroll 8
    for (std::size_t i = 0; i < N; ++i) b[i] = _mm_xor_si128(b[i], rk);
#pragma GCC unroll 14
    for (unsigned r = 1; r < Rounds; ++r) {
        rk = load(k.round_keys + 16 * r);
#pragma GCC unroll 8
        for (std::size_t i = 0; i < N; ++i) b[i] = _mm_aesenc_si128(b[i], rk);
    }
    rk = load(k.round_keys + 16 * Rounds);
#pragma GCC unroll 8
    for (std::size_t i = 0; i < N; ++i) b[i] = _mm_aesenclast_si128(b[i], rk);
}

template <unsigned Rounds, std::size_t N>
SEALPIPE_AEAD_INLINE_AESNI void encrypt_n(const AesKey& k, const Byte* in, Byte* out) noexcept {
    __m128i b[N];
    for (std::size_t i = 0; i < N; ++i) b[i] = load(in + 16 * i);
    encrypt_regs<Rounds>(k, b);
    for (std::size_t i = 0; i < N; ++i) store(out + 16 * i, b[i]);
}

/// Encrypts n independent blocks, all in flight at once (key derivation needs 4 or 6).
template <unsigned Rounds>
SEALPIPE_AEAD_TARGET_AESNI inline void encrypt_blocks(const AesKey& k, const Byte* in, Byte* out, std::size_t n) {
    for (; n >= 8; n -= 8, in += 128, out += 128) encrypt_n<Rounds, 8>(k, in, out);
    switch (n) {
    case 7: encrypt_n<Rounds, 7>(k, in, out); break;
    case 6: encrypt_n<Rounds, 6>(k, in, out); break;
    case 5: encrypt_n<Rounds, 5>(k, in, out); break;
    case 4: encrypt_n<Rounds, 4>(k, in, out); break;
    case 3: encrypt_n<Rounds, 3>(k, in, out); break;
    case 2: encrypt_n<Rounds, 2>(k, in, out); break;
    case 1: encrypt_n<Rounds, 1>(k, in, out); break;
    default: break;
    }
}

/// Fills H^1..H^N (N <= max_hash_powers) and their folded halves. H^k = H^m * H^(k-m)
/// with m the largest power of two below k: a dependency depth of log2(N) + 1 products
/// instead of N - 1.
template <std::size_t N>
SEALPIPE_AEAD_INLINE_AESNI void fill_powers(HashKey& hk, __m128i h) noexcept {
    static_assert(N >= 8 && N <= max_hash_powers && (N & (N - 1)) == 0);
    __m128i p[N + 1];
    p[1] = h;
    for (std::size_t m = 1; m < N; m *= 2)
        for (std::size_t k = m + 1; k <= 2 * m; ++k) p[k] = dot(p[m], p[k - m]);
    for (std::size_t k = 1; k <= N; ++k) {
        store(hk.power(k), p[k]);
        store(hk.folded_power(k), _mm_xor_si128(p[k], _mm_shuffle_epi32(p[k], 0x4e)));
    }
}

template <std::size_t N>
SEALPIPE_AEAD_TARGET_AESNI inline void fill_powers(HashKey& hk, const Byte* h) {
    fill_powers<N>(hk, load(h));
}

/** RFC 8452 §4 for one nonce, in registers: the 4 or 6 key-derivation blocks under the
    expanded key-generating key in one pipelined batch, then the message-encryption key
    schedule and the POLYVAL powers H^1..H^8 (independent chains that the CPU overlaps).
    `ready` is what the path's `set_hash_key` would leave in HashKey::ready_blocks. Nothing
    secret is written to memory except the outputs. */
template <unsigned Rounds, std::size_t Ready>
SEALPIPE_AEAD_INLINE_AESNI void derive_keys_inline(const AesKey& kgk, const Byte* nonce, AesKey& enc, HashKey& hk) noexcept {
    constexpr std::size_t count = Rounds == 10 ? 4 : 6;
    // Block i: the 32-bit little-endian counter i, then the 12-byte nonce.
    alignas(16) Byte first[16] = {};
    std::copy(nonce, nonce + 12, first + 4);
    const __m128i base = _mm_load_si128(reinterpret_cast<const __m128i*>(first));
    __m128i b[count];
#pragma GCC unroll 6
    for (std::size_t i = 0; i < count; ++i) b[i] = _mm_insert_epi32(base, static_cast<int>(i), 0);
    encrypt_regs<Rounds>(kgk, b);
    // The first 8 bytes of each block: 2 for the authentication key, 2 or 4 for the
    // encryption key.
    const __m128i h = _mm_unpacklo_epi64(b[0], b[1]);
    if constexpr (count == 4) expand_key<16>(enc, _mm_unpacklo_epi64(b[2], b[3]), _mm_setzero_si128());
    else expand_key<32>(enc, _mm_unpacklo_epi64(b[2], b[3]), _mm_unpacklo_epi64(b[4], b[5]));
    fill_powers<8>(hk, h);
    hk.ready_blocks = Ready;
}

template <unsigned Rounds, std::size_t Ready>
SEALPIPE_AEAD_TARGET_AESNI inline void derive_keys(const AesKey& kgk, const Byte* nonce, AesKey& enc, HashKey& hk) {
    derive_keys_inline<Rounds, Ready>(kgk, nonce, enc, hk);
}

/// H^1..H^8: all this path's POLYVAL uses.
SEALPIPE_AEAD_TARGET_AESNI inline void set_hash_key(HashKey& hk, const Byte* h) {
    fill_powers<8>(hk, h);
    hk.ready_blocks = unlimited_blocks;
}

/// POLYVAL over n blocks, 8 per reduction (aggregated: sum of X_i * H^(8-i), then reduce).
SEALPIPE_AEAD_TARGET_AESNI inline void polyval(const HashKey& hk, Byte* state, const Byte* data, std::size_t n) {
    __m128i s = load(state);
    while (n != 0) {
        const std::size_t m = std::min<std::size_t>(n, 8);
        const Byte* pw = hk.power(m);   // block i pairs with H^(m-i)
        const Byte* pwf = hk.folded_power(m);
        __m128i lo = _mm_setzero_si128(), mk = lo, hi = lo;
        mul_acc_k(_mm_xor_si128(s, load(data)), load(pw), load(pwf), lo, mk, hi);
        if (m == 8) {
            for (std::size_t i = 1; i < 8; ++i) mul_acc_k(load(data + 16 * i), load(pw + 16 * i), load(pwf + 16 * i), lo, mk, hi);
        } else {
            for (std::size_t i = 1; i < m; ++i) mul_acc_k(load(data + 16 * i), load(pw + 16 * i), load(pwf + 16 * i), lo, mk, hi);
        }
        s = reduce_k(lo, mk, hi);
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

/// Open's fused pass, 8 blocks per iteration: CTR, then POLYVAL on the plaintext registers.
template <unsigned Rounds>
SEALPIPE_AEAD_TARGET_AESNI inline std::size_t decrypt_and_hash(const AesKey& k, const HashKey& hk, Byte* state,
                                                               Byte* counter, const Byte* in, Byte* out,
                                                               std::size_t len) {
    const std::size_t done = len / 128 * 128;
    if (done == 0) return 0;
    __m128i c = load(counter), s = load(state);
    const Byte* pw = hk.power(8);
    const Byte* pwf = hk.folded_power(8);
    for (std::size_t off = 0; off < done; off += 128) {
        __m128i b[8];
        for (int i = 0; i < 8; ++i) b[i] = counter_inc(c, i);
        c = counter_inc(c, 8);
        encrypt_regs<Rounds>(k, b);
        for (int i = 0; i < 8; ++i) {
            b[i] = _mm_xor_si128(b[i], load(in + off + 16 * i));
            store(out + off + 16 * i, b[i]);
        }
        __m128i lo = _mm_setzero_si128(), mk = lo, hi = lo;
        mul_acc_k(_mm_xor_si128(s, b[0]), load(pw), load(pwf), lo, mk, hi);
        for (int i = 1; i < 8; ++i) mul_acc_k(b[i], load(pw + 16 * i), load(pwf + 16 * i), lo, mk, hi);
        s = reduce_k(lo, mk, hi);
    }
    store(state, s);
    counter_add(counter, done / block_bytes);
    return done;
}

/// The AES-NI path's operation table.
template <unsigned Rounds>
inline constexpr Ops ops{&set_key, &encrypt_blocks<Rounds>, &set_hash_key, nullptr,
                         &polyval, &ctr32<Rounds>,          &decrypt_and_hash<Rounds>,
                         &derive_keys<Rounds, unlimited_blocks>};

} // namespace sealpipe::aead::detail::aesni

#endif // SEALPIPE_AEAD_X86

#endif // SEALPIPE_AEAD_DETAIL_AESNI_HPP
