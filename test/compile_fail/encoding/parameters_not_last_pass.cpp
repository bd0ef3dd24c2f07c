// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of parameters_not_last_fail.cpp: the encrypting stage is last.
#include <sealpipe/encoding.hpp>
#include <sealpipe/encoding/zstd.hpp>

namespace enc = sealpipe::encoding;
using namespace sealpipe;

int main() {
    const aead::AesGcmSiv<256>::Key key{};
    enc::Pipeline<enc::Zstd<>, aead::AesGcmSiv<256>> p({}, key);
    return p.encode(as_bytes("x")).has_value() ? 0 : 1;
}
