// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The stages alone: Bonanza's encrypting and LZW encoder cases byte for byte, Zstandard's
// bounded decoding (bombs, lies, trailing data), and AES-GCM known answers.
#include <sealpipe/encoding.hpp>
#include <sealpipe/encoding/zstd.hpp>

#include <support/vectors.hpp>

#include <boost/test/unit_test.hpp>

#include <zstd.h>

#include <string>

namespace enc = sealpipe::encoding;
using namespace sealpipe;
using Siv = sealpipe::aead::AesGcmSiv<256>;

namespace {

using test::hex_field;

Bytes key_of(const boost::json::object& encoder, const std::string& mode) {
    const auto key = Siv::Key::from(hex_field(encoder, "key_hex")).value();
    const auto ad = enc::AdditionalData::from(hex_field(encoder, "additional_data_hex")).value();
    if (mode == "keyed") return enc::KeyedEncrypting<Siv>(key, ad).decoding_key(0);
    return enc::DeterministicEncrypting<Siv>(key, ad).decoding_key(0);
}

} // namespace

BOOST_AUTO_TEST_SUITE(stages)

BOOST_AUTO_TEST_CASE(bonanza_encrypting_deterministic_binary_encoder) {
    const auto doc = test::load_json("bonanza/encrypting_deterministic_binary_encoder_test.json");
    std::size_t n = 0;
    for (const auto& v : doc.at("cases").as_array()) {
        const auto& c = v.as_object();
        const std::string name(c.at("name").as_string());
        const std::string op(c.at("operation").as_string());
        BOOST_TEST_CONTEXT(name) {
            ++n;
            if (op == "compare_unique_decoding_keys") {
                const auto& a = c.at("encoder_a").as_object();
                const auto& b = c.at("encoder_b").as_object();
                const bool equal = key_of(a, std::string(a.at("type").as_string())) ==
                                   key_of(b, std::string(b.at("type").as_string()));
                BOOST_TEST(equal == c.at("expect_equal").as_bool());
                continue;
            }
            const auto key = Siv::Key::from(hex_field(c, "key_hex")).value();
            const auto ad = enc::AdditionalData::from(hex_field(c, "additional_data_hex")).value();
            enc::DeterministicEncrypting<Siv> e(key, ad);
            const Bytes in = hex_field(c, "input_hex");
            const Bytes tag = hex_field(c, "tag_hex");
            if (op == "encode") {
                Bytes params(16, 0xee);
                auto out = e.encode(in, params);
                BOOST_TEST_REQUIRE(out.has_value());
                BOOST_TEST(hex_encode(*out) == std::string(c.at("output_hex").as_string()));
                BOOST_TEST(hex_encode(params) == hex_encode(tag));
                continue;
            }
            auto out = e.decode(in, tag, 1 << 20);
            if (c.at("result").as_string() == "ok") {
                BOOST_TEST_REQUIRE(out.has_value(), (out ? std::string() : out.error().message()));
                BOOST_TEST(hex_encode(ByteView(*out)) == std::string(c.at("output_hex").as_string()));
            } else {
                BOOST_TEST_REQUIRE(!out.has_value());
                const auto& expected = c.at("error").as_object();
                const std::string message(expected.at("message").as_string());
                if (expected.at("match").as_string() == "exact") BOOST_TEST(out.error().message() == message);
                else BOOST_TEST(out.error().message().starts_with(message));
                // A bad tag is a verification failure (exit 1); the rest are bad input.
                if (message.starts_with("Decryption failed")) BOOST_TEST((out.error() == errc::authentication_failed));
                else BOOST_TEST((out.error() == condition::bad_input));
            }
        }
    }
    BOOST_TEST(n == 12u);
}

BOOST_AUTO_TEST_CASE(bonanza_lzw_compressing_binary_encoder) {
    const auto doc = test::load_json("bonanza/lzw_compressing_binary_encoder_test.json");
    std::size_t n = 0;
    enc::SimpleLzw lzw;
    for (const auto& v : doc.at("cases").as_array()) {
        const auto& c = v.as_object();
        BOOST_TEST_CONTEXT(std::string(c.at("name").as_string())) {
            ++n;
            const std::string op(c.at("operation").as_string());
            if (op == "compare_unique_decoding_keys") {
                // Deterministic and keyed LZW stages are one type here: the key depends only
                // on the size limit.
                const auto a = static_cast<std::size_t>(c.at("encoder_a").at("maximum_decoded_size_bytes").as_int64());
                const auto b = static_cast<std::size_t>(c.at("encoder_b").at("maximum_decoded_size_bytes").as_int64());
                BOOST_TEST((lzw.decoding_key(a) == lzw.decoding_key(b)) == c.at("expect_equal").as_bool());
            } else if (op == "encode") {
                auto out = lzw.encode(hex_field(c, "input_hex"), {});
                BOOST_TEST_REQUIRE(out.has_value());
                BOOST_TEST((*out == hex_field(c, "output_hex")));
                BOOST_TEST(hex_field(c, "decoding_parameters_hex").empty());
            } else {
                const auto max = static_cast<std::size_t>(c.at("maximum_decoded_size_bytes").as_int64());
                auto out = lzw.decode(hex_field(c, "input_hex"), hex_field(c, "decoding_parameters_hex"), max);
                BOOST_TEST_REQUIRE(out.has_value());
                BOOST_TEST((Bytes(out->begin(), out->end()) == hex_field(c, "output_hex")));
            }
        }
    }
    BOOST_TEST(n == 5u);
}

BOOST_AUTO_TEST_CASE(lzw_stage_is_simple_lzw_byte_for_byte) {
    enc::SimpleLzw lzw;
    const auto doc = test::load_json("bonanza/simplelzw_compress_test.json");
    for (const auto& v : doc.at("cases").as_array()) {
        const auto& c = v.as_object();
        const Bytes in = hex_field(c, "input_hex");
        auto raw = codec::simple_lzw::compress_without_fallback(in).value();
        auto out = lzw.encode(in, {}).value();
        // The stage stores raw (0x80 ‖ input) exactly when compression does not pay.
        if (raw.size() <= in.size()) BOOST_TEST((out == raw));
        else {
            BOOST_TEST(out.size() == in.size() + 1);
            BOOST_TEST(out[0] == 0x80);
        }
        auto back = lzw.decode(out, {}, in.size()).value();
        BOOST_TEST((Bytes(back.begin(), back.end()) == in));
    }
    auto r = lzw.encode(as_bytes("x"), MutableByteView{});
    BOOST_TEST(r.has_value());
}

BOOST_AUTO_TEST_CASE(zstd_decoding_is_bounded_before_allocating) {
    enc::Zstd<3> z;
    const Bytes in = test::pattern(100000, 4);
    Bytes text(200000, 'a');
    auto packed = z.encode(text, {}).value();
    BOOST_TEST(packed.size() < 100u);
    BOOST_TEST(ZSTD_getFrameContentSize(packed.data(), packed.size()) == text.size());
    // A small frame that announces a large size is refused before any allocation.
    auto bomb = z.decode(packed, {}, text.size() - 1);
    BOOST_TEST_REQUIRE(!bomb.has_value());
    BOOST_TEST((bomb.error() == errc::size_limit_exceeded));
    BOOST_TEST(z.decode(packed, {}, text.size()).has_value());

    // A frame without a content size (streaming API) is refused.
    Bytes streamed(ZSTD_compressBound(text.size()));
    {
        ZSTD_CCtx* cctx = ZSTD_createCCtx();
        ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
        ZSTD_inBuffer ib{text.data(), text.size(), 0};
        ZSTD_outBuffer ob{streamed.data(), streamed.size(), 0};
        const std::size_t left = ZSTD_compressStream2(cctx, &ob, &ib, ZSTD_e_end);
        ZSTD_freeCCtx(cctx);
        BOOST_TEST_REQUIRE(left == 0u);
        streamed.resize(ob.pos);
    }
    BOOST_TEST_REQUIRE(ZSTD_getFrameContentSize(streamed.data(), streamed.size()) == ZSTD_CONTENTSIZE_UNKNOWN);
    auto unknown = z.decode(streamed, {}, 1 << 30);
    BOOST_TEST_REQUIRE(!unknown.has_value());
    BOOST_TEST((unknown.error() == errc::malformed_input));

    // Trailing bytes, a second frame, garbage, truncation, an empty frame.
    Bytes trailing = packed;
    trailing.push_back(0);
    BOOST_TEST((z.decode(trailing, {}, 1 << 20).error() == errc::malformed_input));
    Bytes two = packed;
    append(two, packed);
    BOOST_TEST((z.decode(two, {}, 1 << 20).error() == errc::malformed_input));
    BOOST_TEST((z.decode(as_bytes("not zstd at all"), {}, 1 << 20).error() == errc::malformed_input));
    for (std::size_t n = 1; n < packed.size(); ++n)
        BOOST_TEST((z.decode(ByteView(packed).first(n), {}, 1 << 20).error() == errc::malformed_input));
    Bytes empty_frame(64);
    empty_frame.resize(ZSTD_compress(empty_frame.data(), empty_frame.size(), nullptr, 0, 1));
    BOOST_TEST((z.decode(empty_frame, {}, 1 << 20).error() == errc::malformed_input));

    // A frame whose header lies about its size (patched down by one) is refused.
    auto small = z.encode(as_bytes("hello hello hello hello"), {}).value();
    BOOST_TEST_REQUIRE((small[4] & 0xc0) == 0);  // a 1-byte content size field follows the descriptor
    Bytes liar = small;
    const std::size_t size_at = 5 + ((liar[4] & 0x20) ? 0 : 1);
    liar[size_at] = static_cast<Byte>(liar[size_at] - 1);
    BOOST_TEST(!z.decode(liar, {}, 1 << 20).has_value());

    auto round = z.decode(z.encode(in, {}).value(), {}, in.size()).value();
    BOOST_TEST((Bytes(round.begin(), round.end()) == in));
    BOOST_TEST(z.encode({}, {}).value().empty());
    BOOST_TEST(z.decode({}, {}, 0).value().empty());
}

BOOST_AUTO_TEST_CASE(aes_gcm_known_answers) {
    // McGrew and Viega, "The Galois/Counter Mode of Operation", test cases 3, 4 and 15.
    struct Case {
        const char *key, *iv, *aad, *plaintext, *ciphertext, *tag;
    };
    const char* p = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
    const Case cases[] = {
        {"feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", "", p,
         "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
         "4d5c2af327cd64a62cf35abd2ba6fab4"},
        {"feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
         "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
         "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
         "5bc94fbc3221a5db94fae95ae7121a47"},
        {"feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", "", p,
         "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
         "b094dac5d93471bdec1a502270e3cc6c"},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT("key " << c.key << " aad " << c.aad) {
            auto run = [&](auto policy) {
                using A = decltype(policy);
                typename A::Context ctx(A::Key::from(test::unhex(std::string_view(c.key))).value());
                const auto nonce = A::Nonce::from(test::unhex(std::string_view(c.iv))).value();
                const Bytes pt = test::unhex(std::string_view(c.plaintext));
                const Bytes aad = test::unhex(std::string_view(c.aad));
                Bytes ct(pt.size());
                auto tag = ctx.seal_detached(nonce, pt, aad, ct);
                BOOST_TEST_REQUIRE(tag.has_value());
                BOOST_TEST(hex_encode(ct) == c.ciphertext);
                BOOST_TEST(hex_encode(*tag) == c.tag);
                Bytes inplace = pt;  // in place, and attached
                inplace.resize(pt.size() + 16);
                BOOST_TEST_REQUIRE(ctx.seal(nonce, ByteView(inplace).first(pt.size()), aad, inplace).has_value());
                BOOST_TEST(hex_encode(inplace) == std::string(c.ciphertext) + c.tag);
                Bytes back(pt.size());
                BOOST_TEST_REQUIRE(ctx.open(nonce, inplace, aad, back).has_value());
                BOOST_TEST((back == pt));
                inplace[3] ^= 1;
                auto bad = ctx.open(nonce, inplace, aad, back);
                BOOST_TEST_REQUIRE(!bad.has_value());
                BOOST_TEST((bad.error() == errc::authentication_failed));
                BOOST_TEST((back == Bytes(pt.size(), 0)));  // wiped
            };
            if (std::string_view(c.key).size() == 32) run(aead::AesGcm<aead::Nonce12, 128>{});
            else run(aead::AesGcm<aead::Nonce12, 256>{});
        }
    }
}

BOOST_AUTO_TEST_CASE(encrypting_stage_sizes_and_modes) {
    const auto key = Siv::Key::from(test::pattern(32, 2)).value();
    const auto ad = enc::AdditionalData{};
    enc::KeyedEncrypting<Siv> keyed(key, ad);
    Bytes nonce = test::pattern(12, 3);
    auto out = keyed.encode(as_bytes("Hello world"), nonce).value();
    BOOST_TEST(out.size() == 12u + 16u);  // PADMÉ(11) = 12, then the tag
    // Keyed output is exactly AES-GCM-SIV(nonce) of the padded plaintext, tag attached.
    Bytes padded = to_bytes(as_bytes("Hello world"));
    padded.push_back(0x80);
    aead::AesGcmSiv<256>::Context ctx(key);
    auto expected = ctx.seal(Siv::Nonce::from(nonce).value(), padded, ad).value();
    BOOST_TEST(hex_encode(out) == hex_encode(expected));
    BOOST_TEST((keyed.encode({}, nonce).value().empty()));
    BOOST_TEST((keyed.decode({}, nonce, 0).value().empty()));
    auto wrong = keyed.decode(out, ByteView(nonce).first(11), 100);
    BOOST_TEST_REQUIRE(!wrong.has_value());
    BOOST_TEST(wrong.error().message() ==
               "Decoding parameters are 11 bytes in size, while the nonce was expected to be 12 bytes in size");
    BOOST_TEST((keyed.decode(ByteView(out).first(15), nonce, 100).error() == errc::malformed_input));

    enc::RandomizedEncrypting<aead::AesGcm<aead::Nonce12>> randomized(aead::AesGcm<aead::Nonce12>::Key{}, ad);
    Bytes params(28);
    auto r = randomized.encode(as_bytes("Hello world"), params).value();
    BOOST_TEST(r.size() == 12u);
    BOOST_TEST((Bytes(params.begin(), params.begin() + 12) != Bytes(12, 0)));
    auto back = randomized.decode(r, params, 11).value();
    BOOST_TEST(std::string(back.begin(), back.end()) == "Hello world");
    Bytes empty_params(28, 0xff);
    BOOST_TEST(randomized.encode({}, empty_params).value().empty());
    BOOST_TEST((empty_params == Bytes(28, 0)));
}

BOOST_AUTO_TEST_SUITE_END()
