// expect: sealpipe: Provider<Documents> requires 'Documents' to model sealpipe::sqooler::DocumentStore
// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A provider over a store that can read and write documents but not move or list them.
#include <sealpipe/sqooler/provider.hpp>

#include <optional>
#include <string>
#include <string_view>

struct ReadWriteOnly {
    sealpipe::result<std::optional<std::string>> get(const std::string&) { return std::optional<std::string>(); }
    sealpipe::result<void> put(const std::string&, std::string_view) { return {}; }
};

int main() {
    sealpipe::sqooler::Provider<ReadWriteOnly> provider{ReadWriteOnly{}};
    (void)provider;
}
