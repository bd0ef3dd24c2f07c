// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The tags area: mutable names → DAG links, signed and encrypted, over a tag backend (in
// memory or a folder here; <sealpipe/tags/sqlite.hpp> and <sealpipe/tags/redis.hpp> need
// their components).

#ifndef SEALPIPE_TAGS_HPP
#define SEALPIPE_TAGS_HPP

#include <sealpipe/tags/store.hpp>

#endif // SEALPIPE_TAGS_HPP
