// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fuzz target: object data checked against a reference (the first 40 bytes of the input,
// the rest being the data) never crashes, and whatever is accepted rebuilds to the same
// reference from its children and payload.

#include <sealpipe/object/contents.hpp>

#include <cstdlib>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sealpipe;
    using object::Reference;
    if (size < Reference::size_bytes) return 0;
    const ByteView in(data, size);
    const auto ref = Reference::from_bytes(in.first(Reference::size_bytes));
    const ByteView body = in.subspan(Reference::size_bytes);
    if (ref) {
        const auto view = object::ContentsView::from_data(*ref, body);
        if (view) {
            const std::vector<Reference> kids(view->children().begin(), view->children().end());
            const auto rebuilt = object::reference_of(kids, view->payload());
            if (!rebuilt || !(*rebuilt == *ref)) std::abort();
        } else if (!(view.error() == errc::object_corrupt)) {
            std::abort();
        }
    }
    // The body's own reference, as a leaf, always validates it (when the size allows).
    if (!body.empty() && body.size() <= object::Sha256V1::max_object_bytes) {
        const auto leaf = object::Contents::build({}, body);
        if (!leaf || !object::ContentsView::from_data(leaf->reference(), body)) std::abort();
    }
    return 0;
}
