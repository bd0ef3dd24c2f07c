// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Umbrella for the core utilities: the error model, bytes, secrets, hex, base64, PEM,
// constant-time comparison, hashes, HKDF, the RNG, CPU feature detection and the version.

#ifndef SEALPIPE_CORE_HPP
#define SEALPIPE_CORE_HPP

#include <sealpipe/error.hpp>
#include <sealpipe/core/base64.hpp>
#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/constant_time.hpp>
#include <sealpipe/core/cpu.hpp>
#include <sealpipe/core/hash.hpp>
#include <sealpipe/core/hex.hpp>
#include <sealpipe/core/kdf.hpp>
#include <sealpipe/core/pem.hpp>
#include <sealpipe/core/random.hpp>
#include <sealpipe/core/secret.hpp>
#include <sealpipe/version.hpp>

#endif // SEALPIPE_CORE_HPP
