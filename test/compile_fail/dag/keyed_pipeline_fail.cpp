// expect: sealpipe: a DAG needs a deterministic or randomized pipeline
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A keyed pipeline takes caller-chosen decoding parameters per object; a DAG derives them by encoding.
#include <sealpipe/aead/aes_gcm_siv.hpp>
#include <sealpipe/dag.hpp>
#include <sealpipe/encoding.hpp>
#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/memory.hpp>

int main() {
    using namespace sealpipe;
    encoding::KeyedPipeline<aead::AesGcmSiv<256>> pipeline(aead::AesGcmSiv<256>::Key{});
    storage::MemoryStore store;
    dag::Reader reader(pipeline, store);
    (void)reader;
}
