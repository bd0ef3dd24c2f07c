// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of writer_needs_pipeline_fail.cpp: the same AEAD as the last stage of a pipeline.
#include <sealpipe/aead/aes_gcm_siv.hpp>
#include <sealpipe/dag.hpp>
#include <sealpipe/encoding.hpp>
#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/memory.hpp>

int main() {
    using namespace sealpipe;
    encoding::DeterministicPipeline<aead::AesGcmSiv<256>> pipeline(aead::AesGcmSiv<256>::Key{});
    storage::MemoryStore store;
    dag::Writer writer(pipeline, store);
    (void)writer;
}
