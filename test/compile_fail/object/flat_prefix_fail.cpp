// expect: sealpipe: the flat reference \(Format::flat_reference_bytes\) must be the hash and the size fields
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A format that puts the size before the hash tiles its 40 bytes, but its first 35 bytes are
// no longer the flat reference (hash then size), which stores rely on.
#include <sealpipe/object/reference.hpp>

using sealpipe::object::Field;
using sealpipe::object::FieldEncoding;

struct SizeFirstFormat : sealpipe::object::Sha256V1 {
    static constexpr std::array<sealpipe::object::FieldLayout, 5> layout{{
        {Field::size, 0, 3, FieldEncoding::little_endian},
        {Field::hash, 3, 32, FieldEncoding::bytes},
        {Field::height, 35, 1, FieldEncoding::little_endian},
        {Field::degree, 36, 2, FieldEncoding::little_endian},
        {Field::parents_size, 38, 2, FieldEncoding::float16_little_endian},
    }};
};

std::size_t size_of(const sealpipe::object::BasicReference<SizeFirstFormat>& r) { return r.size(); }
