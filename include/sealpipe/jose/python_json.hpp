// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// JSON exactly as Python reads and writes it: `parse_python_json` (the grammar of
// `json.loads`), `python_dumps` (the bytes of `json.dumps(obj)`) and `compact_dumps` (the
// bytes of pydantic's `model_dump_json()` for the strings, keys and nulls of JOSE headers).

#ifndef SEALPIPE_JOSE_PYTHON_JSON_HPP
#define SEALPIPE_JOSE_PYTHON_JSON_HPP

#include <sealpipe/error.hpp>

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sealpipe::jose {

/// Limits for `parse_python_json` and the serializers.
struct PythonJsonOptions {
    /// Deepest nesting of arrays and objects accepted (Python's own limit is its recursion
    /// limit, about 1000).
    std::size_t max_depth = 512;
    /// Refuse a repeated key instead of keeping the last value (RFC 7515 §5.2 allows either;
    /// sealpipe refuses in JOSE headers).
    bool reject_duplicate_keys = false;
};

/** The member name that marks a Python integer beyond 64 bits in a Boost.JSON value, which
    has no type for one: the object `{big_integer_key: "<decimal digits>"}` stands for that
    integer, and `python_dumps` / `compact_dumps` print it as the bare number. The leading NUL
    keeps it apart from the keys of real documents; `parse_python_json` refuses it as a key. */
inline constexpr std::string_view big_integer_key{"\0sealpipe:int", 13};

/// The most decimal digits of an integer, as Python 3.11's `int` / `json.loads` accept
/// (`sys.get_int_max_str_digits()`).
inline constexpr std::size_t max_integer_digits = 4300;

/** The value of the integer written in `decimal` (`-?(0|[1-9][0-9]*)`, at most
    `max_integer_digits` digits): an `int64`/`uint64` when it fits, else the
    `big_integer_key` object.
    @par Errors `errc::malformed_input` (not such a number), `errc::size_limit_exceeded`. */
[[nodiscard]] inline result<boost::json::value> big_integer(std::string_view decimal,
                                                            boost::json::storage_ptr storage = {});

/// The decimal digits of a `big_integer_key` object; empty for any other value.
[[nodiscard]] inline std::optional<std::string_view> big_integer_digits(const boost::json::value& v) noexcept;

/** Parses JSON text the way Python's `json.loads` does, into a Boost.JSON value that
    `python_dumps` turns back into the bytes `json.dumps` would print:

    - `NaN`, `Infinity` and `-Infinity` are accepted (as doubles);
    - a duplicate key keeps the *first* key's position and the *last* value (a `dict`),
      unless `options.reject_duplicate_keys`;
    - numbers with a fraction or an exponent are doubles (overflow gives infinity, underflow
      zero, as `float()` does); the others are integers: `std::int64_t` when they fit, else
      `std::uint64_t`, else (beyond 64 bits, up to `max_integer_digits` digits) the
      `big_integer_key` object, printed back as the same digits;
    - `\ud800`-style escapes of unpaired surrogates are kept, encoded as WTF-8 (three bytes
      `ED A0..BF xx`), so that they are printed back as the same escape; escaped pairs are
      combined into one code point, as Python does;
    - raw text must be valid UTF-8, control characters inside strings must be escaped
      (`strict=True`), and white space is only space, tab, line feed and carriage return.

    @par Errors
    `errc::malformed_input` for text Python rejects as well (with the byte offset);
    `errc::size_limit_exceeded` when nesting exceeds `options.max_depth` or an integer has
    more than `max_integer_digits` digits (Python refuses those too);
    `errc::unsupported` for the key `big_integer_key` ("\u0000sealpipe:int").

    The value and everything in it allocate from `storage` (the default resource unless
    given). A `boost::json::monotonic_resource` shared by the value
    (`boost::json::make_shared_resource`) makes parsing and copying cheap, at the price of
    memory that is freed only when the last value using it is gone. */
[[nodiscard]] inline result<boost::json::value> parse_python_json(std::string_view text,
                                                                  const PythonJsonOptions& options = {},
                                                                  boost::json::storage_ptr storage = {});

/** The bytes of Python's `json.dumps(value)` with default arguments: separators `", "` and
    `": "`, keys in stored order, `ensure_ascii` (every code point outside printable ASCII as
    `\uXXXX` in lowercase hex, surrogate pairs above U+FFFF, `\"`, `\\`, `\n`, `\r`, `\t`,
    `\b`, `\f`), integers in decimal, doubles as `repr(float)` (shortest round trip; exponent
    form when the decimal exponent is below -4 or at least 16: `1.0`, `1e-07`, `1e+16`,
    `-0.0`) and `NaN`, `Infinity`, `-Infinity`.

    @par Errors
    `errc::malformed_input` if a string is not UTF-8 (WTF-8 surrogates are allowed), or a
    `big_integer_key` object does not hold a valid integer;
    `errc::size_limit_exceeded` when nesting exceeds `options.max_depth`. */
[[nodiscard]] inline result<std::string> python_dumps(const boost::json::value& value,
                                               const PythonJsonOptions& options = {});

/** Compact JSON as pydantic's `model_dump_json()` prints it: no white space, UTF-8 kept
    raw, `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t` and `\u00xx` for other control characters.
    sqooler signs the bytes of its JWS header and stores its keys in this form.

    @par Errors
    `errc::unsupported` for a double (pydantic's float format is not needed by sealpipe and
    is not reproduced); `errc::malformed_input` if a string is not UTF-8;
    `errc::size_limit_exceeded` when nesting exceeds `options.max_depth`. */
[[nodiscard]] inline result<std::string> compact_dumps(const boost::json::value& value,
                                                const PythonJsonOptions& options = {});

/// Appends `repr(d)` for a Python float (`1.0`, `1e-07`, `1e+16`, `NaN`, `-Infinity`).
inline void append_python_float(std::string& out, double d);

} // namespace sealpipe::jose

#include <sealpipe/jose/impl/python_json.hpp>

#endif // SEALPIPE_JOSE_PYTHON_JSON_HPP
