// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of not_an_encoder_fail.cpp: every stage is an encoder.
#include <sealpipe/encoding.hpp>

namespace enc = sealpipe::encoding;
using namespace sealpipe;

int main() {
    enc::Pipeline<enc::SimpleLzw> p;
    return p.encode(as_bytes("x")).has_value() ? 0 : 1;
}
