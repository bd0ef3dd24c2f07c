// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fuzz target: Action and Event decoding never crashes, and every accepted message
// re-encodes to bytes that decode to the same message (the canonical form is a fixed point).

#include <sealpipe/execution/messages.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sealpipe;
    using namespace sealpipe::execution;
    const ByteView in(data, size);
    if (auto a = Action::decode(in)) {
        const Bytes canonical = a->encode();
        auto again = Action::decode(canonical);
        if (!again || !(*again == *a) || again->encode() != canonical) std::abort();
        if (a->additional_data) (void)a->additional_data->encode();
    }
    if (auto e = Event::decode(in)) {
        auto again = Event::decode(e->encode());
        if (!again || !(*again == *e)) std::abort();
    }
    return 0;
}
