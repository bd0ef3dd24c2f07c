// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The StorageBackend conformance suite (test/laws/storage_backend_laws.hpp), run against
// Memory, Directory, Sqlite and Redis (a redis-server of the test's own on a loopback port).
#include <sealpipe/storage/basic_store.hpp>

#include "laws/storage_backend_laws.hpp"
#include "unit/storage/fixtures.hpp"

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

using namespace sealpipe;
using namespace sealpipe::test;

using backend_fixtures = boost::mpl::list<MemoryFixture, DirectoryFixture, SqliteFixture, RedisFixture>;

BOOST_AUTO_TEST_SUITE(backend_laws)

BOOST_AUTO_TEST_CASE_TEMPLATE(round_trip, F, backend_fixtures) { storage_laws::round_trip<F>(); }
BOOST_AUTO_TEST_CASE_TEMPLATE(idempotent_put, F, backend_fixtures) { storage_laws::idempotent_put<F>(); }
BOOST_AUTO_TEST_CASE_TEMPLATE(missing_is_not_found, F, backend_fixtures) { storage_laws::missing_is_not_found<F>(); }
BOOST_AUTO_TEST_CASE_TEMPLATE(corrupt_is_an_error, F, backend_fixtures) { storage_laws::corrupt_is_an_error<F>(); }
BOOST_AUTO_TEST_CASE_TEMPLATE(remove_deletes, F, backend_fixtures) { storage_laws::remove_deletes<F>(); }
BOOST_AUTO_TEST_CASE_TEMPLATE(enumerate_lists_everything, F, backend_fixtures) {
    storage_laws::enumerate_lists_everything<F>();
}
BOOST_AUTO_TEST_CASE_TEMPLATE(batches, F, backend_fixtures) { storage_laws::batches<F>(); }
BOOST_AUTO_TEST_CASE_TEMPLATE(concurrent_threads, F, backend_fixtures) { storage_laws::concurrent_threads<F>(); }
BOOST_AUTO_TEST_CASE_TEMPLATE(concurrent_processes, F, backend_fixtures) {
    storage_laws::concurrent_processes<F>();
}
BOOST_AUTO_TEST_CASE_TEMPLATE(reachability, F, backend_fixtures) { storage_laws::reachability<F>(); }
BOOST_AUTO_TEST_CASE_TEMPLATE(gc_keeps_reachable_deletes_unreachable, F, backend_fixtures) {
    storage_laws::gc_keeps_reachable_deletes_unreachable<F>();
}
BOOST_AUTO_TEST_CASE_TEMPLATE(gc_with_concurrent_writer, F, backend_fixtures) {
    storage_laws::gc_with_concurrent_writer<F>();
}

BOOST_AUTO_TEST_SUITE_END()
