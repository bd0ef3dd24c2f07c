// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of sentinel_fail.cpp: the same assertion, satisfied.
static_assert(sizeof(int) != 0, "sealpipe: compile-fail sentinel");
