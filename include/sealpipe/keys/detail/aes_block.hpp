// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// One AES block (FIPS 197) through Crypto++, for the proof of possession.

#ifndef SEALPIPE_KEYS_DETAIL_AES_BLOCK_HPP
#define SEALPIPE_KEYS_DETAIL_AES_BLOCK_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/detail/cryptopp.hpp>
#include <sealpipe/error.hpp>

#include <cryptopp/aes.h>

#include <cstddef>

namespace sealpipe::keys::detail {

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

#endif // SEALPIPE_KEYS_DETAIL_AES_BLOCK_HPP
