// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Test support: loading the vector files under test/vectors and small byte helpers.

#ifndef SEALPIPE_TEST_SUPPORT_VECTORS_HPP
#define SEALPIPE_TEST_SUPPORT_VECTORS_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/hex.hpp>
#include <sealpipe/testing/objects.hpp>

#include <boost/json.hpp>

#include <algorithm>
#include <concepts>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace sealpipe::test {

/// The directory holding the vectors (SEALPIPE_VECTORS, set by CTest).
inline std::string vectors_dir() {
    const char* d = std::getenv("SEALPIPE_VECTORS");
    if (!d) throw std::runtime_error("SEALPIPE_VECTORS is not set (run the tests through ctest)");
    return d;
}

/// Parses test/vectors/<relative>.
inline boost::json::value load_json(const std::string& relative) {
    const std::string path = vectors_dir() + "/" + relative;
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + path);
    std::stringstream ss;
    ss << f.rdbuf();
    return boost::json::parse(ss.str());
}

/// Hex to bytes; throws on malformed test data.
inline Bytes unhex(std::string_view s) { return hex_decode(s).value(); }
/// The same for a JSON string (a template, so that a string literal is never taken for JSON).
template <class J>
    requires std::same_as<J, boost::json::value>
Bytes unhex(const J& v) {
    return unhex(std::string_view(v.as_string()));
}
/// A hex member of a vector object as bytes; empty when the member is absent.
inline Bytes hex_field(const boost::json::object& o, std::string_view key) {
    auto it = o.find(key);
    return it == o.end() ? Bytes{} : unhex(it->value());
}
/// Bytes as text, for assertions on decrypted messages.
template <class B>
std::string text(const B& b) {
    return std::string(as_chars(ByteView(b)));
}
/// Whether `needle` occurs in `haystack`.
inline bool contains(ByteView haystack, ByteView needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

using testing::pattern;

} // namespace sealpipe::test

#endif // SEALPIPE_TEST_SUPPORT_VECTORS_HPP
