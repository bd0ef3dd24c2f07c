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
inline Bytes unhex(const boost::json::value& v) { return unhex(std::string_view(v.as_string())); }

using testing::pattern;

} // namespace sealpipe::test

#endif // SEALPIPE_TEST_SUPPORT_VECTORS_HPP
