// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The VAES + VPCLMULQDQ path of AES-GCM-SIV at AVX2 width: two blocks per register,
// 16 blocks in flight, one POLYVAL reduction per 16 blocks; tails go to the AES-NI code.

#ifndef SEALPIPE_AEAD_DETAIL_VAES_AVX2_HPP
#define SEALPIPE_AEAD_DETAIL_VAES_AVX2_HPP

#include <sealpipe/aead/detail/aesni.hpp>

#if SEALPIPE_AEAD_X86

#define SEALPIPE_AEAD_TARGET_AVX2 __attribute__((target("aes,pclmul,ssse3,sse4.1,avx,avx2,vaes,vpclmulqdq")))
#define SEALPIPE_AEAD_INLINE_AVX2 [[gnu::always_inline]] inline SEALPIPE_AEAD_TARGET_AVX2

namespace sealpipe::aead::detail::vaes_avx2 {

SEALPIPE_AEAD_INLINE_AVX2 __m256i load(const Byte* p) noexcept {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
SEALPIPE_AEAD_INLINE_AVX2 void store(Byte* p, __m256i v) noexcept {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
}

SEALPIPE_AEAD_INLINE_AVX2 void mul_acc(__m256i x, __m256i h, __m256i& lo, __m256i& mid, __m256i& hi) noexcept {
    lo = _mm256_xor_si256(lo, _mm256_clmulepi64_epi128(x, h, 0x00));
    hi = _mm256_xor_si256(hi, _mm256_clmulepi64_epi128(x, h, 0x11));
    mid = _mm256_xor_si256(mid, _mm256_xor_si256(_mm256_clmulepi64_epi128(x, h, 0x01),
                                                 _mm256_clmulepi64_epi128(x, h, 0x10)));
}

SEALPIPE_AEAD_INLINE_AVX2 __m128i fold_lanes(__m256i v) noexcept {
    return _mm_xor_si128(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
}

/// H^1..H^8 first: fewer than 16 blocks go to the AES-NI code, which needs no more.
SEALPIPE_AEAD_TARGET_AVX2 inline void set_hash_key(HashKey& hk, const Byte* h) {
    aesni::fill_powers<8>(hk, h);
    hk.ready_blocks = 15;
}

/// H^9..H^16 = H^8 * H^1..H^8, eight independent products.
SEALPIPE_AEAD_TARGET_AVX2 inline void extend_hash_key(HashKey& hk) {
    const __m128i h8 = aesni::load(hk.power(8));
    for (std::size_t k = 1; k <= 8; ++k) {
        const __m128i p = aesni::dot(h8, aesni::load(hk.power(k)));
        aesni::store(hk.power(8 + k), p);
        aesni::store(hk.folded_power(8 + k), _mm_xor_si128(p, _mm_shuffle_epi32(p, 0x4e)));
    }
    hk.ready_blocks = unlimited_blocks;
}

/// POLYVAL over n blocks: 16 per reduction; fewer than 16 left go to the AES-NI code.
SEALPIPE_AEAD_TARGET_AVX2 inline void polyval(const HashKey& hk, Byte* state, const Byte* data, std::size_t n) {
    if (n >= 16) {
        __m128i s = aesni::load(state);
        const Byte* pw = hk.power(16);
        for (; n >= 16; n -= 16, data += 256) {
            __m256i lo = _mm256_setzero_si256(), mid = lo, hi = lo;
            const __m256i first = _mm256_xor_si256(load(data), _mm256_inserti128_si256(_mm256_setzero_si256(), s, 0));
            mul_acc(first, load(pw), lo, mid, hi);
            for (int j = 1; j < 8; ++j) mul_acc(load(data + 32 * j), load(pw + 32 * j), lo, mid, hi);
            lo = _mm256_xor_si256(lo, _mm256_bslli_epi128(mid, 8));
            hi = _mm256_xor_si256(hi, _mm256_bsrli_epi128(mid, 8));
            s = aesni::reduce(fold_lanes(lo), fold_lanes(hi));
        }
        aesni::store(state, s);
    }
    if (n != 0) aesni::polyval(hk, state, data, n);
}

template <unsigned Rounds>
SEALPIPE_AEAD_TARGET_AVX2 inline void ctr32(const AesKey& k, const Byte* counter, const Byte* in, Byte* out,
                                            std::size_t len) {
    const std::size_t bulk = len / 256 * 256;
    if (bulk != 0) {
        __m256i rk[Rounds + 1];
        for (unsigned r = 0; r <= Rounds; ++r) rk[r] = _mm256_broadcastsi128_si256(aesni::load(k.round_keys + 16 * r));
        __m256i c = _mm256_add_epi32(_mm256_broadcastsi128_si256(aesni::load(counter)),
                                     _mm256_set_epi32(0, 0, 0, 1, 0, 0, 0, 0));
        const __m256i two = _mm256_set_epi32(0, 0, 0, 2, 0, 0, 0, 2);
        for (std::size_t done = 0; done < bulk; done += 256) {
            __m256i b[8];
            for (int j = 0; j < 8; ++j) {
                b[j] = _mm256_xor_si256(c, rk[0]);
                c = _mm256_add_epi32(c, two);
            }
            for (unsigned r = 1; r < Rounds; ++r)
                for (int j = 0; j < 8; ++j) b[j] = _mm256_aesenc_epi128(b[j], rk[r]);
            for (int j = 0; j < 8; ++j) b[j] = _mm256_aesenclast_epi128(b[j], rk[Rounds]);
            for (int j = 0; j < 8; ++j)
                store(out + done + 32 * j, _mm256_xor_si256(b[j], load(in + done + 32 * j)));
        }
    }
    if (bulk != len) {
        alignas(16) Byte next[block_bytes];
        std::copy(counter, counter + block_bytes, next);
        counter_add(next, bulk / block_bytes);
        aesni::ctr32<Rounds>(k, next, in + bulk, out + bulk, len - bulk);
    }
}

/// Open's fused pass, 16 blocks per iteration: CTR, then POLYVAL on the plaintext registers.
template <unsigned Rounds>
SEALPIPE_AEAD_TARGET_AVX2 inline std::size_t decrypt_and_hash(const AesKey& k, const HashKey& hk, Byte* state,
                                                              Byte* counter, const Byte* in, Byte* out,
                                                              std::size_t len) {
    const std::size_t done = len / 256 * 256;
    if (done == 0) return 0;
    __m256i rk[Rounds + 1];
    for (unsigned r = 0; r <= Rounds; ++r) rk[r] = _mm256_broadcastsi128_si256(aesni::load(k.round_keys + 16 * r));
    __m256i c = _mm256_add_epi32(_mm256_broadcastsi128_si256(aesni::load(counter)),
                                 _mm256_set_epi32(0, 0, 0, 1, 0, 0, 0, 0));
    const __m256i two = _mm256_set_epi32(0, 0, 0, 2, 0, 0, 0, 2);
    __m128i s = aesni::load(state);
    const Byte* pw = hk.power(16);
    for (std::size_t off = 0; off < done; off += 256) {
        __m256i b[8];
        for (int j = 0; j < 8; ++j) {
            b[j] = _mm256_xor_si256(c, rk[0]);
            c = _mm256_add_epi32(c, two);
        }
        for (unsigned r = 1; r < Rounds; ++r)
            for (int j = 0; j < 8; ++j) b[j] = _mm256_aesenc_epi128(b[j], rk[r]);
        for (int j = 0; j < 8; ++j) {
            b[j] = _mm256_xor_si256(_mm256_aesenclast_epi128(b[j], rk[Rounds]), load(in + off + 32 * j));
            store(out + off + 32 * j, b[j]);
        }
        __m256i lo = _mm256_setzero_si256(), mid = lo, hi = lo;
        mul_acc(_mm256_xor_si256(b[0], _mm256_inserti128_si256(_mm256_setzero_si256(), s, 0)), load(pw), lo, mid, hi);
        for (int j = 1; j < 8; ++j) mul_acc(b[j], load(pw + 32 * j), lo, mid, hi);
        lo = _mm256_xor_si256(lo, _mm256_bslli_epi128(mid, 8));
        hi = _mm256_xor_si256(hi, _mm256_bsrli_epi128(mid, 8));
        s = aesni::reduce(fold_lanes(lo), fold_lanes(hi));
    }
    aesni::store(state, s);
    counter_add(counter, done / block_bytes);
    return done;
}

/// aesni::derive_keys in this path's encoding (three-operand VEX: fewer register copies).
template <unsigned Rounds>
SEALPIPE_AEAD_TARGET_AVX2 inline void derive_keys(const AesKey& kgk, const Byte* nonce, AesKey& enc, HashKey& hk) {
    aesni::derive_keys_inline<Rounds, 15>(kgk, nonce, enc, hk);
}

/// The AVX2 VAES path's operation table.
template <unsigned Rounds>
inline constexpr Ops ops{&aesni::set_key, &aesni::encrypt_blocks<Rounds>, &set_hash_key, &extend_hash_key,
                         &polyval,        &ctr32<Rounds>,                 &decrypt_and_hash<Rounds>,
                         &derive_keys<Rounds>};

} // namespace sealpipe::aead::detail::vaes_avx2

#endif // SEALPIPE_AEAD_X86

#endif // SEALPIPE_AEAD_DETAIL_VAES_AVX2_HPP
