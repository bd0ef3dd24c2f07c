// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of store_needs_backend_fail.cpp: a store over a real backend compiles.
#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/memory.hpp>

int main() {
    sealpipe::storage::BasicStore<sealpipe::storage::Memory> store{sealpipe::storage::Memory{}};
    (void)store;
}
