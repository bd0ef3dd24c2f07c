// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fuzz target: the Simple LZW stage decodes any input without crashing or exceeding its
// bound, and whatever it decodes, it re-encodes and decodes to the same bytes.

#include <sealpipe/encoding/simple_lzw.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sealpipe;
    encoding::SimpleLzw lzw;
    constexpr std::size_t max = 1 << 16;
    auto out = lzw.decode({data, size}, {}, max);
    if (!out) return 0;
    if (out->size() > max) std::abort();
    auto again = lzw.encode(*out, {});
    if (!again) std::abort();
    auto back = lzw.decode(*again, {}, out->size());
    if (!back || *back != *out) std::abort();
    return 0;
}
