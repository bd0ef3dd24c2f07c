// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fuzz target: Simple LZW decompression of arbitrary bytes with a small maximum never
// crashes and never returns more than the maximum; compressing the input and decompressing
// it again gives the input back.

#include <sealpipe/codec/simple_lzw.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sealpipe;
    namespace lzw = codec::simple_lzw;
    constexpr std::size_t max_size = 1 << 16;
    const ByteView in(data, size);
    const auto out = lzw::decompress(in, max_size);
    if (out) {
        if (out->size() > max_size) std::abort();
        // What decodes, re-encodes to something that decodes to the same.
        const auto again = lzw::decompress(lzw::compress(*out), out->size());
        if (!again || *again != *out) std::abort();
    } else if (!(out.error() == condition::bad_input)) {
        std::abort();
    }
    const auto round = lzw::decompress(lzw::compress(in), size);
    if (!round || *round != to_bytes(in)) std::abort();
    return 0;
}
