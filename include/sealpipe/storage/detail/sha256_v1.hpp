// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The minimal reading of SHA256_V1 references that storage needs (SPEC.md §2): size,
// degree, hash check and the outgoing references at the front of an object.
//
// To be replaced by sealpipe::object's Reference (full validation) when the areas merge:
// storage only checks what is self-contained and never trusts a size it has not bounded.

#ifndef SEALPIPE_STORAGE_DETAIL_SHA256_V1_HPP
#define SEALPIPE_STORAGE_DETAIL_SHA256_V1_HPP

#include <sealpipe/core/constant_time.hpp>
#include <sealpipe/core/hash.hpp>
#include <sealpipe/storage/key.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace sealpipe::storage::detail::sha256_v1 {

inline constexpr std::size_t reference_bytes = 40;
inline constexpr std::size_t hash_offset = 0;    // 32 bytes: SHA-256 of the full data
inline constexpr std::size_t size_offset = 32;   // 3 bytes little-endian
inline constexpr std::size_t height_offset = 35; // 1 byte
inline constexpr std::size_t degree_offset = 36; // 2 bytes little-endian

/// The object size a reference announces (24-bit little-endian at bytes 32..35).
inline std::size_t size_of(const Key& k) noexcept {
    return std::size_t{k[size_offset]} | std::size_t{k[size_offset + 1]} << 8 |
           std::size_t{k[size_offset + 2]} << 16;
}
/// The height (byte 35).
inline unsigned height_of(const Key& k) noexcept { return k[height_offset]; }
/// The number of outgoing references (16-bit little-endian at bytes 36..38).
inline std::size_t degree_of(const Key& k) noexcept {
    return std::size_t{k[degree_offset]} | std::size_t{k[degree_offset + 1]} << 8;
}

/** Checks the self-contained parts of a key: a size within [1, 2 MiB] and room for its
    outgoing references (degree * 40 <= size). */
[[nodiscard]] inline result<void> check_key(const Key& k) {
    const std::size_t size = size_of(k), degree = degree_of(k);
    if (size == 0 || size > max_object_bytes)
        return fail(error::invalid_reference, "reference " + to_hex(k) + ": size " + std::to_string(size) +
                                                  " is outside [1, " + std::to_string(max_object_bytes) + "]");
    if (degree * reference_bytes > size)
        return fail(error::invalid_reference, "reference " + to_hex(k) + ": degree " + std::to_string(degree) +
                                                  " does not fit in " + std::to_string(size) + " bytes");
    return {};
}

/** An object against its key: length equals the size, SHA-256 equals the hash.
    @par Errors `error::object_corrupt` naming the key; `error::invalid_reference`. */
[[nodiscard]] inline result<void> verify(const Key& k, ByteView data) {
    if (auto r = check_key(k); !r) return r;
    if (data.size() != size_of(k))
        return fail(error::object_corrupt, "object " + to_hex(k) + ": expected " + std::to_string(size_of(k)) +
                                               " bytes, got " + std::to_string(data.size()));
    const Digest32 digest = sha256(data);
    if (!constant_time_equal(digest.view(), k.view().first(32)))
        return fail(error::object_corrupt, "object " + to_hex(k) + ": SHA-256 does not match the reference");
    return {};
}

/** Calls `f(child_key)` for each outgoing reference of a verified object (the first
    degree * 40 bytes). */
template <class F>
[[nodiscard]] result<void> for_each_child(const Key& k, ByteView data, F&& f) {
    const std::size_t degree = degree_of(k);
    if (degree * reference_bytes > data.size())
        return fail(error::object_corrupt, "object " + to_hex(k) + ": " + std::to_string(degree) +
                                               " outgoing references do not fit in " + std::to_string(data.size()) +
                                               " bytes");
    for (std::size_t i = 0; i < degree; ++i) {
        auto child = Key::from(data.subspan(i * reference_bytes, reference_bytes), "outgoing reference");
        if (!child) return child.error();
        f(*child);
    }
    return {};
}

} // namespace sealpipe::storage::detail::sha256_v1

#endif // SEALPIPE_STORAGE_DETAIL_SHA256_V1_HPP
