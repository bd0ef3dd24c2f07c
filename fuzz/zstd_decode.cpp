// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fuzz target: the Zstandard stage never decodes (or allocates for) more than its bound, and
// rejects rather than crashes on anything that is not one canonical frame. Decoding into a
// caller's buffer gives what decoding gives, error for error.

#include <sealpipe/encoding/zstd.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sealpipe;
    static encoding::Zstd<1> zstd;
    constexpr std::size_t max = 1 << 16;
    auto out = zstd.decode({data, size}, {}, max);
    auto size_first = zstd.decoded_size({data, size}, {}, max);
    SecureBytes into;
    if (size_first) {
        into.resize(*size_first);
        auto n = zstd.decode_into({data, size}, {}, max, into);
        if (n) into.resize(*n);
        else size_first = n.error();
    }
    if (out.has_value() != size_first.has_value()) std::abort();
    if (!out) {
        if (out.error().code() != size_first.error().code() || out.error().message() != size_first.error().message())
            std::abort();
        return 0;
    }
    if (into != *out) std::abort();
    if (out->size() > max || (size != 0 && out->empty())) std::abort();
    auto again = zstd.encode(*out, {});
    if (!again) std::abort();
    auto back = zstd.decode(*again, {}, out->size());
    if (!back || *back != *out) std::abort();
    return 0;
}
