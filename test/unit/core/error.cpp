// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/error.hpp: categories, conditions, messages, result<T> and exit codes.
#include <sealpipe/error.hpp>

#include <boost/test/unit_test.hpp>

using namespace sealpipe;

BOOST_AUTO_TEST_SUITE(error_model)

BOOST_AUTO_TEST_CASE(errors_map_to_conditions) {
    BOOST_TEST((Error(errc::malformed_input) == condition::bad_input));
    BOOST_TEST((Error(errc::size_limit_exceeded) == condition::bad_input));
    BOOST_TEST((Error(errc::authentication_failed) == condition::verification_failed));
    BOOST_TEST((Error(errc::object_not_found) == condition::verification_failed));
    BOOST_TEST((Error(errc::io_error) == condition::environment));
    BOOST_TEST(!(Error(errc::authentication_failed) == condition::bad_input));
}

BOOST_AUTO_TEST_CASE(verification_failures_are_one_condition) {
    BOOST_TEST((Error(errc::authentication_failed) == condition::verification_failed));
    BOOST_TEST((Error(errc::untrusted_certificate) == condition::verification_failed));
    BOOST_TEST((Error(errc::rollback_refused) == condition::verification_failed));
    BOOST_TEST((Error(errc::conflict) == condition::verification_failed));
    BOOST_TEST((Error(errc::malformed_input) != condition::verification_failed));
    BOOST_TEST((Error(errc::io_error) != condition::verification_failed));
}

BOOST_AUTO_TEST_CASE(messages_and_detail) {
    BOOST_TEST(Error(errc::authentication_failed).message() == "authentication failed");
    BOOST_TEST(Error(errc::rollback_refused).message() == "not newer than a version already stored or seen");
    BOOST_TEST(length_error("nonce", 12, 8).message() == "nonce: expected 12 bytes, got 8");
    BOOST_TEST((length_error("nonce", 12, 8) == errc::invalid_length));
    Error e = Error(errc::malformed_input, "bad byte").context("reading key");
    BOOST_TEST(e.message() == "reading key: bad byte");
    BOOST_TEST(std::string(error_category().name()) == "sealpipe");
    boost::system::error_code ec = errc::object_corrupt;
    BOOST_TEST((ec == condition::verification_failed));
}

// tag::result[]
result<int> parse_positive(int v) {
    if (v <= 0) return fail(errc::invalid_argument, "must be positive");
    return v;
}
// end::result[]

BOOST_AUTO_TEST_CASE(result_values_and_exceptions) {
    auto ok = parse_positive(3);
    BOOST_TEST(ok.has_value());
    BOOST_TEST(*ok == 3);
    auto bad = parse_positive(-1);
    BOOST_TEST(!bad.has_value());
    BOOST_TEST((bad.error() == errc::invalid_argument));
    BOOST_CHECK_THROW(bad.value(), boost::system::system_error);
    try {
        (void)bad.value();
    } catch (const boost::system::system_error& e) {
        BOOST_TEST((e.code() == errc::invalid_argument));
        BOOST_TEST(std::string(e.what()).find("must be positive") != std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
