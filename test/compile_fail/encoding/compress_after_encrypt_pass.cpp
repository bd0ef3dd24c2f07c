// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of compress_after_encrypt_fail.cpp: compress, then encrypt.
#include <sealpipe/encoding.hpp>

namespace enc = sealpipe::encoding;
using namespace sealpipe;

int main() {
    enc::Pipeline<enc::SimpleLzw, aead::AesGcmSiv<256>> p({}, aead::AesGcmSiv<256>::Key{});
    return p.encode(as_bytes("x")).has_value() ? 0 : 1;
}
