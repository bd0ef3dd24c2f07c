// expect: sealpipe: Pipeline<Stages\.\.\.>: the stage at StageIndex is not an Encoder \(nor an Aead\): it needs the constants
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A stage that models neither Encoder nor Aead is refused, naming the missing part.
#include <sealpipe/encoding.hpp>

namespace enc = sealpipe::encoding;
using namespace sealpipe;

struct NotAnEncoder {};

int main() {
    enc::Pipeline<enc::SimpleLzw, NotAnEncoder> p;
    return p.encode(as_bytes("x")).has_value() ? 0 : 1;
}
