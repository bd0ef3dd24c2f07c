// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Messages and condition mapping of sealpipe's error categories.

#ifndef SEALPIPE_IMPL_ERROR_HPP
#define SEALPIPE_IMPL_ERROR_HPP

namespace sealpipe::detail {

inline std::string ErrorCategory::message(int ev) const {
    switch (static_cast<errc>(ev)) {
    case errc::malformed_input: return "malformed input";
    case errc::invalid_length: return "invalid length";
    case errc::size_limit_exceeded: return "size limit exceeded";
    case errc::invalid_key: return "invalid key";
    case errc::invalid_reference: return "invalid reference";
    case errc::unsorted_children: return "outgoing references are not sorted";
    case errc::duplicate_children: return "outgoing references are duplicated";
    case errc::invalid_argument: return "invalid argument";
    case errc::unsupported: return "unsupported";
    case errc::authentication_failed: return "authentication failed";
    case errc::signature_invalid: return "signature is invalid";
    case errc::untrusted_certificate: return "certificate chain is not trusted";
    case errc::certificate_expired: return "certificate is expired or not yet valid";
    case errc::unknown_platform_key: return "unknown platform key";
    case errc::proof_failed: return "proof of possession failed";
    case errc::object_not_found: return "object not found";
    case errc::object_corrupt: return "object does not match its reference";
    case errc::key_conflict: return "a different key is already published under that id";
    case errc::not_owner: return "not the owner";
    case errc::rollback_refused: return "not newer than a version already stored or seen";
    case errc::conflict: return "conflicts with what is already stored";
    case errc::io_error: return "input/output error";
    case errc::backend_unavailable: return "backend unavailable";
    case errc::timed_out: return "timed out";
    case errc::cancelled: return "cancelled";
    case errc::internal: return "internal error";
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
