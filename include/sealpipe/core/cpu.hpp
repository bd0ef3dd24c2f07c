// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// CPU feature detection (CPUID and XGETBV, read once), shared by every area that picks an
// implementation at run time.

#ifndef SEALPIPE_CORE_CPU_HPP
#define SEALPIPE_CORE_CPU_HPP

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define SEALPIPE_X86_64 1
#include <cpuid.h>
#else
#define SEALPIPE_X86_64 0
#endif

#include <cstdint>

namespace sealpipe {

/** The instruction sets this CPU has and the operating system allows (the vector state is
    saved on context switches). Each flag implies the ones its path also needs. */
struct CpuFeatures {
    bool aesni = false;         ///< AES-NI, PCLMULQDQ, SSSE3, SSE4.1
    bool vaes_avx2 = false;     ///< AES-NI plus AVX2, VAES, VPCLMULQDQ and OS-saved YMM state
    bool vaes_avx512 = false;   ///< `vaes_avx2` plus AVX-512 F/VL/BW and OS-saved ZMM state
    bool avx512_ifma = false;   ///< AVX2, AVX-512 F/VL/IFMA and OS-saved ZMM state
};

/// Reads the features of this CPU (every call asks the CPU again; see `cpu_features`).
[[nodiscard]] inline CpuFeatures detect_cpu_features() noexcept {
    CpuFeatures f;
#if SEALPIPE_X86_64
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    const bool pclmul = (c >> 1) & 1, ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1, aes = (c >> 25) & 1;
    const bool osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    f.aesni = pclmul && ssse3 && sse41 && aes;
    if (!osxsave || !avx) return f;
    std::uint32_t xcr0_lo = 0, xcr0_hi = 0;
    __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    const bool ymm_state = (xcr0_lo & 0x6u) == 0x6u;
    const bool zmm_state = (xcr0_lo & 0xe6u) == 0xe6u;
    if (__get_cpuid_max(0, nullptr) < 7) return f;
    __cpuid_count(7, 0, a, b, c, d);
    const bool avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1, ifma = (b >> 21) & 1, avx512bw = (b >> 30) & 1,
               avx512vl = (b >> 31) & 1;
    const bool vaes = (c >> 9) & 1, vpclmulqdq = (c >> 10) & 1;
    f.vaes_avx2 = f.aesni && ymm_state && avx2 && vaes && vpclmulqdq;
    f.vaes_avx512 = f.vaes_avx2 && zmm_state && avx512f && avx512bw && avx512vl;
    f.avx512_ifma = zmm_state && avx2 && avx512f && ifma && avx512vl;
#endif
    return f;
}

/// The features of this machine, detected once.
[[nodiscard]] inline const CpuFeatures& cpu_features() noexcept {
    static const CpuFeatures f = detect_cpu_features();
    return f;
}

} // namespace sealpipe

#endif // SEALPIPE_CORE_CPU_HPP
