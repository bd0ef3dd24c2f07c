// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// SHA-256 and SHA-512, one-shot and incremental (Crypto++ underneath).

#ifndef SEALPIPE_CORE_HASH_HPP
#define SEALPIPE_CORE_HASH_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/detail/hash.hpp>

namespace sealpipe {

/** An incremental hash. `Algorithm` is `Sha256` or `Sha512` (below).
    @code
    Sha256 h; h.update(a); h.update(b); Digest32 d = h.finish();
    @endcode */
template <class Traits>
class BasicHash {
public:
    using digest_type = typename Traits::digest_type;
    static constexpr std::size_t digest_bytes = digest_type::size_bytes;
    static constexpr std::size_t block_bytes = Traits::block_bytes;

    BasicHash() = default;

    /// Absorbs more data.
    BasicHash& update(ByteView data) {
        impl_.update(data.data(), data.size());
        return *this;
    }
    /// Returns the digest and resets the object for reuse.
    [[nodiscard]] digest_type finish() {
        digest_type d;
        impl_.finish(d.data());
        return d;
    }
    /// One-shot digest.
    [[nodiscard]] static digest_type digest(ByteView data) {
        BasicHash h;
        h.update(data);
        return h.finish();
    }

private:
    typename Traits::impl_type impl_;
};

/// SHA-256 (FIPS 180-4).
using Sha256 = BasicHash<detail::Sha256Traits>;
/// SHA-512 (FIPS 180-4).
using Sha512 = BasicHash<detail::Sha512Traits>;

/// SHA-256 of `data`.
[[nodiscard]] inline Digest32 sha256(ByteView data) { return Sha256::digest(data); }
/// SHA-512 of `data`.
[[nodiscard]] inline Digest64 sha512(ByteView data) { return Sha512::digest(data); }

} // namespace sealpipe

#endif // SEALPIPE_CORE_HASH_HPP
