// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The Crypto++ adapter behind `aead::AesGcm`: GCM<AES> with a 16-byte tag, exceptions
// translated into sealpipe errors.

#ifndef SEALPIPE_AEAD_DETAIL_CRYPTOPP_GCM_HPP
#define SEALPIPE_AEAD_DETAIL_CRYPTOPP_GCM_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/detail/cryptopp.hpp>
#include <sealpipe/error.hpp>

#include <cryptopp/aes.h>
#include <cryptopp/gcm.h>

#include <cstddef>
#include <memory>

namespace sealpipe::aead::detail {

/// Keyed GCM<AES> encryption and decryption objects (Crypto++ keeps the expanded key and the
/// GHASH tables; both are wiped by Crypto++'s SecBlocks on destruction).
class CryptoppGcm {
public:
    CryptoppGcm(const Byte* key, std::size_t key_bytes, std::size_t nonce_bytes) {
        const Byte zero_iv[16] = {};
        enc_.SetKeyWithIV(key, key_bytes, zero_iv, nonce_bytes);
        dec_.SetKeyWithIV(key, key_bytes, zero_iv, nonce_bytes);
    }

    /// NIST SP 800-38D: encrypts `n` bytes from `in` to `out` (may be equal) and writes the tag.
    result<void> seal(const Byte* nonce, std::size_t nonce_bytes, ByteView aad, const Byte* in, Byte* out,
                      std::size_t n, Byte* tag, std::size_t tag_bytes) {
        try {
            enc_.EncryptAndAuthenticate(out, tag, tag_bytes, nonce, static_cast<int>(nonce_bytes), aad.data(),
                                        aad.size(), in, n);
            return {};
        } catch (const CryptoPP::Exception& e) {
            return sealpipe::detail::from_cryptopp(e);
        }
    }

    /// Verifies the tag and decrypts; returns false (and `out` undefined) when it does not verify.
    result<bool> open(const Byte* nonce, std::size_t nonce_bytes, ByteView aad, const Byte* in, Byte* out,
                      std::size_t n, const Byte* tag, std::size_t tag_bytes) {
        try {
            return dec_.DecryptAndVerify(out, tag, tag_bytes, nonce, static_cast<int>(nonce_bytes), aad.data(),
                                         aad.size(), in, n);
        } catch (const CryptoPP::Exception& e) {
            return sealpipe::detail::from_cryptopp(e);
        }
    }

private:
    CryptoPP::GCM<CryptoPP::AES>::Encryption enc_;
    CryptoPP::GCM<CryptoPP::AES>::Decryption dec_;
};

} // namespace sealpipe::aead::detail

#endif // SEALPIPE_AEAD_DETAIL_CRYPTOPP_GCM_HPP
