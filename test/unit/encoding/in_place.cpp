// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Encoding into the caller's buffers and in place (`encode_into`, `decode_in_place`): the same
// bytes and parameters as `encode`, the same plaintext as `decode`, and on damaged input the
// same errors, for typed pipelines in every mode and for every AnyPipeline chain of up to
// three stages; then the misuses that are refused.
#include <sealpipe/encoding.hpp>
#include <sealpipe/encoding/any_pipeline.hpp>
#include <sealpipe/encoding/zstd.hpp>

#include <sealpipe/testing/encoder_laws.hpp>
#include <sealpipe/testing/objects.hpp>

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

namespace enc = sealpipe::encoding;
namespace laws = sealpipe::testing::encoder_laws;
using namespace sealpipe;
using sealpipe::aead::AesGcm;
using sealpipe::aead::AesGcmSiv;
using sealpipe::aead::Nonce12;

namespace {

using Pipelines = boost::mpl::list<
    enc::Pipeline<>,
    enc::DeterministicPipeline<enc::SimpleLzw>,
    enc::DeterministicPipeline<enc::Zstd<1>>,
    enc::DeterministicPipeline<AesGcmSiv<256>>,
    enc::DeterministicPipeline<enc::SimpleLzw, AesGcmSiv<256>>,
    enc::DeterministicPipeline<enc::Zstd<3>, AesGcmSiv<128>>,
    enc::DeterministicPipeline<enc::SimpleLzw, enc::Zstd<1>, AesGcmSiv<256>>,
    enc::KeyedPipeline<AesGcmSiv<128>>,
    enc::KeyedPipeline<enc::SimpleLzw, AesGcmSiv<256>>,
    enc::KeyedPipeline<enc::Zstd<1>, AesGcmSiv<256>>,
    enc::RandomizedPipeline<AesGcm<Nonce12, 128>>,
    enc::RandomizedPipeline<AesGcmSiv<256>>,
    enc::RandomizedPipeline<enc::Zstd<1>, AesGcm<Nonce12>>,
    enc::RandomizedPipeline<enc::SimpleLzw, AesGcmSiv<256>>>;

const std::vector<std::size_t> sizes = {0, 1, 15, 16, 17, 255, 4096, 65543, std::size_t{1} << 20};

/// Storage for `decode_in_place`: a buffer apart, sized on request, that records the call.
struct Storage {
    SecureBytes bytes;
    int calls = 0;
    MutableByteView operator()(std::size_t n) {
        ++calls;
        bytes.assign(n, 0xee);
        return MutableByteView(bytes);
    }
};

bool within(ByteView part, ByteView whole) {
    return part.empty() ||
           (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

/// Both fail with the same code and sentence, or both give the same bytes.
void same_outcome(const result<SecureBytes>& a, const result<MutableByteView>& b, const std::string& what) {
    BOOST_TEST_CONTEXT(what) {
        BOOST_TEST_REQUIRE(a.has_value() == b.has_value(),
                           (a ? std::string("decode succeeded") : "decode: " + a.error().message())
                               << " / " << (b ? std::string("decode_in_place succeeded")
                                              : "decode_in_place: " + b.error().message()));
        if (a) {
            BOOST_TEST((Bytes(a->begin(), a->end()) == to_bytes(*b)));
        } else {
            BOOST_TEST((a.error().code() == b.error().code()));
            BOOST_TEST(a.error().message() == b.error().message());
        }
    }
}

/// The damaged forms of `data` and `parameters` that the comparisons use.
struct Damaged {
    Bytes data;
    Bytes parameters;
    std::size_t max;
    std::string what;
};

std::vector<Damaged> damaged(const Bytes& data, const Bytes& parameters, std::size_t n) {
    std::vector<Damaged> out;
    const std::size_t max = std::max<std::size_t>(n, 1);
    out.push_back({data, parameters, max, "intact"});
    for (std::size_t at : {std::size_t{0}, data.size() / 2, data.size() ? data.size() - 1 : 0}) {
        if (data.empty()) break;
        Bytes d = data;
        d[at] ^= 0x04;
        out.push_back({d, parameters, max, "byte " + std::to_string(at) + " flipped"});
    }
    if (!parameters.empty()) {
        Bytes q = parameters;
        q[0] ^= 0x80;
        out.push_back({data, q, max, "parameter flipped"});
        out.push_back({data, Bytes(parameters.begin(), parameters.end() - 1), max, "parameters short"});
    } else {
        out.push_back({data, Bytes{1}, max, "unexpected parameters"});
    }
    for (std::size_t keep : {std::size_t{1}, data.size() / 2, data.size() ? data.size() - 1 : 0})
        if (keep > 0 && keep < data.size())
            out.push_back({Bytes(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(keep)), parameters, max,
                           "truncated to " + std::to_string(keep)});
    Bytes longer = data;
    longer.push_back(0);
    out.push_back({longer, parameters, max, "one byte appended"});
    out.push_back({testing::pattern(data.size() + 16, 99), parameters, max, "other bytes"});
    if (n > 0) out.push_back({data, parameters, n - 1, "maximum one byte short"});
    out.push_back({data, parameters, 0, "maximum 0"});
    return out;
}

/// The typed pipeline's keyed nonce (as encoder_laws uses) or nothing.
template <class P>
auto keyed_parameters() {
    return P::Parameters::from(testing::pattern(P::decoding_parameters_bytes, 5)).value();
}

/// `encode_into` of a typed pipeline, whatever the mode: data written and parameters.
template <class P>
laws::Sealed encode_into(P& p, ByteView in, MutableByteView out) {
    if constexpr (P::mode == enc::Mode::keyed) {
        const auto params = keyed_parameters<P>();
        auto n = p.encode_into(in, out, hazmat::chosen_nonce(params));
        BOOST_TEST_REQUIRE(n.has_value(), n.error().message());
        return {to_bytes(out.first(*n)), to_bytes(params)};
    } else {
        auto r = p.encode_into(in, out);
        BOOST_TEST_REQUIRE(r.has_value(), r.error().message());
        return {to_bytes(out.first(r->size)), to_bytes(r->parameters)};
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(in_place)

BOOST_AUTO_TEST_CASE_TEMPLATE(encode_into_gives_the_bytes_of_encode, P, Pipelines) {
    auto p = laws::make_pipeline<P>();
    for (std::size_t n : sizes)
        for (bool text : {true, false}) {
            BOOST_TEST_CONTEXT("size " << n << (text ? " text" : " random")) {
                const Bytes in = laws::sample(n, text);
                const laws::Sealed sealed = laws::encode(p, in).value();
                const std::size_t bound = P::encoded_size_bound(n);
                BOOST_TEST(bound >= sealed.data.size());

                // Into a buffer apart, exactly as long as the bound.
                Bytes apart(bound, 0xcc);
                const laws::Sealed into = encode_into(p, in, apart);
                // In place: the input at the start of the buffer.
                Bytes buffer(std::max(n, bound), 0xcc);
                std::copy(in.begin(), in.end(), buffer.begin());
                const laws::Sealed in_place = encode_into(p, ByteView(buffer).first(n), buffer);

                if constexpr (P::is_deterministic) {
                    BOOST_TEST((into.data == sealed.data));
                    BOOST_TEST((into.parameters == sealed.parameters));
                    BOOST_TEST((in_place.data == sealed.data));
                    BOOST_TEST((in_place.parameters == sealed.parameters));
                } else {
                    BOOST_TEST(into.data.size() == sealed.data.size());
                    BOOST_TEST(in_place.data.size() == sealed.data.size());
                }
                // Whatever the mode, `decode` reads what `encode_into` wrote.
                for (const laws::Sealed* s : {&into, &in_place}) {
                    auto back = p.decode(s->data, s->parameters, n);
                    BOOST_TEST_REQUIRE(back.has_value(), back.error().message());
                    BOOST_TEST((Bytes(back->begin(), back->end()) == in));
                }
            }
        }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(decode_in_place_gives_the_plaintext_of_decode, P, Pipelines) {
    auto p = laws::make_pipeline<P>();
    for (std::size_t n : sizes)
        for (bool text : {true, false}) {
            BOOST_TEST_CONTEXT("size " << n << (text ? " text" : " random")) {
                const Bytes in = laws::sample(n, text);
                const laws::Sealed sealed = laws::encode(p, in).value();
                Bytes data = sealed.data;
                Storage storage;
                auto out = p.decode_in_place(data, sealed.parameters, n, storage);
                BOOST_TEST_REQUIRE(out.has_value(), out.error().message());
                BOOST_TEST((to_bytes(*out) == in));
                BOOST_TEST(storage.calls <= 1);
                if constexpr (P::decodes_in_place) {
                    BOOST_TEST(storage.calls == 0);
                    BOOST_TEST(within(*out, data));
                    BOOST_TEST(out->data() == data.data());
                    Bytes again = sealed.data;
                    auto only = p.decode_in_place(again, sealed.parameters, n);
                    BOOST_TEST_REQUIRE(only.has_value());
                    BOOST_TEST((to_bytes(*only) == in));
                } else if (n > 0) {
                    BOOST_TEST(storage.calls == 1);
                    BOOST_TEST(within(*out, storage.bytes));
                }
            }
        }
}

BOOST_AUTO_TEST_CASE_TEMPLATE(damaged_input_gives_the_errors_of_decode, P, Pipelines) {
    auto p = laws::make_pipeline<P>();
    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{40}, std::size_t{3000}, std::size_t{70000}})
        for (bool text : {true, false}) {
            const Bytes in = laws::sample(n, text);
            const laws::Sealed sealed = laws::encode(p, in).value();
            for (const Damaged& d : damaged(sealed.data, sealed.parameters, n)) {
                auto a = p.decode(d.data, d.parameters, d.max);
                Bytes data = d.data;
                Storage storage;
                auto b = p.decode_in_place(data, d.parameters, d.max, storage);
                same_outcome(a, b, "size " + std::to_string(n) + (text ? " text, " : " random, ") + d.what);
            }
        }
}

BOOST_AUTO_TEST_CASE(documented_use) {
    using Aead = AesGcmSiv<256>;
    const auto key = Aead::Key::from(testing::pattern(32, 8)).value();
    const Bytes payload = laws::sample(100000, true);
    // tag::in_place[]
    // [encrypting] works where the payload lies: the buffer holds the payload, with room after
    // it for the padding, and becomes the stored object.
    encoding::Pipeline<Aead> pipeline(key);
    Bytes buffer(std::max(payload.size(), pipeline.encoded_size_bound(payload.size())));
    std::copy(payload.begin(), payload.end(), buffer.begin());
    auto sealed = pipeline.encode_into(ByteView(buffer).first(payload.size()), buffer);
    if (!sealed) return;
    const MutableByteView stored = MutableByteView(buffer).first(sealed->size);

    // Decoding verifies and decrypts it in place: the payload is the start of the buffer.
    auto opened = pipeline.decode_in_place(stored, sealed->parameters.view(), 1 << 20);
    // end::in_place[]
    BOOST_TEST_REQUIRE(opened.has_value());
    BOOST_TEST((to_bytes(*opened) == payload));

    // tag::into[]
    // A compressor cannot work in place: it writes from the payload into the caller's buffer,
    // where the encrypting stage then seals. Decoding opens in place and decompresses into
    // storage the caller gives once the decoded size is known.
    encoding::Pipeline<encoding::Zstd<>, Aead> compressing({}, key);
    Bytes object(compressing.encoded_size_bound(payload.size()));
    auto written = compressing.encode_into(payload, object);
    if (!written) return;
    object.resize(written->size);

    SecureBytes plaintext;
    auto decoded = compressing.decode_in_place(object, written->parameters.view(), 1 << 20, [&](std::size_t n) {
        plaintext.resize(n);
        return MutableByteView(plaintext);
    });
    // end::into[]
    BOOST_TEST_REQUIRE(decoded.has_value());
    BOOST_TEST((to_bytes(*decoded) == payload));
    BOOST_TEST((to_bytes(*decoded) == Bytes(plaintext.begin(), plaintext.end())));
}

BOOST_AUTO_TEST_CASE(bounds_and_in_place_properties) {
    using Siv = AesGcmSiv<256>;
    static_assert(enc::Pipeline<Siv>::encodes_in_place && enc::Pipeline<Siv>::decodes_in_place);
    static_assert(enc::Pipeline<>::encodes_in_place && enc::Pipeline<>::decodes_in_place);
    static_assert(!enc::Pipeline<enc::Zstd<1>, Siv>::encodes_in_place);
    static_assert(!enc::Pipeline<enc::SimpleLzw, Siv>::decodes_in_place);
    static_assert(enc::EncodesInPlace<enc::DeterministicEncrypting<Siv>>);
    static_assert(enc::DecodesInPlace<enc::KeyedEncrypting<Siv>>);
    static_assert(enc::EncodesInto<enc::Zstd<1>> && !enc::EncodesInPlace<enc::Zstd<1>>);
    static_assert(enc::DecodesInto<enc::Zstd<1>> && !enc::DecodesInPlace<enc::Zstd<1>>);
    static_assert(!enc::EncodesInto<enc::SimpleLzw> && !enc::DecodesInto<enc::SimpleLzw>);

    const std::size_t n = 256u << 20;
    BOOST_TEST(enc::Pipeline<Siv>::encoded_size_bound(n) == enc::padme_size(n));
    BOOST_TEST(enc::KeyedPipeline<Siv>::encoded_size_bound(n) == enc::padme_size(n) + 16);
    using LzwSiv = enc::Pipeline<enc::SimpleLzw, Siv>;
    using ZstdSiv = enc::Pipeline<enc::Zstd<1>, Siv>;
    BOOST_TEST(LzwSiv::encoded_size_bound(1000) == enc::padme_size(1001));
    BOOST_TEST(ZstdSiv::encoded_size_bound(1000) == enc::padme_size(ZSTD_compressBound(1000)));
    BOOST_TEST(enc::Pipeline<Siv>::encoded_size_bound(0) == 0u);
}

BOOST_AUTO_TEST_CASE(misuse_is_refused) {
    using Siv = AesGcmSiv<256>;
    enc::Pipeline<Siv> siv(Siv::Key::from(testing::pattern(32, 3)).value());
    enc::Pipeline<enc::Zstd<1>, Siv> zsiv({}, Siv::Key::from(testing::pattern(32, 3)).value());
    const Bytes in = laws::sample(1000, true);

    Bytes small(enc::Pipeline<Siv>::encoded_size_bound(in.size()) - 1);
    auto r = siv.encode_into(in, small);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == errc::invalid_length), r.error().message());

    // The input may start the output, not lie elsewhere inside it.
    Bytes buffer(4096);
    std::copy(in.begin(), in.end(), buffer.begin() + 8);
    r = siv.encode_into(ByteView(buffer).subspan(8, in.size()), buffer);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == errc::invalid_argument), r.error().message());
    enc::Zstd<1> zstd;
    auto z = zstd.encode_into(ByteView(buffer).first(in.size()), buffer, {});
    BOOST_TEST_REQUIRE(!z.has_value());
    BOOST_TEST((z.error() == errc::invalid_argument), z.error().message());

    // Storage for the decoded bytes must be long enough and apart from the data.
    auto sealed = zsiv.encode(in).value();
    Bytes data = sealed.data;
    auto d = zsiv.decode_in_place(data, sealed.parameters.view(), in.size(), [](std::size_t n) {
        static SecureBytes short_storage;
        short_storage.assign(n - 1, 0);
        return MutableByteView(short_storage);
    });
    BOOST_TEST_REQUIRE(!d.has_value());
    BOOST_TEST((d.error() == errc::invalid_length), d.error().message());
    // The compressed plaintext is wiped; what is left is the padding (0x80 and zeros).
    BOOST_TEST(std::count_if(data.begin(), data.end(), [](Byte b) { return b != 0; }) <= 1);
    data = sealed.data;
    Bytes room(data.size() + in.size() + 16);
    std::copy(data.begin(), data.end(), room.begin());
    const MutableByteView data_view = MutableByteView(room).first(data.size());
    d = zsiv.decode_in_place(data_view, sealed.parameters.view(), in.size(),
                             [&](std::size_t n) { return MutableByteView(room).subspan(data.size() / 2, n); });
    BOOST_TEST_REQUIRE(!d.has_value());
    BOOST_TEST((d.error() == errc::invalid_argument), d.error().message());

    // AnyPipeline: the overload without storage is for chains that decode in place.
    auto any = enc::AnyPipeline::from_json(
        R"([{"zstdCompressing": {"level": 1}}, {"encrypting": {"encryptionKey": ")" +
            base64_encode(testing::pattern(32, 3)) + R"("}}])",
        enc::Mode::deterministic);
    BOOST_TEST_REQUIRE(any.has_value());
    BOOST_TEST(!any->decodes_in_place());
    BOOST_TEST(!any->encodes_in_place());
    data = sealed.data;
    auto refused = any->decode_in_place(data, sealed.parameters.view(), in.size());
    BOOST_TEST_REQUIRE(!refused.has_value());
    BOOST_TEST((refused.error() == errc::invalid_argument), refused.error().message());
    BOOST_TEST((data == sealed.data));  // untouched
    auto keyed_call = any->encode_into(in, room, hazmat::chosen_nonce(ByteView(Bytes(12))));
    BOOST_TEST_REQUIRE(!keyed_call.has_value());
    BOOST_TEST((keyed_call.error() == errc::invalid_argument));
}

// --- AnyPipeline: every chain of up to three stages, in every mode ------------------------

namespace {

std::string json_of(std::string_view chain) {
    std::string json = "[";
    for (char c : chain) {
        if (json.size() > 1) json += ", ";
        json += c == 'l'   ? R"({"lzwCompressing": {}})"
                : c == 'z' ? R"({"zstdCompressing": {"level": 1}})"
                           : R"({"encrypting": {"encryptionKey": ")" + base64_encode(testing::pattern(32, 11)) + "\"}}";
    }
    return json + "]";
}

/// Valid chains: compressors, then at most one encrypting stage, last.
std::vector<std::string> valid_chains(std::size_t max_length) {
    std::vector<std::string> out{""};
    for (std::size_t begin = 0, n = 1; n <= max_length; ++n) {
        const std::size_t end = out.size();
        for (std::size_t i = begin; i < end; ++i)
            if (out[i].empty() || out[i].back() != 'e')
                for (char c : {'l', 'z', 'e'}) out.push_back(out[i] + c);
        begin = end;
    }
    return out;
}

struct AnySealed {
    Bytes data;
    Bytes parameters;
};

AnySealed any_encode(enc::AnyPipeline& p, ByteView in, const Bytes& nonce) {
    if (p.mode() == enc::Mode::keyed) return {p.encode(in, hazmat::chosen_nonce(ByteView(nonce))).value(), nonce};
    auto r = p.encode(in).value();
    return {std::move(r.data), std::move(r.parameters)};
}

AnySealed any_encode_into(enc::AnyPipeline& p, ByteView in, MutableByteView out, const Bytes& nonce) {
    if (p.mode() == enc::Mode::keyed) {
        auto n = p.encode_into(in, out, hazmat::chosen_nonce(ByteView(nonce)));
        BOOST_TEST_REQUIRE(n.has_value(), n.error().message());
        return {to_bytes(out.first(*n)), nonce};
    }
    auto r = p.encode_into(in, out);
    BOOST_TEST_REQUIRE(r.has_value(), r.error().message());
    return {to_bytes(out.first(r->size)), std::move(r->parameters)};
}

} // namespace

BOOST_AUTO_TEST_CASE(any_pipeline_every_chain_and_mode) {
    for (enc::Mode mode : {enc::Mode::deterministic, enc::Mode::keyed, enc::Mode::randomized})
        for (const std::string& chain : valid_chains(3)) {
            auto p = enc::AnyPipeline::from_json(json_of(chain), mode);
            BOOST_TEST_REQUIRE(p.has_value(), chain);
            const Bytes nonce = testing::pattern(p->decoding_parameters_bytes(), 5);
            BOOST_TEST(p->encodes_in_place() == (chain.find_first_of("lz") == std::string::npos));
            BOOST_TEST(p->decodes_in_place() == (chain.find_first_of("lz") == std::string::npos));
            for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{100}, std::size_t{5000}, std::size_t{70000}})
                for (bool text : {true, false}) {
                    BOOST_TEST_CONTEXT("chain '" << chain << "' " << to_string(mode) << ", size " << n
                                                 << (text ? " text" : " random")) {
                        const Bytes in = laws::sample(n, text);
                        const AnySealed sealed = any_encode(*p, in, nonce);
                        const std::size_t bound = p->encoded_size_bound(n);
                        BOOST_TEST(bound >= sealed.data.size());
                        Bytes apart(bound);
                        const AnySealed into = any_encode_into(*p, in, apart, nonce);
                        Bytes buffer(std::max(n, bound));
                        std::copy(in.begin(), in.end(), buffer.begin());
                        const AnySealed in_place = any_encode_into(*p, ByteView(buffer).first(n), buffer, nonce);
                        if (mode != enc::Mode::randomized || chain.find('e') == std::string::npos) {
                            BOOST_TEST((into.data == sealed.data));
                            BOOST_TEST((into.parameters == sealed.parameters));
                            BOOST_TEST((in_place.data == sealed.data));
                            BOOST_TEST((in_place.parameters == sealed.parameters));
                        }
                        for (const AnySealed* s : {&into, &in_place}) {
                            auto back = p->decode(s->data, s->parameters, n);
                            BOOST_TEST_REQUIRE(back.has_value(), back.error().message());
                            BOOST_TEST((Bytes(back->begin(), back->end()) == in));
                        }
                        for (const Damaged& d : damaged(sealed.data, sealed.parameters, n)) {
                            auto a = p->decode(d.data, d.parameters, d.max);
                            Bytes data = d.data;
                            Storage storage;
                            auto b = p->decode_in_place(data, d.parameters, d.max, storage);
                            same_outcome(a, b, d.what);
                        }
                    }
                }
        }
}

BOOST_AUTO_TEST_SUITE_END()
