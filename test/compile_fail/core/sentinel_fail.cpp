// expect: sealpipe: compile-fail sentinel
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Proves the compile-fail harness notices a failed build and matches its message.
static_assert(sizeof(int) == 0, "sealpipe: compile-fail sentinel");
