// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fuzz target: a deterministic [Simple LZW, AES-128-GCM-SIV] pipeline. Decoding arbitrary
// bytes (first 16 bytes: the tag) never crashes and never yields unauthenticated plaintext;
// encoding arbitrary bytes round-trips. Decoding in place gives what decoding gives, error
// for error, and encoding into a buffer in place gives the bytes of encoding.

#include <sealpipe/aead/aes_gcm_siv.hpp>
#include <sealpipe/encoding/pipeline.hpp>
#include <sealpipe/encoding/simple_lzw.hpp>

#include <algorithm>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sealpipe;
    using P = encoding::DeterministicPipeline<encoding::SimpleLzw, aead::AesGcmSiv<128>>;
    static P pipeline({}, aead::AesGcmSiv<128>::Key{});
    const ByteView in(data, size);
    if (size >= 16) {
        auto out = pipeline.decode(in.subspan(16), in.first(16), 1 << 16);
        // Success requires a valid tag over these exact bytes: only empty data gets there by chance.
        if (out && size != 16) std::abort();
        Bytes copy(in.begin() + 16, in.end());
        SecureBytes storage;
        auto again = pipeline.decode_in_place(copy, in.first(16), 1 << 16, [&](std::size_t n) {
            storage.resize(n);
            return MutableByteView(storage);
        });
        if (out.has_value() != again.has_value()) std::abort();
        if (!out && (out.error().code() != again.error().code() || out.error().message() != again.error().message()))
            std::abort();
        if (out && !std::equal(out->begin(), out->end(), again->begin(), again->end())) std::abort();
    }
    auto sealed = pipeline.encode(in);
    if (!sealed) std::abort();
    auto back = pipeline.decode(sealed->data, sealed->parameters, size);
    if (!back || !std::equal(back->begin(), back->end(), in.begin(), in.end())) std::abort();
    Bytes buffer(std::max(size, P::encoded_size_bound(size)));
    std::copy(in.begin(), in.end(), buffer.begin());
    auto into = pipeline.encode_into(ByteView(buffer).first(size), buffer);
    if (!into || !std::equal(sealed->data.begin(), sealed->data.end(), buffer.begin(), buffer.begin() + into->size) ||
        !std::equal(sealed->parameters.begin(), sealed->parameters.end(), into->parameters.begin()))
        std::abort();
    return 0;
}
