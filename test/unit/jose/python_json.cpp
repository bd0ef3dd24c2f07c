// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/jose/python_json.hpp: the bytes of Python's json.dumps and the grammar
// of json.loads. The expected strings are what CPython 3 prints; the wide comparison with
// Python itself is test/cli/python_json_corpus.py.
#include <sealpipe/jose/python_json.hpp>

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include "support/print_error.hpp"

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <string>

using namespace sealpipe;
using namespace sealpipe::jose;

namespace {
std::string float_repr(double d) {
    std::string s;
    append_python_float(s, d);
    return s;
}
std::string round_trip(std::string_view text) { return python_dumps(parse_python_json(text).value()).value(); }
} // namespace

BOOST_AUTO_TEST_SUITE(python_json)

BOOST_AUTO_TEST_CASE(float_repr_matches_python) {
    // repr(float) in CPython 3 for each value
    const std::pair<double, std::string_view> cases[] = {
        {1.0, "1.0"}, {0.0, "0.0"}, {-0.0, "-0.0"}, {0.1, "0.1"}, {1e-7, "1e-07"}, {1e16, "1e+16"},
        {1e15, "1000000000000000.0"}, {123456789012345678.0, "1.2345678901234568e+17"},
        {0.0001, "0.0001"}, {0.00001, "1e-05"}, {1.5e300, "1.5e+300"}, {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"}, {2.5, "2.5"}, {-123.456, "-123.456"},
        {0.30000000000000004, "0.30000000000000004"}, {9007199254740993.0, "9007199254740992.0"},
        {1234567890123456.7, "1234567890123456.8"}, {12345678901234567.0, "1.2345678901234568e+16"},
        {100.0, "100.0"}, {1e22, "1e+22"}, {1.5e-5, "1.5e-05"}, {0.000123, "0.000123"},
        {2.2250738585072014e-308, "2.2250738585072014e-308"}, {-1e100, "-1e+100"}};
    for (auto [d, want] : cases) {
        BOOST_TEST_CONTEXT("value " << want) { BOOST_TEST(float_repr(d) == want); }
    }
    BOOST_TEST(float_repr(std::numeric_limits<double>::quiet_NaN()) == "NaN");
    BOOST_TEST(float_repr(std::numeric_limits<double>::infinity()) == "Infinity");
    BOOST_TEST(float_repr(-std::numeric_limits<double>::infinity()) == "-Infinity");
}

BOOST_AUTO_TEST_CASE(separators_order_and_scalars) {
    boost::json::object o;
    o["b"] = 1;
    o["a"] = boost::json::array{true, false, nullptr, 2.0, -7, std::uint64_t{18446744073709551615u}};
    o["c"] = boost::json::object{};
    o["d"] = boost::json::array{};
    BOOST_TEST(python_dumps(o).value() ==
               R"({"b": 1, "a": [true, false, null, 2.0, -7, 18446744073709551615], "c": {}, "d": []})");
    BOOST_TEST(compact_dumps(boost::json::object{{"b", 1}, {"a", nullptr}}).value() == R"({"b":1,"a":null})");
}

BOOST_AUTO_TEST_CASE(string_escapes_like_ensure_ascii) {
    // json.dumps('"\\/\b\f\n\r\t\x00\x1f\x7f é€😀')
    const std::string s = "\"\\/\b\f\n\r\t" + std::string(1, '\0') + "\x1f\x7f \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
    BOOST_TEST(python_dumps(boost::json::value(s)).value() ==
               R"("\"\\/\b\f\n\r\t\u0000\u001f\u007f \u00e9\u20ac\ud83d\ude00")");
    // pydantic's model_dump_json keeps UTF-8 and DEL raw
    BOOST_TEST(compact_dumps(boost::json::value(s)).value() ==
               "\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f\x7f \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
}

BOOST_AUTO_TEST_CASE(surrogates_round_trip) {
    BOOST_TEST(round_trip(R"("\uD83D\uDE00")") == R"("\ud83d\ude00")");
    BOOST_TEST(round_trip(R"("\ud800")") == R"("\ud800")");
    BOOST_TEST(round_trip(R"("\udc00\ud800x")") == R"("\udc00\ud800x")");
    BOOST_TEST(round_trip(R"("\ud800\u0041")") == R"("\ud800A")");
    // a lone surrogate is WTF-8 inside; compact JSON (pydantic) refuses it
    const auto v = parse_python_json(R"("\ud800")").value();
    BOOST_TEST(std::string(v.get_string()) == "\xed\xa0\x80");
    BOOST_TEST(compact_dumps(v).error() == errc::malformed_input);
}

BOOST_AUTO_TEST_CASE(duplicate_keys_behave_like_a_dict) {
    BOOST_TEST(round_trip(R"({"a": 1, "b": 2, "a": 3})") == R"({"a": 3, "b": 2})");
    PythonJsonOptions strict;
    strict.reject_duplicate_keys = true;
    BOOST_TEST(parse_python_json(R"({"a": 1, "a": 1})", strict).error() == errc::malformed_input);
}

BOOST_AUTO_TEST_CASE(big_integers) {
    // Python 3.11 refuses more than 4300 digits in int() and json.loads; so does sealpipe.
    const std::string most(max_integer_digits, '7');
    BOOST_TEST(round_trip(most) == most);
    BOOST_TEST(round_trip("-" + most) == "-" + most);
    BOOST_TEST(parse_python_json("[" + most + "7]").error() == errc::size_limit_exceeded);
    // Built by hand: canonical (64-bit values stay int64/uint64), validated.
    BOOST_TEST(big_integer("-42").value().as_int64() == -42);
    BOOST_TEST(big_integer("18446744073709551615").value().is_uint64());
    BOOST_TEST(python_dumps(big_integer("-18446744073709551616").value()).value() == "-18446744073709551616");
    for (const char* bad : {"", "-", "+1", "01", "-0123", "1.5", "1e30", "12a", " 1"})
        BOOST_TEST_CONTEXT(bad) { BOOST_TEST(big_integer(bad).error() == errc::malformed_input); }
    BOOST_TEST(big_integer(most + "1").error() == errc::size_limit_exceeded);
    // The marker key cannot come from a document, and a forged marker must hold an integer.
    BOOST_TEST(parse_python_json(R"({"\u0000sealpipe:int": "5"})").error() == errc::unsupported);
    boost::json::object forged;
    forged[big_integer_key] = "5 ]";
    BOOST_TEST(python_dumps(boost::json::value(forged)).error() == errc::malformed_input);
    forged[big_integer_key] = 5;
    BOOST_TEST(python_dumps(boost::json::value(forged)).error() == errc::malformed_input);
}

BOOST_AUTO_TEST_CASE(numbers_like_python) {
    BOOST_TEST(round_trip("[NaN, Infinity, -Infinity, -0, -0.0, 1E400, -1e400, 1e-400, 10, 1.5E+3]") ==
               "[NaN, Infinity, -Infinity, 0, -0.0, Infinity, -Infinity, 0.0, 10, 1500.0]");
    BOOST_TEST(round_trip("[9223372036854775807, -9223372036854775808, 18446744073709551615]") ==
               "[9223372036854775807, -9223372036854775808, 18446744073709551615]");
    // Beyond 64 bits, integers are kept exactly, as Python keeps them.
    BOOST_TEST(round_trip("[1, 18446744073709551616, -9223372036854775809, 1000000000000000000000000000000]") ==
               "[1, 18446744073709551616, -9223372036854775809, 1000000000000000000000000000000]");
    BOOST_TEST(round_trip(R"({"n": -123456789012345678901234567890, "m": [99999999999999999999]})") ==
               R"({"n": -123456789012345678901234567890, "m": [99999999999999999999]})");
    BOOST_TEST(compact_dumps(parse_python_json("[18446744073709551616]").value()).value() == "[18446744073709551616]");
    const auto big = parse_python_json("18446744073709551616").value();
    BOOST_TEST(big_integer_digits(big).value() == "18446744073709551616");
    BOOST_TEST(!big_integer_digits(parse_python_json("18446744073709551615").value()));
    BOOST_TEST(parse_python_json("-9223372036854775808").value().is_int64());
    BOOST_TEST(parse_python_json("9223372036854775808").value().is_uint64());
    BOOST_TEST(parse_python_json("1.0").value().is_double());
    BOOST_TEST(std::isnan(parse_python_json("NaN").value().get_double()));
}

BOOST_AUTO_TEST_CASE(rejects_what_python_rejects) {
    for (std::string_view bad : {"", " ", "[1,]", R"({"a":1,})", "01", "1.", ".5", "+1", "1e", "-", "nan", "inf",
                                 "-NaN", "[1] x", R"("a)", "\"\t\"", "\"\\x\"", R"("\u12")", "{'a': 1}", "\xef\xbb\xbf[]",
                                 "\"\xff\"", "\"\xc0\x80\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "[1 2]", "tru",
                                 "{\"a\" 1}", "{1: 2}", "\v1"}) {
        BOOST_TEST_CONTEXT("input " << bad) {
            const auto r = parse_python_json(bad);
            BOOST_TEST(!r.has_value());
            if (!r) BOOST_TEST(r.error() == errc::malformed_input);
        }
    }
    BOOST_TEST(parse_python_json(" \t\r\n[ ]\n").has_value());
    BOOST_TEST(round_trip("\"\x7f\"") == R"("\u007f")");
}

BOOST_AUTO_TEST_CASE(depth_is_limited) {
    const std::string deep = std::string(600, '[') + std::string(600, ']');
    BOOST_TEST(parse_python_json(deep).error() == errc::size_limit_exceeded);
    PythonJsonOptions deeper;
    deeper.max_depth = 700;
    const auto v = parse_python_json(deep, deeper);
    BOOST_REQUIRE(v.has_value());
    BOOST_TEST(python_dumps(*v).error() == errc::size_limit_exceeded);
    BOOST_TEST(python_dumps(*v, deeper).value().size() == 1200u);
    BOOST_TEST(parse_python_json(std::string(513, '[') + std::string(513, ']')).error() == errc::size_limit_exceeded);
    BOOST_TEST(parse_python_json(std::string(512, '[') + std::string(512, ']')).has_value());
}

BOOST_AUTO_TEST_CASE(escapes_at_every_offset_of_a_long_run) {
    // the parser and the serializer scan plain ASCII eight bytes at a time: put the one
    // character that is not plain at each offset of a run, in a value and in a key
    const std::pair<std::string_view, std::string_view> specials[] = {
        {"\"", R"(\")"}, {"\\", R"(\\)"}, {"\n", R"(\n)"}, {"\x01", R"(\u0001)"}, {"\x1f", R"(\u001f)"},
        {"\x7f", R"(\u007f)"}, {"\xc3\xa9", R"(\u00e9)"}, {"\xe2\x82\xac", R"(\u20ac)"},
        {"\xf0\x9f\x98\x80", R"(\ud83d\ude00)"}, {"\xed\xa0\x80", R"(\ud800)"}};
    for (const auto& [raw, escaped] : specials) {
        for (std::size_t i = 0; i <= 20; ++i) {
            BOOST_TEST_CONTEXT("special " << escaped << " at offset " << i) {
                const std::string s = std::string(i, 'x') + std::string(raw) + std::string(20 - i, 'y');
                // Appended in order: `"\"" + std::string(...)` prepends to a temporary, which g++ 12
                // at -O3 reports as a bogus -Wrestrict overlap (GCC bug 105651).
                std::string want = "\"";
                want.append(i, 'x').append(escaped).append(20 - i, 'y') += '"';
                boost::json::object o;
                o[s] = s;
                BOOST_TEST(python_dumps(boost::json::value(o)).value() == "{" + want + ": " + want + "}");
                // and read back from the escaped form, and (but for the lone surrogate) the raw one
                const auto back = parse_python_json("{" + want + ": " + want + "}").value();
                BOOST_TEST(back.at(s).as_string() == s);
                if (raw != "\xed\xa0\x80" && raw.size() > 1)
                    BOOST_TEST(parse_python_json("{\"" + s + "\": \"" + s + "\"}").value().at(s).as_string() == s);
            }
        }
    }
    // long plain runs, with DEL (printed raw by compact_dumps, escaped by python_dumps)
    const std::string run(1000, 'a');
    BOOST_TEST(python_dumps(boost::json::value(run + "\x7f" + run)).value() == "\"" + run + "\\u007f" + run + "\"");
    BOOST_TEST(compact_dumps(boost::json::value(run + "\x7f" + run)).value() == "\"" + run + "\x7f" + run + "\"");
    BOOST_TEST(parse_python_json("\"" + run + "\x7f" + run + "\"").value().as_string() == run + "\x7f" + run);
    BOOST_TEST(parse_python_json("\"" + run + "\x01" + run + "\"").error() == errc::malformed_input);
    BOOST_TEST(parse_python_json("\"" + run + "\xff" + run + "\"").error() == errc::malformed_input);
    BOOST_TEST(parse_python_json("\"" + run).error() == errc::malformed_input);
    BOOST_TEST(python_dumps(boost::json::value(run + "\xff")).error() == errc::malformed_input);
}

BOOST_AUTO_TEST_CASE(parses_into_a_given_resource) {
    const std::string text = R"({"a": [1, "two", {"three": 3.0, "four": [null, true]}], "b\u00e9": "x"})";
    boost::json::monotonic_resource arena;
    const auto v = parse_python_json(text, {}, &arena);
    BOOST_REQUIRE(v.has_value());
    BOOST_TEST(v->storage().get() == &arena);
    const auto& inner = v->at("a").as_array();
    BOOST_TEST(inner.storage().get() == &arena);
    BOOST_TEST(inner.at(2).as_object().at("four").as_array().storage().get() == &arena);
    BOOST_TEST(python_dumps(*v).value() == round_trip(text));
    // the default: the default resource
    BOOST_TEST(parse_python_json(text).value().storage().get() != &arena);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_in_a_value_is_refused) {
    const boost::json::value v(boost::json::string("\xff"));
    BOOST_TEST(python_dumps(v).error() == errc::malformed_input);
    BOOST_TEST(compact_dumps(v).error() == errc::malformed_input);
    BOOST_TEST(compact_dumps(boost::json::value(1.5)).error() == errc::unsupported);
}

BOOST_AUTO_TEST_SUITE_END()
