// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fuzz target: parsing and validating SHA256_V1 references never crashes; an accepted
// reference re-packs from its fields to the same bytes and agrees with the flat reference.

#include <sealpipe/object/reference.hpp>

#include <algorithm>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sealpipe;
    using object::Reference;
    const ByteView in(data, size);
    const auto r = Reference::from_bytes(in);
    if (size != Reference::size_bytes) {
        if (r) std::abort();
        return 0;
    }
    if (!r) {
        if (!(r.error() == errc::invalid_reference) || r.error().message().empty()) std::abort();
        return 0;
    }
    const auto again = Reference::from_fields(r->hash(), r->size(), r->height(), r->degree(), r->max_parents_total_size());
    if (!again || !(*again == *r)) std::abort();
    if (r->degree() > r->size() / 40 || (r->degree() == 0) != (r->height() == 0)) std::abort();
    const auto flat = object::FlatReference::from_bytes(r->flat().bytes());
    if (!flat || flat->size() != r->size() || !std::equal(flat->bytes().begin(), flat->bytes().end(), in.begin()))
        std::abort();
    if (r->to_string().empty() || object::compare_by_height(*r, *r) != 0) std::abort();
    return 0;
}
