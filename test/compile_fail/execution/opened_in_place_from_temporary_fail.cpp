// expect: open_in_place\(buffer, now\) leaves the plaintext in `buffer`
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// An action opened in place leaves its plaintext in the caller's buffer: a temporary buffer
// would leave the plaintext view dangling, so a temporary is refused with a message.
#include <sealpipe/execution/worker.hpp>

#include <chrono>

using namespace sealpipe;

auto use(const execution::Worker& w, const Bytes& action) {
    return w.open_in_place(Bytes(action), std::chrono::system_clock::now());
}
