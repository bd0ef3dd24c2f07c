// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The twin of opened_in_place_from_temporary_fail.cpp: a buffer that outlives the call opens
// in place, and the plaintext is a view of it.
#include <sealpipe/execution/worker.hpp>

#include <chrono>

using namespace sealpipe;

auto use(const execution::Worker& w, Bytes& action) {
    return w.open_in_place(action, std::chrono::system_clock::now());
}
