// expect: sealpipe: Pipeline<Stages\.\.\.>: compressing after encrypting is rejected
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Compressing ciphertext: pointless; the rule says compress first.
#include <sealpipe/encoding.hpp>

namespace enc = sealpipe::encoding;
using namespace sealpipe;

int main() {
    enc::Pipeline<aead::AesGcmSiv<256>, enc::SimpleLzw> p(aead::AesGcmSiv<256>::Key{}, {});
    return p.encode(as_bytes("x")).has_value() ? 0 : 1;
}
