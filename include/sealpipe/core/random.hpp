// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The secure random number generator: a handle on the operating system's CSPRNG.

#ifndef SEALPIPE_CORE_RANDOM_HPP
#define SEALPIPE_CORE_RANDOM_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/detail/cryptopp.hpp>

#include <cryptopp/osrng.h>

#include <cerrno>
#include <concepts>
#include <cstring>
#include <string>

#if defined(__linux__)
#include <sys/random.h>
#endif

namespace sealpipe {

/** A handle on the operating system's CSPRNG: getrandom(2) on Linux (one system call, no
    file to open; it waits only while the kernel's pool is not yet initialized at boot), and
    Crypto++'s `OS_GenerateRandomBlock` elsewhere or where the kernel lacks getrandom.
    Stateless: copies are cheap and share nothing, so it is safe to use from any thread and
    after fork(). */
class SystemRng {
public:
    /** Fills `out` with random bytes.
        @par Errors `errc::io_error` if the operating system cannot supply randomness. */
    [[nodiscard]] result<void> fill(MutableByteView out) const {
#if defined(__linux__)
        while (!out.empty()) {
            const auto n = ::getrandom(out.data(), out.size(), 0);
            if (n > 0) {
                out = out.subspan(static_cast<std::size_t>(n));
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == ENOSYS) break;   // an old kernel: the portable path below
            return fail(errc::io_error, std::string("getrandom: ") + std::strerror(errno));
        }
#endif
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
