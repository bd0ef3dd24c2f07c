// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of raw_xor_48_fail.cpp: naming the HKDF policy (the project's extension) compiles.
#include <sealpipe/keys.hpp>

using namespace sealpipe::keys;

auto use(const SharedSecret<P384>& s) { return s.key_for<Purpose::Action, HkdfSha256>(); }
