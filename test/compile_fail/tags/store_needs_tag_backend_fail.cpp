// expect: sealpipe: TagStore<Backend> requires a TagBackend
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A tag store over something that is not a tag backend is refused with one sentence.
#include <sealpipe/tags/store.hpp>

struct NotATagBackend {};

int main() {
    sealpipe::tags::TagStore<NotATagBackend> store{NotATagBackend{}};
    (void)store;
}
