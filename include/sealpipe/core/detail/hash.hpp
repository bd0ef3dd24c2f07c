// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Crypto++ adapters behind sealpipe's hash types.

#ifndef SEALPIPE_CORE_DETAIL_HASH_HPP
#define SEALPIPE_CORE_DETAIL_HASH_HPP

#include <sealpipe/core/bytes.hpp>

#include <cryptopp/sha.h>

namespace sealpipe::detail {

template <class CryptoppHash>
class CryptoppHashImpl {
public:
    void update(const Byte* p, std::size_t n) { h_.Update(p, n); }
    void finish(Byte* out) { h_.Final(out); }   // Final restarts the hash
private:
    CryptoppHash h_;
};

struct Sha256Traits {
    using digest_type = Digest32;
    using impl_type = CryptoppHashImpl<CryptoPP::SHA256>;
    static constexpr std::size_t block_bytes = 64;
};
struct Sha512Traits {
    using digest_type = Digest64;
    using impl_type = CryptoppHashImpl<CryptoPP::SHA512>;
    static constexpr std::size_t block_bytes = 128;
};

} // namespace sealpipe::detail

#endif // SEALPIPE_CORE_DETAIL_HASH_HPP
