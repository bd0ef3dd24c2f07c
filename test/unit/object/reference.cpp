// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/object/reference.hpp and format.hpp: every case of Bonanza's
// local_reference_test, the layout's compile-time checks, the bounds table, the human form and
// both orderings.
#include <sealpipe/object/reference.hpp>

#include <sealpipe/core/hash.hpp>

#include "support/vectors.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>
#include <sstream>
#include <vector>

using namespace sealpipe;
using object::Field;
using object::FieldEncoding;
using object::Float16;
using object::Reference;
using object::Sha256V1;

namespace reference_test_formats {

// Formats that break one layout rule each: the checks say no (the compile-fail test proves
// that BasicReference<Format> turns this into the readable static_assert).
struct Gap : Sha256V1 {
    static constexpr std::array<object::FieldLayout, 5> layout{{
        {Field::hash, 0, 32, FieldEncoding::bytes},
        {Field::size, 32, 3, FieldEncoding::little_endian},
        {Field::height, 35, 1, FieldEncoding::little_endian},
        {Field::degree, 37, 2, FieldEncoding::little_endian},
        {Field::parents_size, 39, 2, FieldEncoding::float16_little_endian},
    }};
};
struct Overlap : Sha256V1 {
    static constexpr std::array<object::FieldLayout, 5> layout{{
        {Field::hash, 0, 32, FieldEncoding::bytes},
        {Field::size, 32, 3, FieldEncoding::little_endian},
        {Field::height, 34, 2, FieldEncoding::little_endian},
        {Field::degree, 36, 2, FieldEncoding::little_endian},
        {Field::parents_size, 38, 2, FieldEncoding::float16_little_endian},
    }};
};
struct Twice : Sha256V1 {
    static constexpr std::array<object::FieldLayout, 5> layout{{
        {Field::hash, 0, 32, FieldEncoding::bytes},
        {Field::size, 32, 3, FieldEncoding::little_endian},
        {Field::size, 35, 1, FieldEncoding::little_endian},
        {Field::degree, 36, 2, FieldEncoding::little_endian},
        {Field::parents_size, 38, 2, FieldEncoding::float16_little_endian},
    }};
};
struct SizeFirst : Sha256V1 {  // tiles, but the flat reference is no longer hash ‖ size
    static constexpr std::array<object::FieldLayout, 5> layout{{
        {Field::size, 0, 3, FieldEncoding::little_endian},
        {Field::hash, 3, 32, FieldEncoding::bytes},
        {Field::height, 35, 1, FieldEncoding::little_endian},
        {Field::degree, 36, 2, FieldEncoding::little_endian},
        {Field::parents_size, 38, 2, FieldEncoding::float16_little_endian},
    }};
};
struct TinySize : Sha256V1 {  // a 2-byte size field cannot hold 2 MiB
    static constexpr std::size_t reference_bytes = 39;
    static constexpr std::size_t flat_reference_bytes = 34;
    static constexpr std::array<object::FieldLayout, 5> layout{{
        {Field::hash, 0, 32, FieldEncoding::bytes},
        {Field::size, 32, 2, FieldEncoding::little_endian},
        {Field::height, 34, 1, FieldEncoding::little_endian},
        {Field::degree, 35, 2, FieldEncoding::little_endian},
        {Field::parents_size, 37, 2, FieldEncoding::float16_little_endian},
    }};
};

} // namespace reference_test_formats

namespace {
using namespace reference_test_formats;
namespace od = object::detail;
static_assert(od::fields_unique<Sha256V1>() && od::fields_tile<Sha256V1>() &&
              od::flat_is_hash_and_size_prefix<Sha256V1>() && od::encodings_fit<Sha256V1>() &&
              od::limits_fit<Sha256V1>() && od::parents_size_table<Sha256V1>.representable);
static_assert(!od::fields_tile<Gap>());
static_assert(!od::fields_tile<Overlap>());
static_assert(!od::fields_unique<Twice>());
static_assert(od::fields_tile<SizeFirst>() && !od::flat_is_hash_and_size_prefix<SizeFirst>());
static_assert(od::fields_tile<TinySize>() && !od::limits_fit<TinySize>());
static_assert(!object::ReferenceFormat<int>);
// The accessor types are generated from the layout.
static_assert(std::is_same_v<od::field_value_t<Sha256V1, Field::hash>, Digest32>);
static_assert(std::is_same_v<od::field_value_t<Sha256V1, Field::size>, std::uint32_t>);
static_assert(std::is_same_v<od::field_value_t<Sha256V1, Field::height>, std::uint8_t>);
static_assert(std::is_same_v<od::field_value_t<Sha256V1, Field::degree>, std::uint16_t>);
static_assert(std::is_same_v<od::field_value_t<Sha256V1, Field::parents_size>, Float16>);
static_assert(Reference::size_bytes == 40 && object::FlatReference::size_bytes == 35);
static_assert(Reference::max_height == 255);

Reference make(std::uint8_t fill, std::uint64_t size = 100, std::uint64_t height = 0, std::uint64_t degree = 0,
               std::uint64_t parents = 0) {
    Digest32 h;
    std::fill(h.begin(), h.end(), fill);
    return Reference::from_fields(h, size, height, degree, parents).value();
}

} // namespace

BOOST_AUTO_TEST_SUITE(reference)

BOOST_AUTO_TEST_CASE(bonanza_local_reference_cases) {
    const auto doc = test::load_json("bonanza/local_reference_test.json");
    std::size_t ok = 0, errors = 0;
    for (const auto& cv : doc.at("cases").as_array()) {
        const auto& c = cv.as_object();
        BOOST_TEST_CONTEXT(c.at("name").as_string()) {
            const Bytes raw = test::unhex(c.at("raw_reference_hex"));
            const auto r = Reference::from_bytes(raw);
            if (c.at("result").as_string() == "error") {
                ++errors;
                BOOST_TEST_REQUIRE(!r.has_value());
                const auto& e = c.at("error").as_object();
                BOOST_TEST(e.at("code").as_string() == "InvalidArgument");
                BOOST_TEST((r.error() == condition::bad_input));
                const std::string expected(e.at("message").as_string());
                if (raw.size() != 40) {
                    // Our length errors follow the library's style; the numbers are Bonanza's.
                    BOOST_TEST((r.error() == errc::invalid_length));
                    BOOST_TEST(r.error().message() == "SHA256_V1 reference: expected 40 bytes, got " +
                                                          std::to_string(raw.size()));
                    BOOST_TEST(expected == "Reference is " + std::to_string(raw.size()) +
                                               " bytes in size, while SHA256_V1 references are 40 bytes in size");
                } else {
                    BOOST_TEST((r.error() == errc::invalid_reference));
                    BOOST_TEST(r.error().message() == expected);  // Bonanza's message, exactly
                }
            } else {
                ++ok;
                BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().message()));
                const auto& x = c.at("expected").as_object();
                BOOST_TEST(hex_encode(r->hash()) == x.at("hash_hex").as_string());
                BOOST_TEST(r->size() == x.at("size_bytes").to_number<std::size_t>());
                BOOST_TEST(r->height() == x.at("height").to_number<std::size_t>());
                BOOST_TEST(r->degree() == x.at("degree").to_number<std::size_t>());
                BOOST_TEST(r->max_parents_total_size() ==
                           x.at("maximum_total_parents_size_bytes_excluding_self").to_number<std::uint64_t>());
                BOOST_TEST(r->max_parents_total_size_including_self() ==
                           x.at("maximum_total_parents_size_bytes_including_self").to_number<std::uint64_t>());
                BOOST_TEST(hex_encode(r->flat().to_reference().bytes()) ==
                           x.at("flattened_raw_reference_hex").as_string());
                BOOST_TEST(hex_encode(r->flat().bytes()) ==
                           std::string(x.at("flattened_raw_reference_hex").as_string()).substr(0, 70));
                BOOST_TEST(hex_encode(r->bytes()) == c.at("raw_reference_hex").as_string());
                // The generated accessor and the named one agree.
                BOOST_TEST(r->get<Field::size>() == r->size());
                // Rebuilding from the fields gives the same bytes.
                const auto again = Reference::from_fields(r->hash(), r->size(), r->height(), r->degree(),
                                                          r->max_parents_total_size());
                BOOST_TEST_REQUIRE(again.has_value());
                BOOST_TEST((*again == *r));
            }
        }
    }
    BOOST_TEST(ok == 2u);
    BOOST_TEST(errors == 7u);
}

BOOST_AUTO_TEST_CASE(bounds_table_matches_its_definition) {
    // Recomputed from doc/protocol.md#objects-and-references with a plain loop; spot values from Bonanza's
    // messages.
    const auto& t = object::detail::parents_size_table<Sha256V1>.bounds;
    BOOST_TEST(t[0].minimum.value() == 0u);
    BOOST_TEST(t[0].maximum.value() == 0u);
    BOOST_TEST(t[1].maximum.value() == 0u);
    std::uint64_t lo = 0, hi = 0;
    for (std::size_t h = 2; h <= 255; ++h) {
        lo = Float16::round_up(lo + 40)->value();
        hi = Float16::round_up(hi + 2097152)->value();
        BOOST_TEST_CONTEXT("height " << h) {
            BOOST_TEST(t[h].minimum.value() == lo);
            BOOST_TEST(t[h].maximum.value() == hi);
        }
    }
    BOOST_TEST(t[36].minimum.value() == 1400u);
    BOOST_TEST(t[36].maximum.value() == 73400320u);
    BOOST_TEST(t[105].minimum.value() == 4160u);
    BOOST_TEST(t[105].maximum.value() == 218103808u);
}

BOOST_AUTO_TEST_CASE(each_rule_has_its_own_message) {
    Digest32 h{};
    auto err = [&](std::uint64_t size, std::uint64_t height, std::uint64_t degree, std::uint64_t m) {
        auto r = Reference::from_fields(h, size, height, degree, m);
        BOOST_TEST_REQUIRE(!r.has_value());
        BOOST_TEST((r.error() == errc::invalid_reference));
        return r.error().message();
    };
    BOOST_TEST(err(0, 0, 0, 0).find("Size is 0 bytes") == 0u);
    BOOST_TEST(err(2097153, 0, 0, 0).find("Size is 2097153 bytes") == 0u);
    BOOST_TEST(err(79, 1, 2, 0).find("Degree is 2, while an object of 79 bytes") == 0u);
    BOOST_TEST(err(80, 1, 0, 0).find("Degree is 0 and height is 1") == 0u);
    BOOST_TEST(err(80, 0, 1, 0).find("Degree is 1 and height is 0") == 0u);
    BOOST_TEST(err(80, 1, 1, 1).find("Maximum total parents size is 1 bytes, which at height 1") == 0u);
    BOOST_TEST(err(80, 2, 1, 0).find("Maximum total parents size is 0 bytes, which at height 2 lies outside "
                                     "the permitted range of [40, 2097152] bytes") == 0u);
    BOOST_TEST(err(1u << 24, 0, 0, 0).find("a size, height or degree does not fit") == 0u);
    BOOST_TEST(err(80, 256, 1, 0).find("a size, height or degree does not fit") == 0u);
    BOOST_TEST(err(80, 2, 1, Float16::max_value + 1).find("a maximum total parents size of") == 0u);
    // Valid at the edges.
    BOOST_TEST(Reference::from_fields(h, 1, 0, 0, 0).has_value());
    BOOST_TEST(Reference::from_fields(h, 2097152, 255, 52428, 532676608).has_value());
    BOOST_TEST(Reference::from_fields(h, 80, 2, 1, 40).has_value());
    BOOST_TEST(Reference::from_fields(h, 80, 2, 1, 2097152).has_value());
}

BOOST_AUTO_TEST_CASE(from_hex) {
    const std::string hex = "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb0100000000000000";
    const auto r = Reference::from_hex(hex);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->hash() == sha256(as_bytes("a")));
    std::string upper = hex;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](char c) { return static_cast<char>(std::toupper(c)); });
    BOOST_TEST((Reference::from_hex(upper).value() == *r));
    BOOST_TEST((Reference::from_hex("xy").error() == errc::malformed_input));
    BOOST_TEST((Reference::from_hex(hex.substr(2)).error() == errc::invalid_length));
    BOOST_TEST((Reference::from_hex(hex + "00").error() == errc::invalid_length));
    BOOST_TEST((Reference::from_hex(hex.substr(1)).error() == errc::malformed_input));
}

BOOST_AUTO_TEST_CASE(human_form) {
    const auto r = Reference::from_hex(
        "37ddcf55ded31b263331b31ffe68d6f410e8186c61ab66ed8db04e2b43dc4818000020ffcccce097").value();
    BOOST_TEST(r.to_string() ==
               "SHA256=37ddcf55ded31b263331b31ffe68d6f410e8186c61ab66ed8db04e2b43dc4818:S=2097152:H=255:D=52428:M=532676608");
    std::ostringstream os;
    os << r;
    BOOST_TEST(os.str() == r.to_string());
}

BOOST_AUTO_TEST_CASE(bytewise_order) {
    const Reference a = make(1), b = make(2);
    BOOST_TEST((a < b));
    BOOST_TEST((a != b));
    // The hash comes first, then the size bytes, least significant first (so not numeric).
    const Reference s1 = make(7, 0x0100), s2 = make(7, 0x00ff);
    BOOST_TEST((s1 < s2));
    BOOST_TEST((std::lexicographical_compare(s1.bytes().begin(), s1.bytes().end(), s2.bytes().begin(), s2.bytes().end())));
    BOOST_TEST(((a <=> a) == 0));
}

BOOST_AUTO_TEST_CASE(height_order_is_bonanzas) {
    // Height first, then parents size including self, then bytewise.
    const Reference leaf_high_hash = make(0xff, 100);
    const Reference leaf_low_hash = make(0x00, 100);
    const Reference parent_small = make(0x00, 80, 1, 1, 0);       // M incl. self = 80
    const Reference parent_large = make(0x00, 4000, 1, 1, 0);     // M incl. self = 4000
    const Reference parent_large_lowhash = make(0x00, 90, 2, 1, 2000);  // height 2
    std::vector<Reference> v{parent_large_lowhash, parent_large, leaf_high_hash, parent_small, leaf_low_hash};
    std::sort(v.begin(), v.end(), object::ByHeight{});
    const std::vector<Reference> expected{leaf_low_hash, leaf_high_hash, parent_small, parent_large,
                                          parent_large_lowhash};
    BOOST_TEST((v == expected));
    BOOST_TEST((object::compare_by_height(parent_small, parent_small) == 0));
    // Bytewise order disagrees with height order here.
    BOOST_TEST((parent_small < leaf_high_hash));
    BOOST_TEST((object::compare_by_height(parent_small, leaf_high_hash) > 0));
    // A total order: a std::set keeps all distinct references.
    std::set<Reference, object::ByHeight> s(v.begin(), v.end());
    BOOST_TEST(s.size() == v.size());
}

BOOST_AUTO_TEST_CASE(flat_reference) {
    const Reference r = make(9, 500, 1, 3, 0);
    const auto flat = r.flat();
    BOOST_TEST(flat.size() == 500u);
    BOOST_TEST(flat.hash() == r.hash());
    BOOST_TEST((flat.to_reference().height() == 0 && flat.to_reference().degree() == 0));
    BOOST_TEST((std::equal(flat.bytes().begin(), flat.bytes().end(), r.bytes().begin())));
    const auto parsed = object::FlatReference::from_bytes(flat.bytes());
    BOOST_TEST_REQUIRE(parsed.has_value());
    BOOST_TEST((*parsed == flat));
    BOOST_TEST((object::FlatReference::from_bytes(r.bytes()).error() == errc::invalid_length));
    Bytes zero_size(35, 0);
    BOOST_TEST((object::FlatReference::from_bytes(zero_size).error() == errc::invalid_reference));
}

BOOST_AUTO_TEST_CASE(every_single_byte_of_the_valid_range_is_checked) {
    // Mutating one byte of a valid reference either keeps it valid (and then the accessors
    // see exactly that change) or is rejected with invalid_reference, never anything else.
    const Reference r = Reference::from_hex(
        "37ddcf55ded31b263331b31ffe68d6f410e8186c61ab66ed8db04e2b43dc4818000020ffcccce097").value();
    std::size_t accepted = 0, rejected = 0;
    for (std::size_t i = 0; i < 40; ++i)
        for (int v = 0; v < 256; ++v) {
            auto raw = r.array();
            raw[i] = static_cast<Byte>(v);
            const auto m = Reference::from_bytes(raw);
            if (m) {
                ++accepted;
                if (!std::equal(raw.begin(), raw.end(), m->bytes().begin())) BOOST_TEST(false, "bytes differ");
            } else {
                ++rejected;
                if (!(m.error() == errc::invalid_reference)) BOOST_TEST(false, m.error().message());
            }
        }
    BOOST_TEST(accepted > 0u);
    BOOST_TEST(rejected > 0u);
}

BOOST_AUTO_TEST_SUITE_END()
