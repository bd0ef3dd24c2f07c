// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fuzz target: parse_python_json never crashes or hangs, and whatever parses prints with
// python_dumps to text that parses back to the same bytes (json.dumps is a fixed point).

#include <sealpipe/jose/python_json.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sealpipe::jose;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto value = parse_python_json(text);
    if (!value) return 0;
    auto printed = python_dumps(*value);
    if (!printed) std::abort();  // everything the parser accepts must print
    auto again = parse_python_json(*printed);
    if (!again) std::abort();
    auto reprinted = python_dumps(*again);
    if (!reprinted || *reprinted != *printed) std::abort();
    (void)compact_dumps(*value);
    return 0;
}
