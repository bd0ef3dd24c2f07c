// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The AEAD dispatch paths (`Implementation`), which of them this CPU supports, and which
// one sealpipe picks by default.

#ifndef SEALPIPE_AEAD_IMPLEMENTATION_HPP
#define SEALPIPE_AEAD_IMPLEMENTATION_HPP

#include <sealpipe/core/cpu.hpp>

#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

namespace sealpipe::aead {

/** A code path for AES-GCM-SIV. All produce identical bytes; they differ in speed and in the
    instructions they need. sealpipe picks the fastest one the CPU supports, once. */
enum class Implementation {
    portable,     ///< Crypto++'s AES and a constant-time POLYVAL in plain C++
    aesni,        ///< AES-NI + PCLMULQDQ (+ SSSE3, SSE4.1), 8 blocks in flight
    vaes_avx2,    ///< VAES + VPCLMULQDQ on 256-bit registers, 16 blocks in flight
    vaes_avx512,  ///< VAES + VPCLMULQDQ on 512-bit registers, 32 blocks in flight
};

/// Every implementation, slowest first.
inline constexpr std::array<Implementation, 4> all_implementations{
    Implementation::portable, Implementation::aesni, Implementation::vaes_avx2, Implementation::vaes_avx512};

/// The implementation's name as written in the enum ("vaes_avx512").
[[nodiscard]] constexpr std::string_view to_string(Implementation i) noexcept {
    switch (i) {
    case Implementation::portable: return "portable";
    case Implementation::aesni: return "aesni";
    case Implementation::vaes_avx2: return "vaes_avx2";
    case Implementation::vaes_avx512: return "vaes_avx512";
    }
    return "unknown";
}

/// Writes the implementation's name to a stream.
template <class Stream>
    requires requires(Stream& os, std::string_view s) { os << s; }
Stream& operator<<(Stream& os, Implementation i) {
    os << to_string(i);
    return os;
}

/// True when this CPU (and operating system) can run `i`. `portable` is always supported.
[[nodiscard]] inline bool is_supported(Implementation i) noexcept {
    const auto& f = sealpipe::cpu_features();
    switch (i) {
    case Implementation::portable: return true;
    case Implementation::aesni: return f.aesni;
    case Implementation::vaes_avx2: return f.vaes_avx2;
    case Implementation::vaes_avx512: return f.vaes_avx512;
    }
    return false;
}

/// The implementations this CPU supports, slowest first.
[[nodiscard]] inline std::vector<Implementation> supported_implementations() {
    std::vector<Implementation> out;
    for (auto i : all_implementations)
        if (is_supported(i)) out.push_back(i);
    return out;
}

/// The implementation used unless one is forced: the widest the CPU supports.
[[nodiscard]] inline Implementation default_implementation() noexcept {
    static const Implementation best = [] {
        Implementation b = Implementation::portable;
        for (auto i : all_implementations)
            if (is_supported(i)) b = i;
        return b;
    }();
    return best;
}

} // namespace sealpipe::aead

#endif // SEALPIPE_AEAD_IMPLEMENTATION_HPP
