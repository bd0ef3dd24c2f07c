// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The symmetric primitives of the keys area, through Crypto++: HKDF-SHA-256 (RFC 5869)
// and one AES block (FIPS 197) for the proof of possession.

#ifndef SEALPIPE_KEYS_DETAIL_SYMMETRIC_HPP
#define SEALPIPE_KEYS_DETAIL_SYMMETRIC_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/detail/cryptopp.hpp>
#include <sealpipe/error.hpp>

#include <cryptopp/aes.h>
#include <cryptopp/hkdf.h>
#include <cryptopp/sha.h>

#include <cstddef>
#include <string>

namespace sealpipe::keys::detail {

/// Largest HKDF-SHA-256 output (RFC 5869 §2.3: L <= 255 * HashLen).
inline constexpr std::size_t hkdf_sha256_max_bytes = 255 * 32;

/** HKDF-SHA-256 (RFC 5869). An empty salt means HashLen zero bytes (§2.2).
    @par Errors `error::invalid_argument` when `out` is longer than 8160 bytes. */
[[nodiscard]] inline result<void> hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, MutableByteView out) {
    if (out.size() > hkdf_sha256_max_bytes)
        return fail(error::invalid_argument, "HKDF-SHA-256: output of " + std::to_string(out.size()) +
                                                 " bytes exceeds the maximum of 8160");
    try {
        CryptoPP::HKDF<CryptoPP::SHA256> kdf;
        kdf.DeriveKey(out.data(), out.size(), ikm.data(), ikm.size(), salt.data(), salt.size(), info.data(),
                      info.size());
        return {};
    } catch (const CryptoPP::Exception& e) {
        return sealpipe::detail::from_cryptopp(e);
    }
}

/** AES-ECB of one block (the key is 16, 24 or 32 bytes; checked by the caller). */
[[nodiscard]] inline result<void> aes_encrypt_block(ByteView key, const Byte* in, Byte* out) {
    try {
        CryptoPP::AES::Encryption aes(key.data(), key.size());
        aes.ProcessBlock(in, out);
        return {};
    } catch (const CryptoPP::Exception& e) {
        return sealpipe::detail::from_cryptopp(e);
    }
}

} // namespace sealpipe::keys::detail

#endif // SEALPIPE_KEYS_DETAIL_SYMMETRIC_HPP
