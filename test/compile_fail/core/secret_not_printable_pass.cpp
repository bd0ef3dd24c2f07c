// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of secret_not_printable_fail.cpp: printing needs the explicit access token.
#include <sealpipe/core/hex.hpp>
#include <sealpipe/core/secret.hpp>
#include <iostream>

void leak(const sealpipe::FixedSecret<32>& key) {
    std::cout << sealpipe::hex_encode(key.reveal(sealpipe::hazmat::secret_access()));
}
