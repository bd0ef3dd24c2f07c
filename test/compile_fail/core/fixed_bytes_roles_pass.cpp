// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of fixed_bytes_roles_fail.cpp: the right role compiles.
#include <sealpipe/core/bytes.hpp>

using Nonce = sealpipe::FixedBytes<12, struct NonceRole>;
using AeadTag = sealpipe::FixedBytes<12, struct AeadTagRole>;

bool check(const AeadTag& t) { return t[0] == 0; }
bool use(const AeadTag& t) { return check(t); }
