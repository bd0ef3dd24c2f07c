// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fuzz target: strict base64/base64url/hex decoding never crashes, and whatever decodes
// re-encodes to the same text (one spelling per value).

#include <sealpipe/core/base64.hpp>
#include <sealpipe/core/hex.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sealpipe;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (auto alphabet : {Base64Alphabet::standard, Base64Alphabet::url})
        for (auto padding : {Base64Padding::padded, Base64Padding::unpadded}) {
            auto decoded = base64_decode(text, alphabet, padding);
            if (decoded && base64_encode(*decoded, alphabet, padding) != text) std::abort();
        }
    if (auto decoded = hex_decode(text)) {
        if (decoded->size() * 2 != text.size()) std::abort();
    }
    return 0;
}
