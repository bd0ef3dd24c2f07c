// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The VAES + VPCLMULQDQ path of AES-GCM-SIV at AVX-512 width: four blocks per register,
// 32 blocks in flight for CTR, one POLYVAL reduction per 32 blocks, masked tails.

#ifndef SEALPIPE_AEAD_DETAIL_VAES_AVX512_HPP
#define SEALPIPE_AEAD_DETAIL_VAES_AVX512_HPP

#include <sealpipe/aead/detail/aesni.hpp>

#if SEALPIPE_AEAD_X86

#define SEALPIPE_AEAD_TARGET_AVX512                                                                   \
    __attribute__((target("aes,pclmul,ssse3,sse4.1,avx,avx2,vaes,vpclmulqdq,avx512f,avx512vl,avx512bw")))
#define SEALPIPE_AEAD_INLINE_AVX512 [[gnu::always_inline]] inline SEALPIPE_AEAD_TARGET_AVX512

namespace sealpipe::aead::detail::vaes_avx512 {

SEALPIPE_AEAD_INLINE_AVX512 __m512i load(const Byte* p) noexcept { return _mm512_loadu_si512(p); }
SEALPIPE_AEAD_INLINE_AVX512 void store(Byte* p, __m512i v) noexcept { _mm512_storeu_si512(p, v); }
SEALPIPE_AEAD_INLINE_AVX512 __m512i xor3(__m512i a, __m512i b, __m512i c) noexcept {
    return _mm512_ternarylogic_epi64(a, b, c, 0x96);
}

/** Accumulates the unreduced lane-wise products x * h into lo / mk / hi with Karatsuba's
    three multiplications: mk collects (x.lo ^ x.hi) * (h.lo ^ h.hi), where `hf` holds
    h.lo ^ h.hi (HashKey::folded); the middle term is mk ^ lo ^ hi, fixed up in `reduce`. */
SEALPIPE_AEAD_INLINE_AVX512 void mul_acc(__m512i x, __m512i h, __m512i hf, __m512i& lo, __m512i& mk,
                                         __m512i& hi) noexcept {
    lo = _mm512_xor_si512(lo, _mm512_clmulepi64_epi128(x, h, 0x00));
    hi = _mm512_xor_si512(hi, _mm512_clmulepi64_epi128(x, h, 0x11));
    const __m512i xf = _mm512_xor_si512(x, _mm512_maskz_shuffle_epi32(0xffff, x, _MM_PERM_BADC));
    mk = _mm512_xor_si512(mk, _mm512_clmulepi64_epi128(xf, hf, 0x00));
}

/// Xors the four 128-bit lanes together.
SEALPIPE_AEAD_INLINE_AVX512 __m128i fold_lanes(__m512i v) noexcept {
    const __m256i t = _mm256_xor_si256(_mm512_maskz_extracti64x4_epi64(0xff, v, 0), _mm512_maskz_extracti64x4_epi64(0xff, v, 1));
    return _mm_xor_si128(_mm256_castsi256_si128(t), _mm256_extracti128_si256(t, 1));
}

/// Sums the four lanes' products and performs the one Montgomery reduction.
SEALPIPE_AEAD_INLINE_AVX512 __m128i reduce(__m512i lo, __m512i mk, __m512i hi) noexcept {
    const __m512i mid = xor3(mk, lo, hi);
    lo = _mm512_xor_si512(lo, _mm512_bslli_epi128(mid, 8));
    hi = _mm512_xor_si512(hi, _mm512_bsrli_epi128(mid, 8));
    return aesni::reduce(fold_lanes(lo), fold_lanes(hi));
}

/** Reduces 32 blocks' products with the running state folded in: by linearity
    (s ^ X_1) * H^32 = s * H^32 ^ X_1 * H^32, so the zmm products and the lane folding do not
    wait for `s`; only one xmm multiplication and the reduction are on the dependency chain
    from one iteration to the next. */
SEALPIPE_AEAD_INLINE_AVX512 __m128i reduce_with_state(__m512i lo, __m512i mk, __m512i hi, __m128i s,
                                                      __m128i h32) noexcept {
    const __m512i mid = xor3(mk, lo, hi);
    __m128i flo = fold_lanes(_mm512_xor_si512(lo, _mm512_bslli_epi128(mid, 8)));
    __m128i fhi = fold_lanes(_mm512_xor_si512(hi, _mm512_bsrli_epi128(mid, 8)));
    const __m128i smid = _mm_xor_si128(_mm_clmulepi64_si128(s, h32, 0x01), _mm_clmulepi64_si128(s, h32, 0x10));
    flo = aesni::xor3(flo, _mm_clmulepi64_si128(s, h32, 0x00), _mm_slli_si128(smid, 8));
    fhi = aesni::xor3(fhi, _mm_clmulepi64_si128(s, h32, 0x11), _mm_srli_si128(smid, 8));
    return aesni::reduce(flo, fhi);
}

SEALPIPE_AEAD_INLINE_AVX512 __m512i with_state(__m512i x, __m128i s) noexcept {
    return _mm512_xor_si512(x, _mm512_inserti32x4(_mm512_setzero_si512(), s, 0));
}

/// POLYVAL over n blocks: 32 per reduction; the last m < 32 use H^m..H^1 and masked loads.
SEALPIPE_AEAD_TARGET_AVX512 inline void polyval(const HashKey& hk, Byte* state, const Byte* data, std::size_t n) {
    __m128i s = aesni::load(state);
    const Byte* pw = hk.power(32);
    const Byte* pwf = hk.folded_power(32);
    const __m128i h32 = aesni::load(pw);
    for (; n >= 32; n -= 32, data += 512) {
        __m512i lo = _mm512_setzero_si512(), mid = lo, hi = lo;
        for (int j = 0; j < 8; ++j) mul_acc(load(data + 64 * j), load(pw + 64 * j), load(pwf + 64 * j), lo, mid, hi);
        s = reduce_with_state(lo, mid, hi, s, h32);
    }
    if (n != 0) {
        const Byte* tail_pw = hk.power(n);   // block i pairs with H^(n-i)
        const Byte* tail_pwf = hk.folded_power(n);
        __m512i lo = _mm512_setzero_si512(), mid = lo, hi = lo;
        __m512i x;
        std::size_t i = 0;
        for (; i + 4 <= n; i += 4) {
            x = load(data + 16 * i);
            if (i == 0) x = with_state(x, s);
            mul_acc(x, load(tail_pw + 16 * i), load(tail_pwf + 16 * i), lo, mid, hi);
        }
        if (i < n) {
            const auto mask = static_cast<__mmask8>((1u << (2 * (n - i))) - 1);   // 64-bit words
            x = _mm512_maskz_loadu_epi64(mask, data + 16 * i);
            if (i == 0) x = with_state(x, s);
            mul_acc(x, _mm512_maskz_loadu_epi64(mask, tail_pw + 16 * i),
                    _mm512_maskz_loadu_epi64(mask, tail_pwf + 16 * i), lo, mid, hi);
        }
        s = reduce(lo, mid, hi);
    }
    aesni::store(state, s);
}

/// Lane-wise POLYVAL dot products of four pairs at once.
SEALPIPE_AEAD_INLINE_AVX512 __m512i dot4(__m512i a, __m512i b) noexcept {
    __m512i lo = _mm512_clmulepi64_epi128(a, b, 0x00);
    __m512i hi = _mm512_clmulepi64_epi128(a, b, 0x11);
    const __m512i mid = _mm512_xor_si512(_mm512_clmulepi64_epi128(a, b, 0x01), _mm512_clmulepi64_epi128(a, b, 0x10));
    lo = _mm512_xor_si512(lo, _mm512_bslli_epi128(mid, 8));
    hi = _mm512_xor_si512(hi, _mm512_bsrli_epi128(mid, 8));
    const auto c = static_cast<long long>(0xc200000000000000ULL);
    const __m512i poly = _mm512_set_epi64(c, 1, c, 1, c, 1, c, 1);
    __m512i t = _mm512_clmulepi64_epi128(lo, poly, 0x10);
    lo = _mm512_xor_si512(_mm512_maskz_shuffle_epi32(0xffff, lo, _MM_PERM_BADC), t);
    t = _mm512_clmulepi64_epi128(lo, poly, 0x10);
    lo = _mm512_xor_si512(_mm512_maskz_shuffle_epi32(0xffff, lo, _MM_PERM_BADC), t);
    return _mm512_xor_si512(lo, hi);
}

/// H^1..H^8 first (enough for messages of up to 8 blocks); the rest on demand.
SEALPIPE_AEAD_TARGET_AVX512 inline void set_hash_key(HashKey& hk, const Byte* h) {
    aesni::fill_powers<8>(hk, h);
    hk.ready_blocks = 8;
}

/** H^9..H^32, four at a time: the groups H^4..H^1 and H^8..H^5 times H^8, then the four
    groups times H^16 (two more products on the dependency chain). The table is descending,
    so each group of four is stored as it comes out. */
SEALPIPE_AEAD_TARGET_AVX512 inline void extend_hash_key(HashKey& hk) {
    __m512i p[8];   // p[j] holds H^(4j+4), ..., H^(4j+1) in lanes 0..3
    p[0] = load(hk.power(4));
    p[1] = load(hk.power(8));
    const __m512i h8 = _mm512_maskz_broadcast_i32x4(0xffff, aesni::load(hk.power(8)));
    p[2] = dot4(p[0], h8);
    p[3] = dot4(p[1], h8);
    const __m512i h16 = _mm512_maskz_shuffle_i64x2(0xff, p[3], p[3], 0x00);   // lane 0 = H^16
    for (int j = 0; j < 4; ++j) p[4 + j] = dot4(p[j], h16);
    for (int j = 2; j < 8; ++j) {
        store(hk.power(4 * j + 4), p[j]);
        store(hk.folded_power(4 * j + 4), _mm512_xor_si512(p[j], _mm512_maskz_shuffle_epi32(0xffff, p[j], _MM_PERM_BADC)));
    }
    hk.ready_blocks = unlimited_blocks;
}

template <unsigned Rounds>
SEALPIPE_AEAD_INLINE_AVX512 void encrypt_regs(const __m512i (&rk)[Rounds + 1], __m512i* b, int n) noexcept {
    for (int i = 0; i < n; ++i) b[i] = _mm512_xor_si512(b[i], rk[0]);
    for (unsigned r = 1; r < Rounds; ++r)
        for (int i = 0; i < n; ++i) b[i] = _mm512_aesenc_epi128(b[i], rk[r]);
    for (int i = 0; i < n; ++i) b[i] = _mm512_aesenclast_epi128(b[i], rk[Rounds]);
}

template <unsigned Rounds>
SEALPIPE_AEAD_TARGET_AVX512 inline void ctr32(const AesKey& k, const Byte* counter, const Byte* in, Byte* out,
                                              std::size_t len) {
    __m512i rk[Rounds + 1];
    for (unsigned r = 0; r <= Rounds; ++r) rk[r] = _mm512_maskz_broadcast_i32x4(0xffff, aesni::load(k.round_keys + 16 * r));
    // Lane j holds counter + j; the 32-bit adds wrap modulo 2^32 as RFC 8452 §4 requires.
    __m512i c = _mm512_add_epi32(_mm512_maskz_broadcast_i32x4(0xffff, aesni::load(counter)),
                                 _mm512_set_epi32(0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0));
    const __m512i four = _mm512_set_epi32(0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4);
    for (; len >= 512; len -= 512, in += 512, out += 512) {
        __m512i b[8];
        for (int j = 0; j < 8; ++j) {
            b[j] = c;
            c = _mm512_add_epi32(c, four);
        }
        encrypt_regs<Rounds>(rk, b, 8);
        for (int j = 0; j < 8; ++j) store(out + 64 * j, _mm512_xor_si512(b[j], load(in + 64 * j)));
    }
    for (; len >= 64; len -= 64, in += 64, out += 64) {
        __m512i b[1] = {c};
        c = _mm512_add_epi32(c, four);
        encrypt_regs<Rounds>(rk, b, 1);
        store(out, _mm512_xor_si512(b[0], load(in)));
    }
    if (len != 0) {
        const auto mask = static_cast<__mmask64>((std::uint64_t{1} << len) - 1);
        __m512i b[1] = {c};
        encrypt_regs<Rounds>(rk, b, 1);
        _mm512_mask_storeu_epi8(out, mask, _mm512_xor_si512(b[0], _mm512_maskz_loadu_epi8(mask, in)));
    }
}

/// Open's fused pass, 32 blocks per iteration: CTR, then POLYVAL on the plaintext registers
/// (out-of-order execution overlaps one iteration's multiplications with the next one's AES).
template <unsigned Rounds>
SEALPIPE_AEAD_TARGET_AVX512 inline std::size_t decrypt_and_hash(const AesKey& k, const HashKey& hk, Byte* state,
                                                                Byte* counter, const Byte* in, Byte* out,
                                                                std::size_t len) {
    const std::size_t done = len / 512 * 512;
    if (done == 0) return 0;
    __m512i rk[Rounds + 1];
    for (unsigned r = 0; r <= Rounds; ++r) rk[r] = _mm512_maskz_broadcast_i32x4(0xffff, aesni::load(k.round_keys + 16 * r));
    __m512i c = _mm512_add_epi32(_mm512_maskz_broadcast_i32x4(0xffff, aesni::load(counter)),
                                 _mm512_set_epi32(0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0));
    const __m512i four = _mm512_set_epi32(0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4, 0, 0, 0, 4);
    __m128i s = aesni::load(state);
    const Byte* pw = hk.power(32);
    const Byte* pwf = hk.folded_power(32);
    const __m128i h32 = aesni::load(pw);
    for (std::size_t off = 0; off < done; off += 512) {
        __m512i b[8];
        for (int j = 0; j < 8; ++j) {
            b[j] = c;
            c = _mm512_add_epi32(c, four);
        }
        encrypt_regs<Rounds>(rk, b, 8);
        for (int j = 0; j < 8; ++j) {
            b[j] = _mm512_xor_si512(b[j], load(in + off + 64 * j));
            store(out + off + 64 * j, b[j]);
        }
        __m512i lo = _mm512_setzero_si512(), mid = lo, hi = lo;
        for (int j = 0; j < 8; ++j) mul_acc(b[j], load(pw + 64 * j), load(pwf + 64 * j), lo, mid, hi);
        s = reduce_with_state(lo, mid, hi, s, h32);
    }
    aesni::store(state, s);
    counter_add(counter, done / block_bytes);
    return done;
}

/// aesni::derive_keys in this path's encoding (three-operand VEX: fewer register copies).
template <unsigned Rounds>
SEALPIPE_AEAD_TARGET_AVX512 inline void derive_keys(const AesKey& kgk, const Byte* nonce, AesKey& enc, HashKey& hk) {
    aesni::derive_keys_inline<Rounds, 8>(kgk, nonce, enc, hk);
}

/// The AVX-512 VAES path's operation table.
template <unsigned Rounds>
inline constexpr Ops ops{&aesni::set_key, &aesni::encrypt_blocks<Rounds>, &set_hash_key, &extend_hash_key,
                         &polyval,        &ctr32<Rounds>,                 &decrypt_and_hash<Rounds>,
                         &derive_keys<Rounds>};

} // namespace sealpipe::aead::detail::vaes_avx512

#endif // SEALPIPE_AEAD_X86

#endif // SEALPIPE_AEAD_DETAIL_VAES_AVX512_HPP
