// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of keyed_pipeline_fail.cpp: the same chain in randomized mode.
#include <sealpipe/aead/aes_gcm_siv.hpp>
#include <sealpipe/dag.hpp>
#include <sealpipe/encoding.hpp>
#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/memory.hpp>

int main() {
    using namespace sealpipe;
    encoding::RandomizedPipeline<aead::AesGcmSiv<256>> pipeline(aead::AesGcmSiv<256>::Key{});
    storage::MemoryStore store;
    dag::Reader reader(pipeline, store);
    (void)reader;
}
