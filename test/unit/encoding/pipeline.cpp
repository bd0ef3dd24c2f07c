// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// BasicPipeline: Bonanza's chained-encoder cases (with scripted mock stages), the
// compile-time properties and concept checks, and the rules shared with AnyPipeline.
#include <sealpipe/encoding.hpp>
#include <sealpipe/encoding/zstd.hpp>

#include <support/vectors.hpp>

#include <boost/test/unit_test.hpp>

#include <deque>
#include <map>
#include <string>

namespace enc = sealpipe::encoding;
using namespace sealpipe;
using sealpipe::aead::AesGcm;
using sealpipe::aead::AesGcmSiv;
using sealpipe::aead::Nonce12;

namespace {

// --- Scripted mock stages (Bonanza's gomock expectations) ----------------------------------

struct MockCall {
    std::string encoder;
    std::string method;
    Bytes in;
    Bytes parameters;
    Bytes returns;
    Bytes returns_parameters;
};

struct Script {
    std::deque<MockCall> calls;
    std::map<std::string, std::int64_t> keys;
};

Script* script = nullptr;

template <int Id, std::size_t ParameterBytes>
struct Mock {
    static constexpr std::string_view name = "mock";
    static constexpr std::size_t decoding_parameters_bytes = ParameterBytes;
    static constexpr bool compresses = false;
    static constexpr bool encrypts = false;
    static constexpr bool deterministic = true;
    static constexpr bool nonce_misuse_resistant = true;
    static constexpr enc::ModeSet modes = enc::ModeSet::all();
    struct Config {};
    Mock(const Config&, const enc::StageContext&) {}
    static void describe(const Config&, Bytes&) {}

    static std::string id() { return "mock" + std::to_string(Id); }

    MockCall next(std::string_view method) {
        BOOST_TEST_REQUIRE(!script->calls.empty(), id() << "." << method << " was not expected");
        MockCall c = script->calls.front();
        script->calls.pop_front();
        BOOST_TEST(c.encoder == id());
        BOOST_TEST(c.method == method);
        return c;
    }
    result<Bytes> encode(ByteView in, MutableByteView parameters) {
        const MockCall c = next("EncodeBinary");
        BOOST_TEST((to_bytes(in) == c.in));
        BOOST_TEST_REQUIRE(parameters.size() == c.returns_parameters.size());
        std::copy(c.returns_parameters.begin(), c.returns_parameters.end(), parameters.begin());
        return c.returns;
    }
    result<SecureBytes> decode(ByteView in, ByteView parameters, std::size_t) {
        const MockCall c = next("DecodeBinary");
        BOOST_TEST((to_bytes(in) == c.in));
        BOOST_TEST((to_bytes(parameters) == c.parameters));
        return SecureBytes(c.returns.begin(), c.returns.end());
    }
    static constexpr std::size_t max_encoded_bytes(std::size_t) noexcept { return static_cast<std::size_t>(-1); }
    Bytes decoding_key(std::size_t) const { return Bytes{static_cast<Byte>(script->keys.at(id()))}; }
};

using test::hex_field;

template <class P>
void run_chained_case(const boost::json::object& c) {
    Script s;
    const auto calls = c.find("mock_calls");
    for (const auto& v : calls == c.end() ? boost::json::array{} : calls->value().as_array()) {
        const auto& m = v.as_object();
        const bool encode = m.at("method").as_string() == "EncodeBinary";
        s.calls.push_back({std::string(m.at("encoder").as_string()), std::string(m.at("method").as_string()),
                           hex_field(m, "in_hex"), hex_field(m, "decoding_parameters_hex"),
                           hex_field(m, encode ? "returns_encoded_hex" : "returns_decoded_hex"),
                           hex_field(m, "returns_decoding_parameters_hex")});
    }
    if (auto it = c.find("mock_keys"); it != c.end())
        for (const auto& [k, v] : it->value().as_object()) s.keys[std::string(k)] = v.as_int64();
    script = &s;
    P p;
    const std::string op(c.at("operation").as_string());
    if (op == "encode") {
        auto out = p.encode(hex_field(c, "input_hex"));
        BOOST_TEST_REQUIRE(out.has_value());
        BOOST_TEST((out->data == hex_field(c, "output_hex")));
        BOOST_TEST((to_bytes(out->parameters) == hex_field(c, "decoding_parameters_hex")));
    } else if (op == "decode") {
        auto out = p.decode(hex_field(c, "input_hex"), hex_field(c, "decoding_parameters_hex"), 1000);
        BOOST_TEST_REQUIRE(out.has_value());
        BOOST_TEST((Bytes(out->begin(), out->end()) == hex_field(c, "output_hex")));
    } else {
        std::vector<Bytes> expected;
        for (const auto& k : c.at("expected_keys").as_array()) expected.push_back(Bytes{static_cast<Byte>(k.as_int64())});
        BOOST_TEST((p.decoding_keys(1000) == expected));
    }
    BOOST_TEST(s.calls.empty(), "calls left over");
    script = nullptr;
}

// --- Types that are not encoders --------------------------------------------------------

struct NotAnEncoder {};
struct NoDecode {
    static constexpr std::string_view name = "x";
    static constexpr std::size_t decoding_parameters_bytes = 0;
    static constexpr bool compresses = false, encrypts = false, deterministic = true, nonce_misuse_resistant = true;
    static constexpr enc::ModeSet modes{};
    struct Config {};
    NoDecode(const Config&, const enc::StageContext&) {}
    static void describe(const Config&, Bytes&) {}
    result<Bytes> encode(ByteView, MutableByteView) { return Bytes{}; }
    static constexpr std::size_t max_encoded_bytes(std::size_t n) { return n; }
    Bytes decoding_key(std::size_t) const { return {}; }
};

using Siv = AesGcmSiv<256>;

} // namespace

// Concept modelling, checked cheaply (no call site needed).
static_assert(enc::Encoder<enc::SimpleLzw>);
static_assert(enc::Encoder<enc::Zstd<1>>);
static_assert(enc::Encoder<enc::Zstd<enc::dynamic_level>>);
static_assert(enc::Encoder<enc::DeterministicEncrypting<Siv>>);
static_assert(enc::Encoder<enc::KeyedEncrypting<AesGcmSiv<128>>>);
static_assert(enc::Encoder<enc::RandomizedEncrypting<AesGcm<Nonce12>>>);
static_assert(!enc::Encoder<NotAnEncoder>);
static_assert(!enc::Encoder<NoDecode>);
static_assert(!enc::Encoder<Siv>);  // an AEAD is not an encoder; a pipeline wraps it
static_assert(!enc::Encoder<int>);
static_assert(aead::Aead<AesGcm<Nonce12>> && !aead::NonceMisuseResistantAead<AesGcm<Nonce12>>);
static_assert(aead::NonceMisuseResistantAead<Siv>);

// Properties computed at compile time.
static_assert(enc::Pipeline<enc::SimpleLzw, Siv>::decoding_parameters_bytes == 16);
static_assert(enc::Pipeline<enc::SimpleLzw, Siv>::mode == enc::Mode::deterministic);
static_assert(enc::Pipeline<enc::SimpleLzw, Siv>::is_deterministic);
static_assert(enc::Pipeline<enc::SimpleLzw, enc::KeyedEncrypting<Siv>>::mode == enc::Mode::keyed);
static_assert(enc::KeyedPipeline<enc::SimpleLzw, Siv>::decoding_parameters_bytes == 12);
static_assert(enc::RandomizedPipeline<enc::Zstd<>, AesGcm<Nonce12>>::decoding_parameters_bytes == 28);
static_assert(!enc::RandomizedPipeline<enc::Zstd<>, AesGcm<Nonce12>>::is_deterministic);
static_assert(enc::Pipeline<enc::Zstd<>, enc::RandomizedEncrypting<AesGcm<Nonce12>>>::mode == enc::Mode::randomized);
static_assert(enc::Pipeline<enc::SimpleLzw>::decoding_parameters_bytes == 0);
static_assert(enc::Pipeline<>::decoding_parameters_bytes == 0 && !enc::Pipeline<>::encrypts);

// The run-time rules, as AnyPipeline applies them.
namespace {
constexpr enc::StageProperties lzw = enc::properties_of<enc::SimpleLzw>();
constexpr enc::StageProperties siv = enc::properties_of<enc::DeterministicEncrypting<Siv>>();
constexpr enc::StageProperties keyed_siv = enc::properties_of<enc::KeyedEncrypting<Siv>>();
constexpr enc::StageProperties gcm = enc::properties_of<enc::RandomizedEncrypting<AesGcm<Nonce12>>>();
template <std::size_t N>
constexpr enc::Rule rule(const enc::StageProperties (&s)[N], enc::Mode m) {
    return enc::check_composition(std::span<const enc::StageProperties>(s, N), m);
}
constexpr enc::StageProperties ok_chain[] = {lzw, siv};
constexpr enc::StageProperties reversed[] = {siv, lzw};
constexpr enc::StageProperties twice[] = {siv, siv};
constexpr enc::StageProperties mixed[] = {lzw, keyed_siv};
constexpr enc::StageProperties with_gcm[] = {lzw, gcm};
} // namespace
static_assert(rule(ok_chain, enc::Mode::deterministic) == enc::Rule::none);
static_assert(rule(reversed, enc::Mode::deterministic) == enc::Rule::compress_after_encrypt);
static_assert(rule(twice, enc::Mode::deterministic) == enc::Rule::last_parameters);
static_assert(rule(mixed, enc::Mode::deterministic) == enc::Rule::mixed_modes);
static_assert(rule(mixed, enc::Mode::keyed) == enc::Rule::none);
static_assert(rule(with_gcm, enc::Mode::randomized) == enc::Rule::none);

BOOST_AUTO_TEST_SUITE(pipeline)

BOOST_AUTO_TEST_CASE(bonanza_chained_binary_encoder) {
    const auto doc = test::load_json("bonanza/chained_binary_encoder_test.json");
    std::size_t n = 0;
    for (const auto& v : doc.at("cases").as_array()) {
        const auto& c = v.as_object();
        const std::string name(c.at("name").as_string());
        BOOST_TEST_CONTEXT(name) {
            const auto count = c.at("encoders").as_array().size();
            if (count == 0) run_chained_case<enc::Pipeline<>>(c);
            else if (count == 1) run_chained_case<enc::Pipeline<Mock<1, 10>>>(c);
            else run_chained_case<enc::Pipeline<Mock<1, 0>, Mock<2, 10>>>(c);
        }
        ++n;
    }
    BOOST_TEST(n == 9u);
}

BOOST_AUTO_TEST_CASE(rule_messages_are_the_compile_time_sentences) {
    BOOST_TEST(enc::to_string(enc::Rule::compress_after_encrypt) == SEALPIPE_ENCODING_RULE_COMPRESS_AFTER_ENCRYPT);
    BOOST_TEST(enc::to_string(enc::Rule::deterministic_needs_nonce_misuse_resistance) ==
               SEALPIPE_ENCODING_RULE_DETERMINISTIC_NMR);
    for (auto r : {enc::Rule::last_parameters, enc::Rule::compress_after_encrypt, enc::Rule::mixed_modes,
                   enc::Rule::deterministic_needs_nonce_misuse_resistance, enc::Rule::keyed_needs_nonce_misuse_resistance})
        BOOST_TEST(enc::to_string(r).starts_with("sealpipe: "));
}

BOOST_AUTO_TEST_CASE(additional_data_depends_on_the_stages_before_and_the_mode) {
    const auto key = Siv::Key::from(test::pattern(32, 1)).value();
    enc::DeterministicPipeline<Siv> alone(key);
    enc::DeterministicPipeline<enc::SimpleLzw, Siv> after_lzw({}, key);
    enc::KeyedPipeline<Siv> keyed(key);
    const auto& a = boost::hana::at_c<0>(alone.stages()).additional_data();
    const auto& b = boost::hana::at_c<1>(after_lzw.stages()).additional_data();
    const auto& k = boost::hana::at_c<0>(keyed.stages()).additional_data();
    // SHA-256 of the empty message (DETERMINISTIC, no encoders), of 12 02 0a 00, of 08 01.
    BOOST_TEST(hex_encode(a) == hex_encode(sha256({})));
    BOOST_TEST(hex_encode(b) == hex_encode(sha256(test::unhex(std::string_view("12020a00")))));
    BOOST_TEST(hex_encode(k) == hex_encode(sha256(test::unhex(std::string_view("0801")))));
    // Zstd is described under the extension field 1000 with its level.
    enc::DeterministicPipeline<enc::Zstd<5>, Siv> after_zstd({}, key);
    BOOST_TEST(hex_encode(boost::hana::at_c<1>(after_zstd.stages()).additional_data()) ==
               hex_encode(sha256(test::unhex(std::string_view("1205c23e020805")))));
    // A pipeline with another chain before the encrypting stage does not decrypt.
    auto sealed = after_lzw.encode(as_bytes("some text")).value();
    enc::DeterministicPipeline<enc::Zstd<5>, Siv> other({}, key);
    auto r = other.decode(sealed.data, sealed.parameters, 100);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == errc::authentication_failed));
}

BOOST_AUTO_TEST_CASE(lzw_decides_by_the_declared_size) {
    // Six literals take 8 bytes: valid for Bonanza at a limit of 6, though longer than the
    // 7 bytes this encoder would ever write for 6.
    const Bytes literals = test::unhex(std::string_view("8641428610296204"));
    enc::Pipeline<enc::SimpleLzw> lzw;
    auto plain = lzw.decode(literals, ByteView{}, 6);
    BOOST_TEST_REQUIRE(plain.has_value(), (plain ? "" : plain.error().message()));
    BOOST_TEST(hex_encode(*plain) == "414243444546");
    BOOST_TEST((lzw.decode(literals, ByteView{}, 5).error() == errc::size_limit_exceeded));
    // The same stream behind encryption, sealed by the encrypting stage alone.
    const auto key = Siv::Key::from(test::pattern(32, 1)).value();
    enc::DeterministicEncrypting<Siv> last(key, sha256(test::unhex(std::string_view("12020a00"))));
    Bytes tag(16);
    const Bytes sealed = last.encode(literals, tag).value();
    enc::DeterministicPipeline<enc::SimpleLzw, Siv> chain({}, key);
    auto opened = chain.decode(sealed, tag, 6);
    BOOST_TEST_REQUIRE(opened.has_value(), (opened ? "" : opened.error().message()));
    BOOST_TEST(hex_encode(*opened) == "414243444546");
    // Still bounded before decoding: nothing longer than the longest valid stream is read.
    const Bytes too_long(codec::simple_lzw::max_compressed_size(6) + 1, 0x41);
    BOOST_TEST(lzw.decode(too_long, ByteView{}, 6).error().message() ==
               "Encoded data is 18 bytes in size, more than the permitted maximum allows (17 bytes)");
}

BOOST_AUTO_TEST_CASE(parameters_of_the_wrong_size_and_unexpected_parameters) {
    enc::Pipeline<> identity;
    auto r = identity.decode(as_bytes("x"), as_bytes("p"), 10);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(r.error().message() == "Unexpected decoding parameters");
    enc::Pipeline<enc::SimpleLzw> lzw;
    auto s = lzw.encode(as_bytes("hello")).value();
    auto r2 = lzw.decode(s.data, as_bytes("p"), 10);
    BOOST_TEST_REQUIRE(!r2.has_value());
    BOOST_TEST((r2.error() == errc::malformed_input));
    const Bytes big(10, 'a');
    BOOST_TEST((identity.decode(big, ByteView{}, 9).error() == errc::size_limit_exceeded));
}

BOOST_AUTO_TEST_SUITE_END()
