// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of store_needs_verifier_fail.cpp: a verifier with children() compiles.
#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/memory.hpp>

#include <vector>

struct Complete {
    static sealpipe::result<void> verify(const sealpipe::storage::Reference&, sealpipe::ByteView) { return {}; }
    static sealpipe::result<std::vector<sealpipe::storage::Reference>> children(const sealpipe::storage::Reference&,
                                                                         sealpipe::ByteView) {
        return std::vector<sealpipe::storage::Reference>{};
    }
};

int main() {
    sealpipe::storage::BasicStore<sealpipe::storage::Memory, Complete> store{sealpipe::storage::Memory{}};
    (void)store;
}
