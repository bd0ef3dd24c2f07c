// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// An encoder stage written outside the library: run-length encoding, composed with AES-GCM-SIV in
// a typed pipeline, and checked by the library's own encoder laws (sealpipe/testing/). Built as a
// Boost.Test program: run it, or run it with --log_level=message to see each step.

#define BOOST_TEST_MODULE custom_stage
#include <sealpipe/codec/protobuf.hpp>
#include <sealpipe/encoding.hpp>
#include <sealpipe/testing/encoder_laws.hpp>

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace example {

using namespace sealpipe;

// tag::stage[]
/** Run-length encoding: the decoded length (4 bytes, little-endian), then each run of up to 255
    equal bytes as (count, byte); nothing for empty input. Decoding refuses a zero count, an odd length, output above the
    bound it is given, and output that is not the length announced (so a truncation is seen). */
class RunLength {
public:
    // What the composition rules read (doc/concepts/encoder.md).
    static constexpr std::string_view name = "RunLength";
    static constexpr std::size_t decoding_parameters_bytes = 0;
    static constexpr bool encrypts = false;
    static constexpr bool compresses = true;   // so it may not follow an encrypting stage
    static constexpr bool deterministic = true;
    static constexpr bool nonce_misuse_resistant = true;
    static constexpr encoding::ModeSet modes = encoding::ModeSet::all();

    struct Config {};
    RunLength(const Config&, const encoding::StageContext&) {}

    /// This stage's own BinaryEncoder field, from the range left to third parties; no settings.
    static void describe(const Config&, Bytes& out) { encoding::describe_custom_stage<1'000'100>(out, {}); }

    [[nodiscard]] result<Bytes> encode(ByteView in, MutableByteView parameters) const {
        if (!parameters.empty()) return fail(errc::invalid_argument, "run-length encoding takes no parameters");
        if (in.empty()) return Bytes{};   // a law of every stage: empty stays empty
        if (in.size() > 0xffff'ffff) return fail(errc::size_limit_exceeded, "run-length input above 4 GiB");
        Bytes out;
        for (int b = 0; b < 4; ++b) out.push_back(static_cast<Byte>(in.size() >> (8 * b)));
        for (std::size_t i = 0; i < in.size();) {
            std::size_t n = 1;
            while (i + n < in.size() && n < 255 && in[i + n] == in[i]) ++n;
            out.push_back(static_cast<Byte>(n));
            out.push_back(in[i]);
            i += n;
        }
        return out;
    }

    [[nodiscard]] result<SecureBytes> decode(ByteView in, ByteView parameters, std::size_t max) const {
        if (!parameters.empty()) return fail(errc::malformed_input, "Unexpected decoding parameters");
        if (in.empty()) return SecureBytes{};
        if (in.size() < 4 || in.size() % 2 != 0) return fail(errc::malformed_input, "run-length data of odd length");
        std::size_t announced = 0;
        for (int b = 0; b < 4; ++b) announced |= std::size_t{in[static_cast<std::size_t>(b)]} << (8 * b);
        if (announced > max)
            return fail(errc::size_limit_exceeded, "decodes to more than " + std::to_string(max) + " bytes");
        SecureBytes out;
        out.reserve(announced);   // bounded by `max`, checked above
        for (std::size_t i = 4; i < in.size(); i += 2) {
            if (in[i] == 0) return fail(errc::malformed_input, "a run of length zero");
            if (out.size() + in[i] > announced) return fail(errc::malformed_input, "more runs than the length announced");
            out.insert(out.end(), in[i], in[i + 1]);
        }
        if (out.size() != announced) return fail(errc::malformed_input, "fewer runs than the length announced");
        return out;
    }

    /// The length, then at most two encoded bytes per decoded byte.
    [[nodiscard]] static std::size_t max_encoded_bytes(std::size_t decoded) noexcept { return 4 + 2 * decoded; }

    /// Identifies the decoding function (for caches of decoded objects): the name and the bound.
    [[nodiscard]] Bytes decoding_key(std::size_t max_decoded_bytes) const {
        Bytes key = to_bytes(as_bytes(name));
        for (int i = 0; i < 8; ++i) key.push_back(static_cast<Byte>(std::uint64_t{max_decoded_bytes} >> (8 * i)));
        return key;
    }
};

static_assert(encoding::Encoder<RunLength>);
// end::stage[]

using Aead = aead::AesGcmSiv<256>;
using Pipelines = boost::mpl::list<encoding::Pipeline<RunLength>,
                                   encoding::DeterministicPipeline<RunLength, Aead>,
                                   encoding::RandomizedPipeline<RunLength, Aead>,
                                   encoding::KeyedPipeline<RunLength, encoding::SimpleLzw, Aead>>;

} // namespace example

// tag::laws[]
// Every law of the library's own stages, on pipelines holding this one.
SEALPIPE_TESTING_ENCODER_LAWS(run_length_laws, example::Pipelines)
// end::laws[]

BOOST_AUTO_TEST_CASE(seal_and_open) {
    using namespace sealpipe;
    using example::Aead;
    // tag::use[]
    encoding::Pipeline<example::RunLength, Aead> pipeline({}, Aead::Key::generate().value());
    auto sealed = pipeline.encode(as_bytes("aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbcccc")).value();
    auto opened = pipeline.decode(sealed.data, sealed.parameters, 1 << 20).value();
    // end::use[]
    BOOST_TEST_MESSAGE("36 bytes sealed into " << sealed.data.size() << ", and a " << sealed.parameters.size()
                                                << "-byte tag kept by whoever holds the link");
    BOOST_TEST(sealed.data.size() < 36u);       // 4 of length, 6 of runs, then padded
    BOOST_TEST(sealed.parameters.size() == 16u);
    BOOST_TEST(std::string(as_chars(opened)) == "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbcccc");
}
