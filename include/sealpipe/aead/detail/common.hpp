// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Internals shared by every AES-GCM-SIV dispatch path: key and hash-key storage, the table
// of per-path operations, and small helpers on 16-byte blocks.

#ifndef SEALPIPE_AEAD_DETAIL_COMMON_HPP
#define SEALPIPE_AEAD_DETAIL_COMMON_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/detail/cryptopp.hpp>

#include <cryptopp/aes.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#define SEALPIPE_AEAD_X86 1
#else
#define SEALPIPE_AEAD_X86 0
#endif

namespace sealpipe::aead::detail {

inline constexpr std::size_t block_bytes = 16;

/// How many powers of the POLYVAL key the widest path uses (32 blocks per reduction).
inline constexpr std::size_t max_hash_powers = 32;

/** An expanded AES key. The intrinsic paths use `round_keys`; the portable path uses the
    Crypto++ object (which wipes its own schedule). Both are wiped by `clear()`. */
struct AesKey {
    alignas(64) Byte round_keys[15 * block_bytes] = {};
    CryptoPP::AES::Encryption cryptopp;

    void clear() noexcept { sealpipe::detail::secure_wipe(round_keys, sizeof round_keys); }
};

/** The POLYVAL key and its powers: `powers[max_hash_powers - k]` holds H^k (in POLYVAL's
    Montgomery form, H^k = dot(H^(k-1), H)), so that `n` consecutive blocks line up with
    the `n` powers ending at the last entry. A path fills only as many as it uses. */
struct HashKey {
    alignas(64) Byte powers[max_hash_powers * block_bytes] = {};
    /// For Karatsuba multiplication (paths that use it): each power's two 64-bit halves
    /// xored together, in both halves, at the same index as in `powers`.
    alignas(64) Byte folded[max_hash_powers * block_bytes] = {};
    /// `Ops::polyval` may take at most this many blocks per call before the path's
    /// `extend_hash_key` has run (powers are computed lazily: short messages need few).
    std::size_t ready_blocks = 0;

    const Byte* power(std::size_t k) const noexcept { return powers + (max_hash_powers - k) * block_bytes; }
    Byte* power(std::size_t k) noexcept { return powers + (max_hash_powers - k) * block_bytes; }
    const Byte* folded_power(std::size_t k) const noexcept { return folded + (max_hash_powers - k) * block_bytes; }
    Byte* folded_power(std::size_t k) noexcept { return folded + (max_hash_powers - k) * block_bytes; }
    void clear() noexcept {
        sealpipe::detail::secure_wipe(powers, sizeof powers);
        sealpipe::detail::secure_wipe(folded, sizeof folded);
    }
};

/** The operations a dispatch path provides. `Rounds` (10 or 14) is fixed per table. */
struct Ops {
    /// Expands a 16- or 32-byte AES key.
    void (*set_key)(AesKey&, const Byte* key, std::size_t key_bytes);
    /// Encrypts `n` independent blocks (key derivation and the tag; n is small).
    void (*encrypt_blocks)(const AesKey&, const Byte* in, Byte* out, std::size_t n);
    /// Sets the POLYVAL key H and the first powers; sets `HashKey::ready_blocks`.
    void (*set_hash_key)(HashKey&, const Byte* h);
    /// Computes the remaining powers the path uses (ready_blocks becomes unlimited). Null
    /// when `set_hash_key` already computes them all.
    void (*extend_hash_key)(HashKey&);
    /// Absorbs `n` whole blocks into the POLYVAL accumulator `state` (RFC 8452 §3).
    void (*polyval)(const HashKey&, Byte* state, const Byte* data, std::size_t n);
    /// AES-CTR with RFC 8452's 32-bit little-endian counter in bytes 0..3 of `counter`
    /// (it wraps modulo 2^32); `len` bytes, any length; `in == out` is allowed.
    void (*ctr32)(const AesKey&, const Byte* counter, const Byte* in, Byte* out, std::size_t len);
    /// Open's fused pass: decrypts whole batches (the path's width) of `in` with CTR and
    /// absorbs the plaintext into POLYVAL in the same loop, so that AES and carry-less
    /// multiplication overlap. Advances `counter`; returns the bytes done (a multiple of the
    /// batch, possibly 0). Null when the path has none.
    std::size_t (*decrypt_and_hash)(const AesKey&, const HashKey&, Byte* state, Byte* counter, const Byte* in,
                                    Byte* out, std::size_t len);
    /// RFC 8452 §4 in one call: the message-encryption key (expanded) and the POLYVAL key
    /// (as `set_hash_key` leaves it) for a 12-byte nonce, from the expanded key-generating
    /// key. Null when the path derives through `encrypt_blocks`, `set_hash_key` and `set_key`.
    void (*derive_keys)(const AesKey& kgk, const Byte* nonce, AesKey& enc, HashKey& hk);
};

inline std::uint32_t load_le32(const Byte* p) noexcept {
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 |
           std::uint32_t(p[3]) << 24;
}
inline void store_le32(Byte* p, std::uint32_t v) noexcept {
    p[0] = Byte(v);
    p[1] = Byte(v >> 8);
    p[2] = Byte(v >> 16);
    p[3] = Byte(v >> 24);
}
inline std::uint64_t load_le64(const Byte* p) noexcept {
    return std::uint64_t(load_le32(p)) | std::uint64_t(load_le32(p + 4)) << 32;
}
inline void store_le64(Byte* p, std::uint64_t v) noexcept {
    store_le32(p, std::uint32_t(v));
    store_le32(p + 4, std::uint32_t(v >> 32));
}

inline constexpr std::size_t unlimited_blocks = ~std::size_t{0};

/// Makes sure `hk` holds every power that `ops.polyval` needs for `n` blocks.
inline void prepare_hash_key(const Ops& ops, HashKey& hk, std::size_t n) {
    if (n > hk.ready_blocks && ops.extend_hash_key != nullptr) ops.extend_hash_key(hk);
}

/// Adds `n` to the 32-bit little-endian counter in bytes 0..3 (modulo 2^32, RFC 8452 §4).
inline void counter_add(Byte* block, std::size_t n) noexcept {
    store_le32(block, load_le32(block) + static_cast<std::uint32_t>(n));
}

} // namespace sealpipe::aead::detail

#endif // SEALPIPE_AEAD_DETAIL_COMMON_HPP
