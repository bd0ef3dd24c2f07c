// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Twin of flat_prefix_fail.cpp: hash first, then size, is a valid format.
#include <sealpipe/object/reference.hpp>

using sealpipe::object::Field;
using sealpipe::object::FieldEncoding;

struct HashFirstFormat : sealpipe::object::Sha256V1 {
    static constexpr std::array<sealpipe::object::FieldLayout, 5> layout{{
        {Field::hash, 0, 32, FieldEncoding::bytes},
        {Field::size, 32, 3, FieldEncoding::little_endian},
        {Field::height, 35, 1, FieldEncoding::little_endian},
        {Field::degree, 36, 2, FieldEncoding::little_endian},
        {Field::parents_size, 38, 2, FieldEncoding::float16_little_endian},
    }};
};

std::size_t size_of(const sealpipe::object::BasicReference<HashFirstFormat>& r) { return r.size(); }
