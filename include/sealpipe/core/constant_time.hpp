// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Constant-time comparison of tags, proofs and other secrets.

#ifndef SEALPIPE_CORE_CONSTANT_TIME_HPP
#define SEALPIPE_CORE_CONSTANT_TIME_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/detail/cryptopp.hpp>

namespace sealpipe {

/** True when `a` and `b` hold the same bytes.
    @par Security The time taken depends on the lengths only, never on the contents, so it
    is safe for tags and proofs. Lengths are not secret. */
[[nodiscard]] inline bool constant_time_equal(ByteView a, ByteView b) noexcept {
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return CryptoPP::VerifyBufsEqual(a.data(), b.data(), a.size());
}

} // namespace sealpipe

#endif // SEALPIPE_CORE_CONSTANT_TIME_HPP
