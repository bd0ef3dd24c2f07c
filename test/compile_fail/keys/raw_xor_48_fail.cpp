// expect: sealpipe: key_for<Purpose>\(\) uses the raw-XOR tweak, which needs a 16- or 32-byte secret
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A P-384 secret (48 bytes) is no AES-GCM-SIV key: the raw tweak is refused at compile time.
#include <sealpipe/keys.hpp>

using namespace sealpipe::keys;

auto misuse(const SharedSecret<P384>& s) { return s.key_for<Purpose::Action>(); }
