// expect: sealpipe: a StorageBackend needs put\(Reference, ByteView\)
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A store over something that only half models the backend concept (no get, no enumerate).
#include <sealpipe/storage/basic_store.hpp>

struct HalfBackend {
    sealpipe::result<void> put(const sealpipe::storage::Reference&, sealpipe::ByteView) { return {}; }
};

int main() {
    sealpipe::storage::BasicStore<HalfBackend> store{HalfBackend{}};
    (void)store;
}
