// expect: sealpipe: a secret cannot be printed
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Secrets have no printable form: streaming one is a compile error.
#include <sealpipe/core/secret.hpp>
#include <iostream>

void leak(const sealpipe::FixedSecret<32>& key) { std::cout << key; }
