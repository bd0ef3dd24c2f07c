// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Umbrella for the byte-level codecs: Bonanza's forward varints and Simple LZW, and the strict
// protobuf wire codec of the execution messages.

#ifndef SEALPIPE_CODEC_HPP
#define SEALPIPE_CODEC_HPP

#include <sealpipe/codec/protobuf.hpp>
#include <sealpipe/codec/simple_lzw.hpp>
#include <sealpipe/codec/varint.hpp>

#endif // SEALPIPE_CODEC_HPP
