// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The secure random number generator: a handle on the operating system's CSPRNG.

#ifndef SEALPIPE_CORE_RANDOM_HPP
#define SEALPIPE_CORE_RANDOM_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/detail/cryptopp.hpp>

#include <cryptopp/osrng.h>

#include <concepts>

namespace sealpipe {

/** A handle on the operating system's CSPRNG (getrandom(2) / /dev/urandom through
    Crypto++'s `OS_GenerateRandomBlock`). Stateless: copies are cheap and share nothing, so
    it is safe to use from any thread and after fork(). */
class SystemRng {
public:
    /** Fills `out` with random bytes.
        @par Errors `errc::io_error` if the operating system cannot supply randomness. */
    [[nodiscard]] result<void> fill(MutableByteView out) const {
        try {
            if (!out.empty()) CryptoPP::OS_GenerateRandomBlock(false, out.data(), out.size());
            return {};
        } catch (const CryptoPP::Exception& e) {
            return detail::from_cryptopp(e);
        }
    }

    /** N random bytes of the given strong type: `rng.generate<Nonce>()` for a `FixedBytes`,
        `rng.generate<AesGcmSiv<256>::Key>()` for a secret (a type with a static `generate()`). */
    template <class Fixed>
    [[nodiscard]] result<Fixed> generate() const {
        if constexpr (requires { { Fixed::generate() } -> std::same_as<result<Fixed>>; }) {
            return Fixed::generate();
        } else {
            Fixed f;
            if (auto r = fill(f.mutable_view()); !r) return r.error();
            return f;
        }
    }
};

/// Fills `out` from the system CSPRNG.
[[nodiscard]] inline result<void> random_bytes(MutableByteView out) { return SystemRng{}.fill(out); }

} // namespace sealpipe

#endif // SEALPIPE_CORE_RANDOM_HPP
