// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// HKDF-SHA-256 (RFC 5869), the one key-derivation function every area shares.

#ifndef SEALPIPE_CORE_KDF_HPP
#define SEALPIPE_CORE_KDF_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/detail/cryptopp.hpp>
#include <sealpipe/error.hpp>

#include <cryptopp/hkdf.h>
#include <cryptopp/sha.h>

#include <cstddef>
#include <string>

namespace sealpipe {

/// Largest HKDF-SHA-256 output (RFC 5869 §2.3: L <= 255 * HashLen).
inline constexpr std::size_t hkdf_sha256_max_bytes = 255 * 32;

/** HKDF-SHA-256 (RFC 5869): fills `out` from the input keying material `ikm`, a `salt` (empty
    means HashLen zero bytes, §2.2) and the context `info`.
    @par Errors `errc::invalid_argument` when `out` is longer than 8160 bytes. */
[[nodiscard]] inline result<void> hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, MutableByteView out) {
    if (out.size() > hkdf_sha256_max_bytes)
        return fail(errc::invalid_argument, "HKDF-SHA-256: output of " + std::to_string(out.size()) +
                                                 " bytes exceeds the maximum of 8160");
    try {
        CryptoPP::HKDF<CryptoPP::SHA256> kdf;
        kdf.DeriveKey(out.data(), out.size(), ikm.data(), ikm.size(), salt.data(), salt.size(), info.data(),
                      info.size());
        return {};
    } catch (const CryptoPP::Exception& e) {
        return detail::from_cryptopp(e);
    }
}

} // namespace sealpipe

#endif // SEALPIPE_CORE_KDF_HPP
