// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The StorageBackend conformance suite (sealpipe/testing/backend_laws.hpp), run against
// Memory, Directory, Sqlite and Redis (a redis-server of the test's own on a loopback port).
#include <sealpipe/storage/basic_store.hpp>

#include <sealpipe/testing/backend_laws.hpp>
#include "unit/storage/fixtures.hpp"

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

using namespace sealpipe;
using namespace sealpipe::test;

using backend_fixtures = boost::mpl::list<MemoryFixture, DirectoryFixture, SqliteFixture, RedisFixture>;

SEALPIPE_TESTING_BACKEND_LAWS(backend_laws, backend_fixtures)
