// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fuzz target: PEM parsing never crashes, and every parsed block survives a write/parse
// round trip.

#include <sealpipe/core/pem.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sealpipe;
    auto blocks = pem_parse(std::string_view(reinterpret_cast<const char*>(data), size));
    if (!blocks) return 0;
    for (const auto& b : *blocks) {
        auto again = pem_parse_one(pem_write(b.type, ByteView(b.der.data(), b.der.size())), b.type);
        if (!again || again->der != b.der) std::abort();
    }
    return 0;
}
