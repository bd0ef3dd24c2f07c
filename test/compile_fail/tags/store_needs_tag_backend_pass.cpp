// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of store_needs_tag_backend_fail.cpp: a tag store over the in-memory tag backend.
#include <sealpipe/tags/store.hpp>

int main() {
    sealpipe::tags::TagStore<sealpipe::tags::MemoryTags> store{sealpipe::tags::MemoryTags{}};
    (void)store;
}
