// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The vocabulary of storage: objects are named by `object::Reference`; write times, batch items.

#ifndef SEALPIPE_STORAGE_TYPES_HPP
#define SEALPIPE_STORAGE_TYPES_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/object/reference.hpp>
#include <sealpipe/error.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace sealpipe::storage {

/** Stores name objects by their SHA256_V1 reference (doc/protocol.md, "Objects and references"). A
    `Reference` is always valid: a backend that reads one back from disk or a server parses it again. */
using object::Reference;
using object::ReferenceHash;

/// The clock of write times. Every backend records the wall-clock time of an object's last put.
using WriteClock = std::chrono::system_clock;
/// When an object was last put (stored, or stored again).
using WriteTime = WriteClock::time_point;

/// What `enumerate` reports for each stored object.
struct ObjectInfo {
    Reference reference;
    WriteTime written;
};

/// One element of `put_many`: a reference and the object's data (owned by the caller).
struct PutItem {
    Reference reference;
    ByteView data;
};

/// TLS material for a `grpcs://` store (PEM; all empty: the system's roots, no client
/// certificate).
struct RemoteTls {
    std::string ca_pem;   ///< CA certificates that verify the server
    std::string cert_pem; ///< client certificate chain, for mutual TLS
    std::string key_pem;  ///< its private key
};

/// The largest object SHA256_V1 allows (doc/protocol.md, "Objects and references"); backends refuse to load
/// anything larger.
inline constexpr std::size_t max_object_bytes = std::size_t{2} << 20;

namespace detail {
/// The one `object_not_found` message every backend uses.
[[nodiscard]] inline Error not_found(const Reference& r) {
    return fail(errc::object_not_found, "object " + r.to_hex() + " is not stored");
}
/// A stored object larger than any valid object: refused before it is loaded.
[[nodiscard]] inline Error oversized(const Reference& r, std::size_t got) {
    return fail(errc::object_corrupt, "object " + r.to_hex() + ": stored as " + std::to_string(got) +
                                           " bytes, more than the " + std::to_string(max_object_bytes) +
                                           "-byte limit");
}
} // namespace detail

} // namespace sealpipe::storage

#endif // SEALPIPE_STORAGE_TYPES_HPP
