// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A stage written outside the library against the Encoder concept alone (the example of
// doc/concepts/encoder.md): it composes with the library's stages, its description enters
// the additional data of a later encrypting stage, and it passes the encoder laws.
#include <sealpipe/encoding.hpp>

#include <sealpipe/testing/encoder_laws.hpp>

#include "support/vectors.hpp"

#include <sealpipe/codec/protobuf.hpp>
#include <sealpipe/encoding/description.hpp>
#include <sealpipe/core/hash.hpp>
#include <sealpipe/core/hex.hpp>

#include <boost/hana/tuple.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace {

using namespace sealpipe;
namespace enc = sealpipe::encoding;

// tag::stage[]
/// XORs every byte with a configured mask: a toy, but a complete third-party stage.
class XorMask {
public:
    static constexpr std::string_view name = "XorMask";
    static constexpr std::size_t decoding_parameters_bytes = 0;   // nothing for the parent to keep
    static constexpr bool compresses = false;
    static constexpr bool encrypts = false;
    static constexpr bool deterministic = true;
    static constexpr bool nonce_misuse_resistant = true;
    static constexpr enc::ModeSet modes = enc::ModeSet::all();

    struct Config {
        std::uint8_t mask = 0x5a;
    };

    XorMask(const Config& c, const enc::StageContext&) : mask_(c.mask) {}

    /// One `BinaryEncoder`: the oneof field 1000042 (this stage's own number in the range left to
    /// third parties), holding `XorMaskBinaryEncoder { uint32 mask = 1; }`.
    static void describe(const Config& c, Bytes& out) {
        codec::protobuf::Writer config;
        config.uint64_field(1, c.mask);
        enc::describe_custom_stage<1'000'042>(out, config.bytes());
    }

    [[nodiscard]] result<Bytes> encode(ByteView in, MutableByteView parameters) const {
        if (!parameters.empty()) return fail(errc::invalid_argument, "Unexpected decoding parameters");
        Bytes out(in.begin(), in.end());
        for (Byte& b : out) b ^= mask_;
        return out;
    }

    [[nodiscard]] result<SecureBytes> decode(ByteView in, ByteView parameters, std::size_t max_decoded_bytes) const {
        if (!parameters.empty()) return fail(errc::malformed_input, "Unexpected decoding parameters");
        if (in.size() > max_decoded_bytes)   // refuse before allocating
            return fail(errc::size_limit_exceeded, "XorMask: " + std::to_string(in.size()) +
                                                        " bytes exceed the limit of " + std::to_string(max_decoded_bytes));
        SecureBytes out(in.begin(), in.end());
        for (Byte& b : out) b ^= mask_;
        return out;
    }

    [[nodiscard]] static constexpr std::size_t max_encoded_bytes(std::size_t n) noexcept { return n; }

    /// Identifies the decoding function: the name, the mask and the bound.
    [[nodiscard]] Bytes decoding_key(std::size_t max_decoded_bytes) const {
        Bytes key = to_bytes(as_bytes(name));
        key.push_back(mask_);
        for (int i = 0; i < 8; ++i) key.push_back(static_cast<Byte>(std::uint64_t{max_decoded_bytes} >> (8 * i)));
        return key;
    }

private:
    std::uint8_t mask_;
};

static_assert(enc::Encoder<XorMask>);
// end::stage[]

using Siv = aead::AesGcmSiv<256>;

} // namespace

BOOST_AUTO_TEST_SUITE(third_party_stage)

BOOST_AUTO_TEST_CASE(composes_and_enters_the_additional_data) {
    const auto key = Siv::Key::from(test::pattern(32, 3)).value();
    // tag::use[]
    enc::DeterministicPipeline<XorMask, enc::SimpleLzw, Siv> pipeline({.mask = 0x33}, {}, key);
    auto sealed = pipeline.encode(as_bytes("a payload for a third-party stage"));
    auto opened = pipeline.decode(sealed->data, sealed->parameters, 1 << 20);
    // end::use[]
    BOOST_TEST_REQUIRE(sealed.has_value());
    BOOST_TEST_REQUIRE(opened.has_value());
    BOOST_TEST(std::string(as_chars(*opened)) == "a payload for a third-party stage");

    // The encrypting stage hashes the descriptions of the two stages before it:
    // field 2 { field 1000042 { field 1 = 0x33 } }, field 2 { field 1 {} }.
    const auto& ad = boost::hana::at_c<2>(pipeline.stages()).additional_data();
    BOOST_TEST(hex_encode(ad) == hex_encode(sha256(test::unhex(std::string_view("1207d2a6e803020833" "12020a00")))));

    // Another mask is another chain: its ciphertext does not open here.
    enc::DeterministicPipeline<XorMask, enc::SimpleLzw, Siv> other({.mask = 0x34}, {}, key);
    auto r = other.decode(sealed->data, sealed->parameters, 1 << 20);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == errc::authentication_failed));
}

BOOST_AUTO_TEST_CASE(obeys_the_encoder_laws) {
    namespace laws = sealpipe::testing::encoder_laws;
    auto p = laws::make_pipeline<enc::DeterministicPipeline<XorMask, Siv>>();
    for (std::size_t n : {0, 1, 15, 16, 17, 4096, 65543})
        for (bool text : {true, false}) laws::round_trip(p, n, text);
    laws::flipped_bits_fail_authentication(p);
    laws::truncation_is_rejected(p);
    laws::oversize_is_rejected(p);
    laws::determinism_as_promised(p);
}

BOOST_AUTO_TEST_SUITE_END()
