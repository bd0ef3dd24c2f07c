// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// sealpipe's one error model: `errc` (concrete causes), `condition` (what a caller or the
// CLI acts on), `Error` (a code plus human-readable detail) and `result<T>`.

#ifndef SEALPIPE_ERROR_HPP
#define SEALPIPE_ERROR_HPP

#include <boost/system/error_code.hpp>
#include <boost/system/error_category.hpp>
#include <boost/system/result.hpp>
#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

namespace sealpipe {

/** Concrete causes of failure. The values are stable: they are part of the ABI of
    serialised error codes and of the compile-fail tests' expectations. */
enum class errc {
    // --- bad input (condition::bad_input, CLI exit code 2) ---
    malformed_input = 1,   ///< bytes or text that do not parse
    invalid_length,        ///< a fixed-size value of the wrong length
    size_limit_exceeded,   ///< larger than a stated maximum
    invalid_key,           ///< a key that is not valid for its type (wrong curve, bad point)
    invalid_reference,     ///< a reference that breaks a SHA256_V1 rule
    unsorted_children,     ///< outgoing references not in ascending order
    duplicate_children,    ///< outgoing references repeated
    invalid_argument,      ///< an argument outside its documented domain
    unsupported,           ///< a valid input the library does not support

    // --- verification failures (condition::verification_failed, CLI exit code 1) ---
    authentication_failed = 100, ///< an AEAD tag did not verify
    signature_invalid,           ///< a signature did not verify
    untrusted_certificate,       ///< a certificate chain did not verify
    certificate_expired,         ///< a certificate chain is outside its validity period
    unknown_platform_key,        ///< no configured key matches
    proof_failed,                ///< a proof of possession did not match
    object_not_found,            ///< a referenced object is missing from storage
    object_corrupt,              ///< a stored object does not match its reference
    key_conflict,                ///< a different key is already published under that id
    not_owner,                   ///< the caller does not own what it tried to change
    rollback_refused,            ///< a version not newer than one already stored or seen
    conflict,                    ///< the store already holds what refuses the change (a document, a finished job)

    // --- environment (condition::environment, CLI exit code 2) ---
    io_error = 200,         ///< the operating system reported an error
    backend_unavailable,    ///< a storage backend or service cannot be reached
    timed_out,              ///< an operation ran out of time
    cancelled,              ///< an operation was cancelled
    internal,               ///< a dependency failed in an unexpected way
};

/** What a caller acts on: groups of `errc` values. */
enum class condition {
    bad_input = 1,           ///< the caller's input is wrong: fix it and retry
    verification_failed,     ///< the input is well formed but not authentic or not present
    environment,             ///< the system around the library failed
};

} // namespace sealpipe

namespace boost::system {
template <> struct is_error_code_enum<::sealpipe::errc> : std::true_type {};
template <> struct is_error_condition_enum<::sealpipe::condition> : std::true_type {};
} // namespace boost::system

namespace sealpipe {

namespace detail {

class ErrorCategory final : public boost::system::error_category {
public:
    constexpr ErrorCategory() noexcept : boost::system::error_category(0x5ea1'1e0e'5ea1'0001ULL) {}
    const char* name() const noexcept override { return "sealpipe"; }
    std::string message(int ev) const override;
    boost::system::error_condition default_error_condition(int ev) const noexcept override;
};

class ConditionCategory final : public boost::system::error_category {
public:
    constexpr ConditionCategory() noexcept : boost::system::error_category(0x5ea1'1e0e'5ea1'0002ULL) {}
    const char* name() const noexcept override { return "sealpipe.condition"; }
    std::string message(int ev) const override;
};

inline constexpr ErrorCategory error_category_instance{};
inline constexpr ConditionCategory condition_category_instance{};

} // namespace detail

/// The category of `errc` values.
inline const boost::system::error_category& error_category() noexcept {
    return detail::error_category_instance;
}
/// The category of `condition` values.
inline const boost::system::error_category& condition_category() noexcept {
    return detail::condition_category_instance;
}

inline boost::system::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), error_category()};
}
inline boost::system::error_condition make_error_condition(condition c) noexcept {
    return {static_cast<int>(c), condition_category()};
}

/** An error: a code (usually an `errc`) plus a sentence of detail for people, such as
    "expected 12 bytes, got 8". Compare it with an `errc` or a `condition`. */
class Error {
public:
    /// No error (needed by result<T>; never returned by sealpipe).
    Error() = default;
    Error(errc e, std::string detail = {}) : code_(make_error_code(e)), detail_(std::move(detail)) {}
    Error(boost::system::error_code code, std::string detail = {})
        : code_(code), detail_(std::move(detail)) {}

    /// The machine-readable code.
    const boost::system::error_code& code() const noexcept { return code_; }
    /// Extra detail, possibly empty.
    const std::string& detail() const noexcept { return detail_; }
    /// "detail" when there is one, else the code's message.
    std::string message() const { return detail_.empty() ? code_.message() : detail_; }

    friend bool operator==(const Error& a, errc b) noexcept { return a.code_ == make_error_code(b); }
    friend bool operator==(const Error& a, condition b) noexcept {
        return a.code_ == make_error_condition(b);
    }
    friend bool operator==(const Error& a, const boost::system::error_code& b) noexcept {
        return a.code_ == b;
    }

    /// Adds context in front of the detail: "reading key: expected 32 bytes, got 31".
    Error&& context(std::string_view what) && {
        detail_ = std::string(what) + ": " + message();
        return std::move(*this);
    }

private:
    boost::system::error_code code_;
    std::string detail_;
};

/** The result of every fallible sealpipe operation. `.value()` throws
    `boost::system::system_error` for callers who prefer exceptions. */
template <class T>
using result = boost::system::result<T, Error>;

/// Makes an `Error` value for `return fail(...)` in functions returning `result<T>`.
[[nodiscard]] inline Error fail(errc e, std::string detail = {}) { return Error(e, std::move(detail)); }

/// "expected N bytes, got M": the standard length message.
[[nodiscard]] inline Error length_error(std::string_view what, std::size_t expected, std::size_t got) {
    return Error(errc::invalid_length, std::string(what) + ": expected " + std::to_string(expected) +
                                            " bytes, got " + std::to_string(got));
}

/// Hook used by `boost::system::result<T, Error>::value()`.
[[noreturn]] inline void throw_exception_from_error(const Error& e, const boost::source_location& loc) {
    boost::throw_exception(boost::system::system_error(e.code(), e.detail()), loc);
}


} // namespace sealpipe

#include <sealpipe/impl/error.hpp>

#endif // SEALPIPE_ERROR_HPP
