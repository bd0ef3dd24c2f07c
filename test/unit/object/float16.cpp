// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/object/float16.hpp: every case and range of Bonanza's float16 tests,
// and exhaustive properties over all 65,536 values (round trip, monotonic, minimal round-up).
#include <sealpipe/object/float16.hpp>

#include "support/vectors.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>

using namespace sealpipe;
using object::Float16;

BOOST_AUTO_TEST_SUITE(float16)

// Usable at compile time, as the parents-size bounds table needs.
static_assert(Float16::round_up(0)->bits() == 0);
static_assert(Float16::round_up(2047)->bits() == 2047);
static_assert(Float16::round_up(2048)->value() == 2048);
static_assert(!Float16::round_up(Float16::max_value + 1).has_value());

BOOST_AUTO_TEST_CASE(bonanza_cases) {
    const auto doc = test::load_json("bonanza/float16_test.json");
    std::size_t count = 0;
    for (const auto& cv : doc.at("cases").as_array()) {
        const auto& c = cv.as_object();
        BOOST_TEST_CONTEXT(c.at("name").as_string() << " " << c.at("operation").as_string()) {
            const std::string_view op = c.at("operation").as_string();
            const std::string_view result = c.at("result").as_string();
            if (op == "to_uint64") {
                BOOST_TEST(result == "ok");
                const auto bits = static_cast<std::uint16_t>(c.at("float16").to_number<std::uint64_t>());
                BOOST_TEST(hex_encode(Bytes{static_cast<Byte>(bits >> 8), static_cast<Byte>(bits)}) ==
                           c.at("float16_hex").as_string());
                BOOST_TEST(Float16::from_bits(bits).value() == c.at("uint64").to_number<std::uint64_t>());
            } else {
                BOOST_TEST(op == "from_uint64_round_up");
                const auto f = Float16::round_up(c.at("uint64").to_number<std::uint64_t>());
                if (result == "ok") {
                    BOOST_TEST_REQUIRE(f.has_value());
                    BOOST_TEST(f->bits() == c.at("float16").to_number<std::uint64_t>());
                } else {
                    BOOST_TEST(result == "not_representable");
                    BOOST_TEST(!f.has_value());
                }
            }
            ++count;
        }
    }
    BOOST_TEST(count == 3u);
}

BOOST_AUTO_TEST_CASE(bonanza_ranges) {
    const auto doc = test::load_json("bonanza/float16_test.json");
    std::size_t values = 0;
    for (const auto& rv : doc.at("ranges").as_array()) {
        const auto& r = rv.as_object();
        const auto first = r.at("first").to_number<std::uint64_t>();
        const auto last = r.at("last").to_number<std::uint64_t>();
        const std::string_view kind = r.at("kind").as_string();
        BOOST_TEST_CONTEXT(r.at("name").as_string() << " [" << first << ", " << last << "]") {
            for (std::uint64_t v = first; v <= last; ++v, ++values) {
                const auto f = Float16::round_up(v);
                if (!f) {
                    BOOST_TEST(false, "round_up(" << v << ") failed");
                    continue;
                }
                if (kind == "identity") {
                    if (Float16::from_bits(static_cast<std::uint16_t>(v)).value() != v || f->bits() != v)
                        BOOST_TEST(false, "identity fails at " << v);
                } else {
                    const auto g = r.at("granularity").to_number<std::uint64_t>();
                    if (f->value() != (v + g - 1) / g * g) BOOST_TEST(false, "rounding fails at " << v);
                }
            }
        }
    }
    BOOST_TEST(values == 32769u);  // as the file's notes say
}

BOOST_AUTO_TEST_CASE(every_value_round_trips_and_is_monotonic) {
    // TestFloat16Random checks 10,000 random values; all of them are checked here.
    std::uint64_t previous = 0;
    std::size_t failures = 0;
    for (std::uint32_t x = 0; x <= 0xffff; ++x) {
        const Float16 f = Float16::from_bits(static_cast<std::uint16_t>(x));
        const auto back = Float16::round_up(f.value());
        if (!back || back->bits() != x) ++failures;
        if (x > 0 && f.value() <= previous) ++failures;
        previous = f.value();
    }
    BOOST_TEST(failures == 0u);
    BOOST_TEST(Float16::from_bits(0xffff).value() == Float16::max_value);
}

BOOST_AUTO_TEST_CASE(round_up_is_the_smallest_upper_bound) {
    // For each x > 0, every v in (value(x - 1), value(x)] rounds up to exactly x: the result
    // is >= v, and the Float16 just below it is < v. Checked at both ends of each interval
    // and in the middle.
    std::size_t failures = 0;
    for (std::uint32_t x = 1; x <= 0xffff; ++x) {
        const std::uint64_t lo = Float16::from_bits(static_cast<std::uint16_t>(x - 1)).value() + 1;
        const std::uint64_t hi = Float16::from_bits(static_cast<std::uint16_t>(x)).value();
        for (std::uint64_t v : {lo, lo + (hi - lo) / 2, hi}) {
            const auto f = Float16::round_up(v);
            if (!f || f->bits() != x || f->value() < v) ++failures;
        }
    }
    BOOST_TEST(failures == 0u);
    for (std::uint64_t v : {Float16::max_value + 1, std::uint64_t{1} << 42, ~std::uint64_t{0}})
        BOOST_TEST(!Float16::round_up(v).has_value());
}

BOOST_AUTO_TEST_CASE(ordering_follows_values) {
    BOOST_TEST((Float16::from_bits(2047) < Float16::from_bits(2048)));
    BOOST_TEST((Float16::round_up(5000) == Float16::round_up(4999)));
    BOOST_TEST((Float16() == Float16::from_bits(0)));
}

BOOST_AUTO_TEST_SUITE_END()
