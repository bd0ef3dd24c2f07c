// expect: sealpipe: the fields of Format::layout must tile Format::reference_bytes exactly
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A reference format whose fields leave a gap (byte 36 belongs to no field) is refused where
// a reference type is made from it.
#include <sealpipe/object/reference.hpp>

using sealpipe::object::Field;
using sealpipe::object::FieldEncoding;

struct GappedFormat : sealpipe::object::Sha256V1 {
    static constexpr std::array<sealpipe::object::FieldLayout, 5> layout{{
        {Field::hash, 0, 32, FieldEncoding::bytes},
        {Field::size, 32, 3, FieldEncoding::little_endian},
        {Field::height, 35, 1, FieldEncoding::little_endian},
        {Field::degree, 37, 2, FieldEncoding::little_endian},
        {Field::parents_size, 39, 2, FieldEncoding::float16_little_endian},
    }};
};

std::size_t height_of(const sealpipe::object::BasicReference<GappedFormat>& r) { return r.height(); }
