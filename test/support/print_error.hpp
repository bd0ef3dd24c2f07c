// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Test support: lets BOOST_TEST(r.error() == errc::x) and comparisons of fixed-size byte
// values and public JWKs print both sides when they fail.

#ifndef SEALPIPE_TEST_SUPPORT_PRINT_ERROR_HPP
#define SEALPIPE_TEST_SUPPORT_PRINT_ERROR_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/hex.hpp>
#include <sealpipe/error.hpp>

#include <ostream>
#include <type_traits>

namespace sealpipe {
inline std::ostream& boost_test_print_type(std::ostream& os, errc e) {
    return os << "error(" << static_cast<int>(e) << ": " << make_error_code(e).message() << ")";
}
inline std::ostream& boost_test_print_type(std::ostream& os, const Error& e) {
    return os << "Error(" << e.code().value() << ": " << e.message() << ")";
}
namespace jose {
class PublicJwk;
/// Any JWK-like value with kid() and key(): prints "kid:hex".
template <class Jwk>
    requires std::is_same_v<Jwk, PublicJwk>
std::ostream& boost_test_print_type(std::ostream& os, const Jwk& k) {
    return os << k.kid() << ":" << hex_encode(k.key().raw());
}
} // namespace jose

template <std::size_t N, class Role>
std::ostream& boost_test_print_type(std::ostream& os, const FixedBytes<N, Role>& b) {
    return os << hex_encode(b.view());
}
} // namespace sealpipe

#endif // SEALPIPE_TEST_SUPPORT_PRINT_ERROR_HPP
