// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Test helper for test/cli/python_json_corpus.py: reads one JSON text per line from stdin
// and prints, per line, "OK " + python_dumps(parse_python_json(line)) or "ERR <reason>"
// (with --compact: compact_dumps, compared with pydantic's serializer). The script compares
// the output with Python's own json.loads and json.dumps.

#include <sealpipe/jose/python_json.hpp>

#include <iostream>
#include <string>
#include <string_view>

int main(int argc, char** argv) {
    const bool compact = argc > 1 && std::string_view(argv[1]) == "--compact";
    std::ios::sync_with_stdio(false);
    std::string line;
    std::string out;
    while (std::getline(std::cin, line)) {
        auto v = sealpipe::jose::parse_python_json(line);
        if (!v) {
            out += v.error() == sealpipe::error::unsupported ? "ERR unsupported\n" : "ERR malformed\n";
            continue;
        }
        auto s = compact ? sealpipe::jose::compact_dumps(*v) : sealpipe::jose::python_dumps(*v);
        if (!s) {
            out += "ERR dumps " + s.error().message() + "\n";
            continue;
        }
        out += "OK ";
        out += *s;
        out += '\n';
    }
    std::cout << out;
    return 0;
}
