// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The vocabulary of storage: `Key` (a raw 40-byte reference), write times, batch items.

#ifndef SEALPIPE_STORAGE_KEY_HPP
#define SEALPIPE_STORAGE_KEY_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/hex.hpp>
#include <sealpipe/error.hpp>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace sealpipe::storage {

/** The key of a stored object: its 40-byte SHA256_V1 reference (doc/protocol.md, "Objects and references"),
    as raw bytes. Storage does not need to understand a key beyond what `Verifier` policies read from it. */
using Key = FixedBytes<40, struct KeyTag>;

/// The clock of write times. Every backend records the wall-clock time of an object's last put.
using Clock = std::chrono::system_clock;
/// When an object was last put (stored, or stored again).
using WriteTime = Clock::time_point;

/// What `enumerate` reports for each stored object.
struct ObjectInfo {
    Key key;
    WriteTime written;
};

/// One element of `put_many`: a key and the object's data (owned by the caller).
struct PutItem {
    Key key;
    ByteView data;
};

/// The largest object SHA256_V1 allows (doc/protocol.md, "Objects and references"); backends refuse to load
/// anything larger.
inline constexpr std::size_t max_object_bytes = std::size_t{2} << 20;

/// Lowercase hex of a key (80 characters), as the CLI prints references.
[[nodiscard]] inline std::string to_hex(const Key& k) { return hex_encode(k.view()); }

/** Parses 80 hex digits (either case) into a key.
    @par Errors `error::malformed_input` (not hex), `error::invalid_length` (not 40 bytes). */
[[nodiscard]] inline result<Key> key_from_hex(std::string_view hex) {
    auto bytes = hex_decode(hex);
    if (!bytes) return bytes.error();
    return Key::from(*bytes, "reference");
}

/// A hash for unordered containers of keys: the first 8 bytes of the SHA-256 are uniform.
struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
        std::size_t h;
        std::memcpy(&h, k.data(), sizeof h);
        return h;
    }
};

namespace detail {
/// The one `object_not_found` message every backend uses.
[[nodiscard]] inline Error not_found(const Key& k) {
    return fail(error::object_not_found, "object " + to_hex(k) + " is not stored");
}
/// A stored object larger than any valid object: refused before it is loaded.
[[nodiscard]] inline Error oversized(const Key& k, std::size_t got) {
    return fail(error::object_corrupt, "object " + to_hex(k) + ": stored as " + std::to_string(got) +
                                           " bytes, more than the " + std::to_string(max_object_bytes) +
                                           "-byte limit");
}
} // namespace detail

} // namespace sealpipe::storage

#endif // SEALPIPE_STORAGE_KEY_HPP
