// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Maps an `Implementation` and an AES round count to its operation table.

#ifndef SEALPIPE_AEAD_DETAIL_DISPATCH_HPP
#define SEALPIPE_AEAD_DETAIL_DISPATCH_HPP

#include <sealpipe/aead/detail/common.hpp>
#include <sealpipe/aead/detail/portable.hpp>
#include <sealpipe/aead/implementation.hpp>

#if SEALPIPE_AEAD_X86
#include <sealpipe/aead/detail/aesni.hpp>
#include <sealpipe/aead/detail/vaes_avx2.hpp>
#include <sealpipe/aead/detail/vaes_avx512.hpp>
#endif

namespace sealpipe::aead::detail {

/// The table for `impl`; the caller has checked `is_supported(impl)`.
template <unsigned Rounds>
const Ops& ops_for(Implementation impl) noexcept {
    switch (impl) {
#if SEALPIPE_AEAD_X86
    case Implementation::aesni: return aesni::ops<Rounds>;
    case Implementation::vaes_avx2: return vaes_avx2::ops<Rounds>;
    case Implementation::vaes_avx512: return vaes_avx512::ops<Rounds>;
#endif
    default: return portable::ops;
    }
}

} // namespace sealpipe::aead::detail

#endif // SEALPIPE_AEAD_DETAIL_DISPATCH_HPP
