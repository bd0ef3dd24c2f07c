// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Entry point of the sealpipe tool.

#include "cli.hpp"

int main(int argc, char** argv) { return sealpipe::cli::run(argc, argv); }
