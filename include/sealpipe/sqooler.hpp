// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The sqooler area: sqooler's typed documents and the provider (configs, jobs, status,
// signed results, keys) over a folder. SQLite and Redis stores need their components:
// <sealpipe/sqooler/sqlite.hpp>, <sealpipe/sqooler/redis.hpp>, and <sealpipe/sqooler/uri.hpp>
// (open_provider over all three).

#ifndef SEALPIPE_SQOOLER_HPP
#define SEALPIPE_SQOOLER_HPP

#include <sealpipe/sqooler/documents.hpp>
#include <sealpipe/sqooler/provider.hpp>

#endif // SEALPIPE_SQOOLER_HPP
