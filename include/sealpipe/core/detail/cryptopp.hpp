// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The one place core headers include Crypto++'s utility header, and the translation of
// Crypto++ exceptions into sealpipe errors.

#ifndef SEALPIPE_CORE_DETAIL_CRYPTOPP_HPP
#define SEALPIPE_CORE_DETAIL_CRYPTOPP_HPP

#include <sealpipe/error.hpp>

#include <cryptopp/cryptlib.h>
#include <cryptopp/misc.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace sealpipe::detail {

/// Overwrites memory with zeros in a way the optimiser may not remove.
inline void secure_wipe(void* p, std::size_t n) noexcept {
    if (n != 0) CryptoPP::SecureWipeBuffer(static_cast<CryptoPP::byte*>(p), n);
}

/// Translates a Crypto++ exception (see CryptoPP::Exception::ErrorType).
inline Error from_cryptopp(const CryptoPP::Exception& e) {
    using T = CryptoPP::Exception::ErrorType;
    switch (e.GetErrorType()) {
    case T::INVALID_ARGUMENT: return Error(errc::invalid_argument, e.GetWhat());
    case T::INVALID_DATA_FORMAT:
    case T::DATA_INTEGRITY_CHECK_FAILED: return Error(errc::malformed_input, e.GetWhat());
    case T::CANNOT_FLUSH:
    case T::IO_ERROR: return Error(errc::io_error, e.GetWhat());
    case T::NOT_IMPLEMENTED: return Error(errc::unsupported, e.GetWhat());
    case T::OTHER_ERROR: break;
    }
    return Error(errc::internal, e.GetWhat());
}

} // namespace sealpipe::detail

#endif // SEALPIPE_CORE_DETAIL_CRYPTOPP_HPP
