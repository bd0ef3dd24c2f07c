// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Messages and condition mapping of sealpipe's error categories.

#ifndef SEALPIPE_IMPL_ERROR_HPP
#define SEALPIPE_IMPL_ERROR_HPP

namespace sealpipe::detail {

inline std::string ErrorCategory::message(int ev) const {
    switch (static_cast<error>(ev)) {
    case error::malformed_input: return "malformed input";
    case error::invalid_length: return "invalid length";
    case error::size_limit_exceeded: return "size limit exceeded";
    case error::invalid_key: return "invalid key";
    case error::invalid_reference: return "invalid reference";
    case error::unsorted_children: return "outgoing references are not sorted";
    case error::duplicate_children: return "outgoing references are duplicated";
    case error::invalid_argument: return "invalid argument";
    case error::unsupported: return "unsupported";
    case error::authentication_failed: return "authentication failed";
    case error::signature_invalid: return "signature is invalid";
    case error::untrusted_certificate: return "certificate chain is not trusted";
    case error::certificate_expired: return "certificate is expired or not yet valid";
    case error::unknown_platform_key: return "unknown platform key";
    case error::proof_failed: return "proof of possession failed";
    case error::object_not_found: return "object not found";
    case error::object_corrupt: return "object does not match its reference";
    case error::key_conflict: return "a different key is already published under that id";
    case error::not_owner: return "not the owner";
    case error::rollback_refused: return "not newer than a version already stored or seen";
    case error::conflict: return "conflicts with what is already stored";
    case error::io_error: return "input/output error";
    case error::backend_unavailable: return "backend unavailable";
    case error::timed_out: return "timed out";
    case error::cancelled: return "cancelled";
    case error::internal: return "internal error";
    }
    return "unknown sealpipe error";
}

inline boost::system::error_condition ErrorCategory::default_error_condition(int ev) const noexcept {
    if (ev >= 200) return make_error_condition(condition::environment);
    if (ev >= 100) return make_error_condition(condition::verification_failed);
    return make_error_condition(condition::bad_input);
}

inline std::string ConditionCategory::message(int ev) const {
    switch (static_cast<condition>(ev)) {
    case condition::bad_input: return "bad input";
    case condition::verification_failed: return "verification failed";
    case condition::environment: return "environment failure";
    }
    return "unknown sealpipe condition";
}

} // namespace sealpipe::detail

#endif // SEALPIPE_IMPL_ERROR_HPP
