// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of format_tiling_fail.cpp: the same policy with the fields packed tightly compiles.
#include <sealpipe/object/reference.hpp>

using sealpipe::object::Field;
using sealpipe::object::FieldEncoding;

struct PackedFormat : sealpipe::object::Sha256V1 {
    static constexpr std::array<sealpipe::object::FieldLayout, 5> layout{{
        {Field::hash, 0, 32, FieldEncoding::bytes},
        {Field::size, 32, 3, FieldEncoding::little_endian},
        {Field::height, 35, 1, FieldEncoding::little_endian},
        {Field::degree, 36, 2, FieldEncoding::little_endian},
        {Field::parents_size, 38, 2, FieldEncoding::float16_little_endian},
    }};
};

std::size_t height_of(const sealpipe::object::BasicReference<PackedFormat>& r) { return r.height(); }
