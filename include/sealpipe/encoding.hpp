// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Umbrella for encoders and pipelines. Zstandard (`encoding/zstd.hpp`) and the run-time
// configured `AnyPipeline` (`encoding/any_pipeline.hpp`) need libzstd (component
// sealpipe::zstd) and are included separately.

#ifndef SEALPIPE_ENCODING_HPP
#define SEALPIPE_ENCODING_HPP

#include <sealpipe/aead/aes_gcm.hpp>
#include <sealpipe/aead/aes_gcm_siv.hpp>
#include <sealpipe/encoding/concepts.hpp>
#include <sealpipe/encoding/description.hpp>
#include <sealpipe/encoding/encrypting.hpp>
#include <sealpipe/encoding/in_place.hpp>
#include <sealpipe/encoding/padme.hpp>
#include <sealpipe/encoding/pipeline.hpp>
#include <sealpipe/encoding/simple_lzw.hpp>

#endif // SEALPIPE_ENCODING_HPP
