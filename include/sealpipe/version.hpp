// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The library's version.

#ifndef SEALPIPE_VERSION_HPP
#define SEALPIPE_VERSION_HPP

/// Version as MAJOR * 10000 + MINOR * 100 + PATCH.
#define SEALPIPE_VERSION 100
#define SEALPIPE_VERSION_STRING "0.1.0"

#endif // SEALPIPE_VERSION_HPP
