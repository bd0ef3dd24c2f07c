// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The Boost.Test main shared by every test executable.
#define BOOST_TEST_MODULE sealpipe
#include <boost/test/unit_test.hpp>
