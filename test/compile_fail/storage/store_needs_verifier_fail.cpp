// expect: sealpipe: BasicStore<Backend, Verifier> requires 'Verifier' to model sealpipe::storage::ObjectVerifier
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A verifier that cannot find an object's children cannot drive reachability or GC.
#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/memory.hpp>

struct VerifyOnly {
    static sealpipe::result<void> verify(const sealpipe::storage::Reference&, sealpipe::ByteView) { return {}; }
};

int main() {
    sealpipe::storage::BasicStore<sealpipe::storage::Memory, VerifyOnly> store{sealpipe::storage::Memory{}};
    (void)store;
}
