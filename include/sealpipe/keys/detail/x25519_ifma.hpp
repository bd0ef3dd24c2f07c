// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// sealpipe's own constant-time X25519 (RFC 7748 §5) for x86-64 with AVX-512 IFMA: the four
// field multiplications of each level of a Montgomery ladder step run side by side in the
// four 64-bit lanes of a 256-bit register, and a radix-2^51 scalar field does the inversion.

#ifndef SEALPIPE_KEYS_DETAIL_X25519_IFMA_HPP
#define SEALPIPE_KEYS_DETAIL_X25519_IFMA_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/cpu.hpp>
#include <sealpipe/core/detail/cryptopp.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SEALPIPE_KEYS_X25519_IFMA 1
#include <immintrin.h>
#else
#define SEALPIPE_KEYS_X25519_IFMA 0
#endif

#if SEALPIPE_KEYS_X25519_IFMA

#define SEALPIPE_KEYS_TARGET_IFMA __attribute__((target("avx,avx2,avx512f,avx512vl,avx512ifma")))
#define SEALPIPE_KEYS_INLINE_IFMA [[gnu::always_inline]] inline SEALPIPE_KEYS_TARGET_IFMA

/*  Design (all arithmetic modulo p = 2^255 - 19).

    Field elements have five limbs in radix 2^51: f = f0 + f1 2^51 + ... + f4 2^204. Limbs
    are "carried" when each is below 2^51 + 2^15; a value need not be below p until it is
    encoded. Carried limbs are below 2^52, which is what IFMA needs: vpmadd52{lo,hi}uq take
    the low 52 bits of each factor and add the low or the high 52 bits of the 104-bit product
    to an accumulator.

    Product of carried a, b: every a_i b_j = lo + hi 2^52 = lo + (2 hi) 2^51 goes to column
    i + j (lo) and i + j + 1 (2 hi). A column collects at most 5 lo (< 2^52 each), 5 doubled
    hi (< 2^53 each) and a carried addend, so it stays below 2^56 + 2^52. Columns 5..9 fold
    into 0..4 times 19 (2^255 = 19 mod p), giving < 21 * 2^56 < 2^61. One parallel carry round (each limb keeps
    its low 51 bits and passes the rest, below 2^10, up; the top limb's carry comes back
    times 19) leaves carried limbs again.

    Sums and differences are carried the same way. A difference a - b is computed as
    a + 2p - b: the limbs of 2p are 2^52 - 38 and 2^52 - 2, above any carried limb, so no
    lane goes negative.

    Ladder (RFC 7748 §5, a24 = 121665), with the state (x2, z2, x3, z3) in lanes 0..3:
        level 1: (A, B, C, D) = (x2 + z2, x2 - z2, x3 + z3, x3 - z3)
                 (AA, BB, DA, CB) = (A, B, D, C) * (A, B, A, B)
        level 2: E = AA - BB
                 (x2', AA + a24 E, x3', T) = (AA, E, DA + CB, CB - DA) * (BB, a24, DA + CB, CB - DA)
                                             + (0, AA, 0, 0)
        level 3: (x2', z2', x3', z3') = (x2', E, x3', T) * (1, AA + a24 E, 1, x1)
    (T = (CB - DA)^2 = (DA - CB)^2.) Three four-lane multiplications per scalar bit; sums and
    differences of a level come from one masked add/subtract. The conditional swap exchanges
    lanes (0, 1) with (2, 3) under a mask. No branch and no memory index depends on a secret.

    The inversion at the end (z2^(p - 2)) runs on one element, so it uses 64-bit limbs and
    128-bit products instead. */

namespace sealpipe::keys::detail::x25519_ifma {

using u64 = std::uint64_t;
__extension__ typedef unsigned __int128 u128;

inline constexpr u64 mask51 = (u64{1} << 51) - 1;

// ---------------------------------------------------------------------------------------
// The scalar field: inversion, decoding and the canonical encoding.

/// A field element, five radix-2^51 limbs.
struct Fe {
    u64 v[5];
};

/** h = the columns r0..r4 (each below 2^112) carried, in two parallel rounds (shorter than
    one serial chain). Round one passes every column's bits above 51 up, the top one back
    times 19 (below 2^66, so limb 0 is split in 128 bits): limbs below 2^62. Round two does
    it again: limbs below 2^51 + 2^16. */
inline void carry(Fe& h, u128 r0, u128 r1, u128 r2, u128 r3, u128 r4) noexcept {
    const u128 t0 = (u128)((u64)r0 & mask51) + (u128)(u64)(r4 >> 51) * 19;
    const u64 l0 = (u64)t0 & mask51;
    const u64 l1 = ((u64)r1 & mask51) + (u64)(r0 >> 51) + (u64)(t0 >> 51);
    const u64 l2 = ((u64)r2 & mask51) + (u64)(r1 >> 51);
    const u64 l3 = ((u64)r3 & mask51) + (u64)(r2 >> 51);
    const u64 l4 = ((u64)r4 & mask51) + (u64)(r3 >> 51);
    h.v[0] = l0 + 19 * (l4 >> 51);
    h.v[1] = l1 & mask51;
    h.v[2] = (l2 & mask51) + (l1 >> 51);
    h.v[3] = (l3 & mask51) + (l2 >> 51);
    h.v[4] = (l4 & mask51) + (l3 >> 51);
}

/// h = f * g. Limbs of f and g below 2^52; h carried.
inline void fe_mul(Fe& h, const Fe& f, const Fe& g) noexcept {
    const u64 f0 = f.v[0], f1 = f.v[1], f2 = f.v[2], f3 = f.v[3], f4 = f.v[4];
    const u64 g0 = g.v[0], g1 = g.v[1], g2 = g.v[2], g3 = g.v[3], g4 = g.v[4];
    const u64 g1s = 19 * g1, g2s = 19 * g2, g3s = 19 * g3, g4s = 19 * g4;
    u128 r0 = (u128)f0 * g0 + (u128)f1 * g4s + (u128)f2 * g3s + (u128)f3 * g2s + (u128)f4 * g1s;
    u128 r1 = (u128)f0 * g1 + (u128)f1 * g0 + (u128)f2 * g4s + (u128)f3 * g3s + (u128)f4 * g2s;
    u128 r2 = (u128)f0 * g2 + (u128)f1 * g1 + (u128)f2 * g0 + (u128)f3 * g4s + (u128)f4 * g3s;
    u128 r3 = (u128)f0 * g3 + (u128)f1 * g2 + (u128)f2 * g1 + (u128)f3 * g0 + (u128)f4 * g4s;
    u128 r4 = (u128)f0 * g4 + (u128)f1 * g3 + (u128)f2 * g2 + (u128)f3 * g1 + (u128)f4 * g0;
    carry(h, r0, r1, r2, r3, r4);
}

/// h = f^2. Limbs of f below 2^52; h carried.
inline void fe_sqr(Fe& h, const Fe& f) noexcept {
    const u64 f0 = f.v[0], f1 = f.v[1], f2 = f.v[2], f3 = f.v[3], f4 = f.v[4];
    const u64 d0 = 2 * f0, d1 = 2 * f1, d2 = 2 * f2, d3 = 2 * f3;
    const u64 f3s = 19 * f3, f4s = 19 * f4;
    u128 r0 = (u128)f0 * f0 + (u128)d1 * f4s + (u128)d2 * f3s;
    u128 r1 = (u128)d0 * f1 + (u128)f3 * f3s + (u128)d2 * f4s;
    u128 r2 = (u128)d0 * f2 + (u128)f1 * f1 + (u128)d3 * f4s;
    u128 r3 = (u128)d0 * f3 + (u128)d1 * f2 + (u128)f4 * f4s;
    u128 r4 = (u128)d0 * f4 + (u128)d1 * f3 + (u128)f2 * f2;
    carry(h, r0, r1, r2, r3, r4);
}

/// h = f^(2^n), n >= 1.
inline void fe_sqr_n(Fe& h, const Fe& f, int n) noexcept {
    fe_sqr(h, f);
    for (int i = 1; i < n; ++i) fe_sqr(h, h);
}

/** out = z^(p - 2) = 1 / z (0 for z = 0), by Fermat. p - 2 = 2^255 - 21; the chain builds
    z^(2^k - 1) for k = 5, 10, 20, 40, 50, 100, 200, 250, then shifts in the last five bits
    (01011 = 11): 254 squarings and 11 multiplications. `t` is scratch, wiped by the caller. */
inline void fe_invert(Fe& out, const Fe& z, Fe (&t)[6]) noexcept {
    Fe& z2 = t[0];
    Fe& z11 = t[1];
    Fe& a = t[2];   // z^(2^5 - 1), later z^(2^50 - 1)
    Fe& b = t[3];   // z^(2^10 - 1)
    Fe& c = t[4];
    Fe& d = t[5];
    fe_sqr(z2, z);            // z^2
    fe_sqr_n(c, z2, 2);       // z^8
    fe_mul(c, c, z);          // z^9
    fe_mul(z11, c, z2);       // z^11
    fe_sqr(d, z11);           // z^22
    fe_mul(a, d, c);          // z^31 = z^(2^5 - 1)
    fe_sqr_n(d, a, 5);
    fe_mul(b, d, a);          // z^(2^10 - 1)
    fe_sqr_n(d, b, 10);
    fe_mul(c, d, b);          // z^(2^20 - 1)
    fe_sqr_n(d, c, 20);
    fe_mul(d, d, c);          // z^(2^40 - 1)
    fe_sqr_n(d, d, 10);
    fe_mul(a, d, b);          // z^(2^50 - 1)
    fe_sqr_n(d, a, 50);
    fe_mul(b, d, a);          // z^(2^100 - 1)
    fe_sqr_n(d, b, 100);
    fe_mul(d, d, b);          // z^(2^200 - 1)
    fe_sqr_n(d, d, 50);
    fe_mul(d, d, a);          // z^(2^250 - 1)
    fe_sqr_n(d, d, 5);        // z^(2^255 - 32)
    fe_mul(out, d, z11);      // z^(2^255 - 21)
}

inline u64 load64_le(const Byte* p) noexcept {
    u64 w = 0;
    for (int i = 7; i >= 0; --i) w = (w << 8) | p[i];
    return w;
}

inline void store64_le(Byte* p, u64 w) noexcept {
    for (int i = 0; i < 8; ++i) p[i] = static_cast<Byte>(w >> (8 * i));
}

/// Decodes a u-coordinate: little-endian, bit 255 masked (RFC 7748 §5). Values >= p are
/// kept as they are; the arithmetic is modulo p.
inline void fe_from_bytes(Fe& h, const Byte* s) noexcept {
    const u64 w0 = load64_le(s), w1 = load64_le(s + 8), w2 = load64_le(s + 16);
    const u64 w3 = load64_le(s + 24) & ((u64{1} << 63) - 1);
    h.v[0] = w0 & mask51;
    h.v[1] = ((w0 >> 51) | (w1 << 13)) & mask51;
    h.v[2] = ((w1 >> 38) | (w2 << 26)) & mask51;
    h.v[3] = ((w2 >> 25) | (w3 << 39)) & mask51;
    h.v[4] = w3 >> 12;
}

/** Encodes f (carried limbs) as the canonical 32 bytes of f mod p. After one more carry
    round f < 2^255 + 2^20 < 2p, so f >= p exactly when f + 19 >= 2^255; that bit q is the
    carry out of the exact limb-wise addition of 19, and f - q p is f + 19 q with bit 255
    dropped. No branch. */
inline void fe_to_bytes(Byte* s, const Fe& f) noexcept {
    u64 h0 = f.v[0], h1 = f.v[1], h2 = f.v[2], h3 = f.v[3], h4 = f.v[4];
    h1 += h0 >> 51; h0 &= mask51;
    h2 += h1 >> 51; h1 &= mask51;
    h3 += h2 >> 51; h2 &= mask51;
    h4 += h3 >> 51; h3 &= mask51;
    h0 += 19 * (h4 >> 51); h4 &= mask51;
    u64 q = (h0 + 19) >> 51;
    q = (h1 + q) >> 51;
    q = (h2 + q) >> 51;
    q = (h3 + q) >> 51;
    q = (h4 + q) >> 51;
    h0 += 19 * q;
    h1 += h0 >> 51; h0 &= mask51;
    h2 += h1 >> 51; h1 &= mask51;
    h3 += h2 >> 51; h2 &= mask51;
    h4 += h3 >> 51; h3 &= mask51;
    h4 &= mask51;
    store64_le(s, h0 | (h1 << 51));
    store64_le(s + 8, (h1 >> 13) | (h2 << 38));
    store64_le(s + 16, (h2 >> 26) | (h3 << 25));
    store64_le(s + 24, (h3 >> 39) | (h4 << 12));
}

// ---------------------------------------------------------------------------------------
// Run-time detection.

/// Whether this machine runs the IFMA path (core/cpu.hpp, detected once).
inline bool has_ifma() noexcept { return sealpipe::cpu_features().avx512_ifma; }

// ---------------------------------------------------------------------------------------
// Four field elements side by side: limb i of lane l is lane l of v[i].

struct Fe4 {
    __m256i v[5];
};

SEALPIPE_KEYS_INLINE_IFMA __m256i times19(__m256i x) noexcept {
    return _mm256_add_epi64(_mm256_add_epi64(_mm256_slli_epi64(x, 4), _mm256_slli_epi64(x, 1)), x);
}

/// One parallel carry round: limbs below 2^61 in, carried limbs out.
SEALPIPE_KEYS_INLINE_IFMA void carry(Fe4& h) noexcept {
    const __m256i m = _mm256_set1_epi64x(static_cast<long long>(mask51));
    __m256i c[5];
    #pragma GCC unroll 5
    for (int i = 0; i < 5; ++i) {
        c[i] = _mm256_srli_epi64(h.v[i], 51);
        h.v[i] = _mm256_and_si256(h.v[i], m);
    }
    // The top carry is below 2^10: one IFMA adds 19 times it.
    h.v[0] = _mm256_madd52lo_epu64(h.v[0], c[4], _mm256_set1_epi64x(19));
    #pragma GCC unroll 4
    for (int i = 1; i < 5; ++i) h.v[i] = _mm256_add_epi64(h.v[i], c[i - 1]);
}

/// h = a * b + c lane by lane; a, b and c carried, h carried.
SEALPIPE_KEYS_INLINE_IFMA void mul_add(Fe4& h, const Fe4& a, const Fe4& b, const Fe4& c) noexcept {
    // Two sets of accumulators (even and odd i) halve the chains of dependent IFMAs; the
    // addend starts the even set (a column stays below 2^56 + 2^52).
    __m256i lo[2][9], hi[2][9];
    #pragma GCC unroll 9
    for (int k = 0; k < 9; ++k) {
        lo[0][k] = k < 5 ? c.v[k] : _mm256_setzero_si256();
        hi[0][k] = lo[1][k] = hi[1][k] = _mm256_setzero_si256();
    }
    #pragma GCC unroll 5
    for (int i = 0; i < 5; ++i) {
        #pragma GCC unroll 5
        for (int j = 0; j < 5; ++j) {
            lo[i & 1][i + j] = _mm256_madd52lo_epu64(lo[i & 1][i + j], a.v[i], b.v[j]);
            hi[i & 1][i + j] = _mm256_madd52hi_epu64(hi[i & 1][i + j], a.v[i], b.v[j]);
        }
    }
    // Column k = lo[k] + 2 hi[k - 1]; columns 5..9 come back times 19.
    __m256i col[10], hs[9];
    #pragma GCC unroll 9
    for (int k = 0; k < 9; ++k) hs[k] = _mm256_add_epi64(hi[0][k], hi[1][k]);
    col[0] = _mm256_add_epi64(lo[0][0], lo[1][0]);
    #pragma GCC unroll 8
    for (int k = 1; k < 9; ++k)
        col[k] = _mm256_add_epi64(_mm256_add_epi64(lo[0][k], lo[1][k]), _mm256_add_epi64(hs[k - 1], hs[k - 1]));
    col[9] = _mm256_add_epi64(hs[8], hs[8]);
    #pragma GCC unroll 5
    for (int k = 0; k < 5; ++k) h.v[k] = _mm256_add_epi64(col[k], times19(col[k + 5]));
    carry(h);
}

/// Lane permutation of every limb (lane l of the result is lane (Imm >> 2l) & 3 of a).
template <int Imm>
SEALPIPE_KEYS_INLINE_IFMA void permute(Fe4& h, const Fe4& a) noexcept {
    #pragma GCC unroll 5
    for (int i = 0; i < 5; ++i) h.v[i] = _mm256_permute4x64_epi64(a.v[i], Imm);
}

/// Lanes whose bit is set in Mask come from b, the others from a.
template <int Mask>
SEALPIPE_KEYS_INLINE_IFMA void blend(Fe4& h, const Fe4& a, const Fe4& b) noexcept {
    #pragma GCC unroll 5
    for (int i = 0; i < 5; ++i) h.v[i] = _mm256_mask_blend_epi64(static_cast<__mmask8>(Mask), a.v[i], b.v[i]);
}

/** h = a + b in the lanes not in Mask and a + 2p - b (= a - b mod p) in the lanes in Mask;
    carried. b carried: the limbs of 2p (2^52 - 38, 2^52 - 2) exceed b's, so no lane goes
    negative. */
template <int Mask>
SEALPIPE_KEYS_INLINE_IFMA void add_sub(Fe4& h, const Fe4& a, const Fe4& b) noexcept {
    const __m256i two_p0 = _mm256_set1_epi64x(static_cast<long long>((u64{1} << 52) - 38));
    const __m256i two_p = _mm256_set1_epi64x(static_cast<long long>((u64{1} << 52) - 2));
    const auto k = static_cast<__mmask8>(Mask);
    h.v[0] = _mm256_add_epi64(a.v[0], _mm256_mask_sub_epi64(b.v[0], k, two_p0, b.v[0]));
    #pragma GCC unroll 4
    for (int i = 1; i < 5; ++i) h.v[i] = _mm256_add_epi64(a.v[i], _mm256_mask_sub_epi64(b.v[i], k, two_p, b.v[i]));
    carry(h);
}

/// Exchanges lanes (0, 1) with (2, 3) when `swap` is 1, by mask.
SEALPIPE_KEYS_INLINE_IFMA void cswap(Fe4& s, u64 swap) noexcept {
    const __m256i m = _mm256_set1_epi64x(static_cast<long long>(0 - swap));
    #pragma GCC unroll 5
    for (int i = 0; i < 5; ++i) {
        const __m256i other = _mm256_permute4x64_epi64(s.v[i], 0x4e);
        s.v[i] = _mm256_ternarylogic_epi64(m, other, s.v[i], 0xca);   // m ? other : s
    }
}

// Lane selectors for `permute`: lane l of the result takes lane sel_l of the source.
inline constexpr int pair_swap = 0xb1;     // (1, 0, 3, 2)
inline constexpr int abdc = 0xb4;          // (0, 1, 3, 2)
inline constexpr int abab = 0x44;          // (0, 1, 0, 1)
inline constexpr int aacd = 0xe0;          // (0, 0, 2, 3)

/// Constants of a ladder: a24 = 121665 in lane 1, and (1, -, 1, x1) for level 3.
struct LadderConstants {
    Fe4 a24;
    Fe4 k3;
    Fe4 zero;
};

/** One ladder step on s = (x2, z2, x3, z3) (see the design note above). Level 2 computes
    (CB - DA)^2 for (DA - CB)^2 in lane 3, and adds AA to lane 1's product in the
    multiplication itself. */
SEALPIPE_KEYS_INLINE_IFMA void ladder_step(Fe4& s, const LadderConstants& c) noexcept {
    Fe4 p, u, l, r, n, q, w;
    // Level 1.
    permute<pair_swap>(p, s);              // (z2, x2, z3, x3)
    add_sub<0b1010>(u, p, s);              // (A, B, C, D)
    permute<abdc>(l, u);                   // (A, B, D, C)
    permute<abab>(r, u);                   // (A, B, A, B)
    mul_add(n, l, r, c.zero);              // (AA, BB, DA, CB)
    // Level 2.
    permute<pair_swap>(q, n);              // (BB, AA, CB, DA)
    add_sub<0b1001>(u, n, q);              // (E, -, DA + CB, CB - DA)
    permute<aacd>(w, u);                   // (E, E, DA + CB, CB - DA)
    blend<0b0001>(l, w, n);                // (AA, E, DA + CB, CB - DA)
    blend<0b0010>(r, w, c.a24);            // (E, a24, DA + CB, CB - DA)
    blend<0b0001>(r, r, q);                // (BB, a24, DA + CB, CB - DA)
    permute<0x00>(p, n);                   // AA in every lane
    blend<0b0010>(p, c.zero, p);           // (0, AA, 0, 0)
    mul_add(u, l, r, p);                   // (x2', AA + a24 E, x3', T)
    // Level 3.
    blend<0b0010>(l, u, w);                // (x2', E, x3', T)
    blend<0b0010>(r, c.k3, u);             // (1, AA + a24 E, 1, x1)
    mul_add(s, l, r, c.zero);              // (x2', z2', x3', z3')
}

/// Broadcasts lane values: limb i of lane l is `lanes[l].v[i]`.
SEALPIPE_KEYS_INLINE_IFMA void gather(Fe4& h, const Fe (&lanes)[4]) noexcept {
    for (int i = 0; i < 5; ++i)
        h.v[i] = _mm256_set_epi64x(static_cast<long long>(lanes[3].v[i]), static_cast<long long>(lanes[2].v[i]),
                                   static_cast<long long>(lanes[1].v[i]), static_cast<long long>(lanes[0].v[i]));
}

/** The ladder over the clamped scalar `k` (bits 254 down to 0) from (1, 0, u, 1); leaves
    x2 and z2 in `x`, `z`. Its state is wiped before returning. */
SEALPIPE_KEYS_TARGET_IFMA inline void ladder(Fe& x, Fe& z, const Byte* k, const Fe& u) noexcept {
    Fe lanes[4] = {{{1, 0, 0, 0, 0}}, {{0, 0, 0, 0, 0}}, u, {{1, 0, 0, 0, 0}}};
    Fe4 s;
    LadderConstants c;
    gather(s, lanes);
    lanes[0] = lanes[1] = lanes[2] = lanes[3] = Fe{{121665, 0, 0, 0, 0}};
    gather(c.a24, lanes);
    lanes[0] = lanes[2] = Fe{{1, 0, 0, 0, 0}};
    lanes[1] = Fe{{0, 0, 0, 0, 0}};
    lanes[3] = u;
    gather(c.k3, lanes);
    lanes[0] = lanes[1] = lanes[2] = lanes[3] = Fe{{0, 0, 0, 0, 0}};
    gather(c.zero, lanes);
    u64 swap = 0;
    for (int t = 254; t >= 0; --t) {
        const u64 bit = (k[t >> 3] >> (t & 7)) & 1;
        swap ^= bit;
        cswap(s, swap);
        swap = bit;
        ladder_step(s, c);
    }
    cswap(s, swap);
    alignas(32) u64 out[5][4];
    for (int i = 0; i < 5; ++i) _mm256_store_si256(reinterpret_cast<__m256i*>(out[i]), s.v[i]);
    for (int i = 0; i < 5; ++i) {
        x.v[i] = out[i][0];
        z.v[i] = out[i][1];
    }
    sealpipe::detail::secure_wipe(out, sizeof out);
    sealpipe::detail::secure_wipe(&s, sizeof s);
    sealpipe::detail::secure_wipe(&swap, sizeof swap);
}

/** X25519(scalar, u) into `out` (RFC 7748 §5): the scalar is clamped and the top bit of u
    masked here. Call only when has_ifma(). Every temporary holding the scalar or the
    ladder's state is wiped. */
inline void scalarmult(Byte* out, const Byte* scalar, const Byte* u_bytes) noexcept {
    Byte k[32];
    std::memcpy(k, scalar, 32);
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
    Fe u, x, z, zi, t[6];
    fe_from_bytes(u, u_bytes);
    ladder(x, z, k, u);
    fe_invert(zi, z, t);
    fe_mul(x, x, zi);
    fe_to_bytes(out, x);
    sealpipe::detail::secure_wipe(k, sizeof k);
    sealpipe::detail::secure_wipe(&x, sizeof x);
    sealpipe::detail::secure_wipe(&z, sizeof z);
    sealpipe::detail::secure_wipe(&zi, sizeof zi);
    sealpipe::detail::secure_wipe(t, sizeof t);
}

} // namespace sealpipe::keys::detail::x25519_ifma

#endif // SEALPIPE_KEYS_X25519_IFMA

#endif // SEALPIPE_KEYS_DETAIL_X25519_IFMA_HPP
