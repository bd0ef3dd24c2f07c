// expect: sealpipe: a DAG's codec must be an encoder pipeline
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// An AEAD is not a pipeline: a DAG needs the decoding parameters an encoder chain returns.
#include <sealpipe/aead/aes_gcm_siv.hpp>
#include <sealpipe/dag.hpp>
#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/memory.hpp>

int main() {
    using namespace sealpipe;
    aead::AesGcmSiv<256>::Context aead(aead::AesGcmSiv<256>::Key{});
    storage::MemoryStore store;
    dag::Writer writer(aead, store);
    (void)writer;
}
