// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Objects and references: build a small DAG, print its references, verify stored data
// against a reference, and compress a payload with Simple LZW.

#include <sealpipe.hpp>

#include <algorithm>
#include <cstdio>
#include <vector>

int main() {
    using namespace sealpipe;

    // tag::build[]
    using object::Contents;
    using object::Reference;

    // Two leaves, then a parent that lists them (sorted) before its own payload.
    const auto hello = Contents::build({}, as_bytes("hello")).value();
    const auto world = Contents::build({}, as_bytes("world")).value();
    std::vector<Reference> children{hello.reference(), world.reference()};
    std::sort(children.begin(), children.end());  // outgoing references are sorted bytewise
    auto parent = Contents::build(children, as_bytes("a directory"));
    if (!parent) {
        std::fprintf(stderr, "build: %s\n", parent.error().message().c_str());
        return 2;
    }
    const Reference root = parent->reference();
    std::printf("root       %s\n", hex_encode(root.bytes()).c_str());
    std::printf("           %s\n", root.to_string().c_str());
    // end::build[]

    // tag::verify[]
    // Storage hands back bytes; they are only trusted once they match the reference.
    Bytes stored = to_bytes(parent->data());
    auto checked = object::ContentsView::from_data(root, stored);
    if (!checked) {
        std::fprintf(stderr, "verify: %s\n", checked.error().message().c_str());
        return 1;
    }
    for (const Reference& child : checked->children())
        std::printf("child      %s\n", child.to_string().c_str());
    std::printf("payload    %.*s\n", static_cast<int>(checked->payload().size()),
                reinterpret_cast<const char*>(checked->payload().data()));

    stored.back() ^= 1;  // one flipped bit
    auto tampered = object::ContentsView::from_data(root, stored);
    std::printf("tampered   %s (exit code %d)\n", tampered ? "accepted?!" : tampered.error().message().c_str(),
                tampered ? 0 : (tampered.error() == condition::verification_failed ? 1 : 2));
    // end::verify[]

    // tag::reference[]
    // A reference read from outside is validated before anything else looks at it.
    auto parsed = Reference::from_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550000000000000000");
    if (!parsed) std::printf("rejected   %s\n", parsed.error().message().c_str());
    // Size, height, degree and the Float16 parents size come from the format's field list.
    std::printf("fields     size=%zu height=%zu degree=%zu parents<=%llu\n", root.size(), root.height(),
                root.degree(), static_cast<unsigned long long>(root.max_parents_total_size()));
    // end::reference[]

    // tag::lzw[]
    namespace lzw = codec::simple_lzw;
    const Bytes text = to_bytes(as_bytes("to be or not to be, that is the question; to be or not to be"));
    const Bytes packed = lzw::compress(text);  // Bonanza's MaybeCompress, byte for byte
    auto unpacked = lzw::decompress(packed, object::Sha256V1::max_object_bytes);
    std::printf("lzw        %zu -> %zu bytes, round trip %s\n", text.size(), packed.size(),
                unpacked && *unpacked == text ? "ok" : "FAILED");
    // end::lzw[]
    return unpacked && *unpacked == text ? 0 : 1;
}
