// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Bodies of the Python-compatible JSON parser and serializers (jose/python_json.hpp).

#ifndef SEALPIPE_JOSE_IMPL_PYTHON_JSON_HPP
#define SEALPIPE_JOSE_IMPL_PYTHON_JSON_HPP

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <system_error>
#include <utility>
#include <vector>

namespace sealpipe::jose {

namespace detail {

inline constexpr char lower_hex_digits[] = "0123456789abcdef";

/** Decodes one UTF-8 sequence at `p` (advancing it), or returns -1 if the bytes are not
    UTF-8. With `allow_surrogates`, the three-byte forms of U+D800..U+DFFF (WTF-8) pass. */
inline std::int32_t decode_utf8(const unsigned char*& p, const unsigned char* end, bool allow_surrogates) noexcept {
    const unsigned c = *p;
    std::size_t n = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if (c < 0x80) {
        ++p;
        return static_cast<std::int32_t>(c);
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 1, cp = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 2, cp = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 3, cp = c & 0x07, min = 0x10000;
    } else {
        return -1;
    }
    if (static_cast<std::size_t>(end - p) <= n) return -1;
    for (std::size_t i = 1; i <= n; ++i) {
        const unsigned cc = p[i];
        if ((cc & 0xC0) != 0x80) return -1;
        cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF) return -1;
    if (cp >= 0xD800 && cp <= 0xDFFF && !allow_surrogates) return -1;
    p += n + 1;
    return static_cast<std::int32_t>(cp);
}

/// Appends a code point as UTF-8 (surrogates as WTF-8).
template <class String>
void append_utf8(String& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

/// For each byte: 1 if it is printable ASCII other than '"', '\\' and DEL; 2 if it is DEL.
inline constexpr auto plain_ascii_bytes = [] {
    std::array<unsigned char, 256> t{};
    for (unsigned c = 0x20; c < 0x7F; ++c) t[c] = c != '"' && c != '\\';
    t[0x7F] = 2;
    return t;
}();

/** The length of the longest prefix of [p, end) made of printable ASCII other than '"' and
    '\\' (and other than DEL unless `allow_del`): text that both JSON and Python's JSON copy
    as it is. Eight bytes at a time; a word with any other byte is finished byte by byte. */
inline std::size_t plain_ascii_prefix(const char* p, const char* end, bool allow_del) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101u;
    constexpr std::uint64_t highs = 0x8080808080808080u;
    // nonzero iff some byte of v is zero (exact as a yes/no answer)
    constexpr auto has_zero = [](std::uint64_t v) noexcept { return (v - ones) & ~v & highs; };
    const char* q = p;
    while (end - q >= 8) {
        std::uint64_t w;
        std::memcpy(&w, q, 8);
        // bytes >= 0x80, bytes < 0x20 (exact as a yes/no answer for bytes below 0x80), '"', '\\'
        std::uint64_t other = (w & highs) | ((w - 0x20 * ones) & ~w & highs) | has_zero(w ^ (0x22 * ones)) |
                              has_zero(w ^ (0x5C * ones));
        if (!allow_del) other |= has_zero(w ^ (0x7F * ones));
        if (other != 0) break;
        q += 8;
    }
    const unsigned char mask = allow_del ? 3 : 1;
    while (q != end && (plain_ascii_bytes[static_cast<unsigned char>(*q)] & mask) != 0) ++q;
    return static_cast<std::size_t>(q - p);
}

/// Whether `o` is the `big_integer_key` object (an integer, not a JSON object).
inline bool is_big_integer(const boost::json::object& o) noexcept {
    return o.size() == 1 && o.begin()->key() == big_integer_key;
}

/// Checks `-?(0|[1-9][0-9]*)` with at most `max_integer_digits` digits.
inline result<void> check_decimal_integer(std::string_view s) {
    const std::string_view digits = !s.empty() && s.front() == '-' ? s.substr(1) : s;
    if (digits.empty() || (digits.size() > 1 && digits.front() == '0') ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return fail(errc::malformed_input, "JSON: not a decimal integer");
    if (digits.size() > max_integer_digits)
        return fail(errc::size_limit_exceeded, "JSON: an integer of " + std::to_string(digits.size()) +
                                                    " digits exceeds the limit of " +
                                                    std::to_string(max_integer_digits));
    return {};
}

/// A number as Python's `json.loads` reads it.
/// The four hex digits of a `\\uXXXX` escape at `p` (either case); advances `p` past them.
inline bool read_hex4(const char*& p, const char* end, std::uint32_t& out) noexcept {
    if (end - p < 4) return false;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
        const char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
        else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
        else return false;
    }
    p += 4;
    out = v;
    return true;
}

struct ScannedNumber {
    enum Kind { int64, uint64, big, float_ } kind = int64;
    std::int64_t i = 0;
    std::uint64_t u = 0;
    double d = 0;
    std::string_view text;  ///< the digits of a `big` integer
};

/** Scans the number at `p` (which it advances) in the grammar of Python's JSON scanner:
    integers of up to 64 bits as such, longer ones (up to `max_integer_digits` digits) as
    `big`, anything with a fraction or an exponent as a double (overflow to infinity and
    underflow to zero, as `float()`). Errors name the offset from `begin`; on error `p` is
    left at the start. */
inline result<ScannedNumber> scan_number(const char*& p, const char* end, const char* begin) {
    const auto error_at = [&](std::string_view what) {
        return fail(errc::malformed_input, "JSON: " + std::string(what) + " at offset " + std::to_string(p - begin));
    };
    const auto is_digit = [](char c) noexcept { return c >= '0' && c <= '9'; };
    const char* const start = p;
    const bool negative = *p == '-';
    if (negative) ++p;
    if (p == end || !is_digit(*p)) {
        p = start;
        return error_at("expected a value");
    }
    const char* const int_begin = p;
    if (*p == '0') ++p;
    else while (p != end && is_digit(*p)) ++p;
    const char* const int_end = p;
    bool is_float = false;
    const char* frac_begin = p;
    const char* frac_end = p;
    if (end - p >= 2 && *p == '.' && is_digit(p[1])) {
        frac_begin = ++p;
        while (p != end && is_digit(*p)) ++p;
        frac_end = p;
        is_float = true;
    }
    long exponent = 0;
    if (p != end && (*p == 'e' || *p == 'E')) {
        const char* q = p + 1;
        bool exp_negative = false;
        if (q != end && (*q == '+' || *q == '-')) exp_negative = *q++ == '-';
        if (q != end && is_digit(*q)) {
            while (q != end && is_digit(*q)) {
                if (exponent < 100'000'000) exponent = exponent * 10 + (*q - '0');
                ++q;
            }
            if (exp_negative) exponent = -exponent;
            p = q;
            is_float = true;
        }
    }
    ScannedNumber out;
    if (!is_float) {
        std::uint64_t u = 0;
        const auto r = std::from_chars(int_begin, int_end, u);
        if (r.ec != std::errc{} || (negative && u > std::uint64_t{1} << 63)) {
            // Beyond 64 bits: kept exactly, as Python does (big_integer_key).
            const std::string_view text(start, static_cast<std::size_t>(p - start));
            if (auto c = check_decimal_integer(text); !c) {
                p = start;
                return std::move(c).error().context("at offset " + std::to_string(start - begin));
            }
            out.kind = ScannedNumber::big;
            out.text = text;
            return out;
        }
        if (negative) {
            out.i = u == std::uint64_t{1} << 63 ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(u);
        } else if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            out.i = static_cast<std::int64_t>(u);
        } else {
            out.kind = ScannedNumber::uint64;
            out.u = u;
        }
        return out;
    }
    double d = 0;
    const auto r = std::from_chars(start, p, d);
    if (r.ec == std::errc::result_out_of_range) {
        // Overflow or underflow: float() gives infinity or zero, which from_chars does not.
        long lead = 0;  // decimal exponent of the first significant digit, before `exponent`
        if (!(int_end - int_begin == 1 && *int_begin == '0')) {
            lead = static_cast<long>(int_end - int_begin) - 1;
        } else {
            const char* f = frac_begin;
            while (f != frac_end && *f == '0') ++f;
            lead = -static_cast<long>(f - frac_begin) - 1;
        }
        const double magnitude = lead + exponent > 0 ? std::numeric_limits<double>::infinity() : 0.0;
        d = negative ? -magnitude : magnitude;
    } else if (r.ec != std::errc{} || r.ptr != p) {
        p = start;
        return error_at("invalid number");
    }
    out.kind = ScannedNumber::float_;
    out.d = d;
    return out;
}

/// Recursive-descent parser for the grammar of Python's `json.loads` (C scanner).
class PythonJsonParser {
public:
    PythonJsonParser(std::string_view text, const PythonJsonOptions& options, boost::json::storage_ptr sp) noexcept
        : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), max_depth_(options.max_depth),
          reject_duplicates_(options.reject_duplicate_keys), sp_(std::move(sp)) {}

    result<boost::json::value> parse_document() {
        boost::json::value v(sp_);
        skip_ws();
        if (auto r = parse_value(v, 0); !r) return r.error();
        skip_ws();
        if (p_ != end_) return error_at("extra data after the value");
        return v;
    }

private:
    Error error_at(std::string_view what) const {
        return fail(errc::malformed_input,
                    "JSON: " + std::string(what) + " at offset " + std::to_string(p_ - begin_));
    }
    static bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
    void skip_ws() noexcept {
        while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
    }
    bool consume(std::string_view literal) noexcept {
        if (static_cast<std::size_t>(end_ - p_) >= literal.size() &&
            std::string_view(p_, literal.size()) == literal) {
            p_ += literal.size();
            return true;
        }
        return false;
    }

    // Values are built in place, in the slot of their container, never moved.
    result<void> parse_value(boost::json::value& out, std::size_t depth) {
        if (p_ == end_) return error_at("expected a value");
        switch (*p_) {
        case '{': return parse_object(out, depth);
        case '[': return parse_array(out, depth);
        case '"': return parse_string(out.emplace_string());
        case 'n': if (consume("null")) return out.emplace_null(), result<void>(); break;
        case 't': if (consume("true")) return out.emplace_bool() = true, result<void>(); break;
        case 'f': if (consume("false")) return out.emplace_bool() = false, result<void>(); break;
        case 'N':
            if (consume("NaN")) return out.emplace_double() = std::numeric_limits<double>::quiet_NaN(), result<void>();
            break;
        case 'I':
            if (consume("Infinity")) return out.emplace_double() = std::numeric_limits<double>::infinity(), result<void>();
            break;
        case '-':
            if (consume("-Infinity"))
                return out.emplace_double() = -std::numeric_limits<double>::infinity(), result<void>();
            return parse_number(out);
        default:
            if (is_digit(*p_)) return parse_number(out);
            break;
        }
        return error_at("expected a value");
    }

    result<void> enter(std::size_t depth) const {
        if (depth >= max_depth_)
            return fail(errc::size_limit_exceeded,
                        "JSON: nesting deeper than " + std::to_string(max_depth_) + " levels");
        return {};
    }

    result<void> parse_object(boost::json::value& out, std::size_t depth) {
        if (auto r = enter(depth); !r) return r.error();
        ++p_;
        auto& obj = out.emplace_object();
        skip_ws();
        if (p_ != end_ && *p_ == '}') {
            ++p_;
            return {};
        }
        for (;;) {
            if (p_ == end_ || *p_ != '"') return error_at("expected a property name in double quotes");
            key_.clear();
            std::string_view key;
            if (auto r = parse_key(key); !r) return r;
            if (key == big_integer_key)
                return fail(errc::unsupported, "JSON: the key \"\\u0000sealpipe:int\" at offset " +
                                                    std::to_string(p_ - begin_) + " is reserved");
            // A dict: a repeated key keeps its first position and takes the last value.
            auto slot = obj.emplace(key, nullptr);
            if (!slot.second) {
                if (reject_duplicates_) return error_at("duplicate key");
                slot.first->value().emplace_null();
            }
            skip_ws();
            if (p_ == end_ || *p_ != ':') return error_at("expected ':'");
            ++p_;
            skip_ws();
            if (auto r = parse_value(slot.first->value(), depth + 1); !r) return r;
            skip_ws();
            if (p_ != end_ && *p_ == ',') {
                ++p_;
                skip_ws();
                continue;
            }
            if (p_ != end_ && *p_ == '}') {
                ++p_;
                return {};
            }
            return error_at("expected ',' or '}'");
        }
    }

    result<void> parse_array(boost::json::value& out, std::size_t depth) {
        if (auto r = enter(depth); !r) return r.error();
        ++p_;
        auto& arr = out.emplace_array();
        skip_ws();
        if (p_ != end_ && *p_ == ']') {
            ++p_;
            return {};
        }
        for (;;) {
            if (auto r = parse_value(arr.emplace_back(nullptr), depth + 1); !r) return r;
            skip_ws();
            if (p_ != end_ && *p_ == ',') {
                ++p_;
                skip_ws();
                continue;
            }
            if (p_ != end_ && *p_ == ']') {
                ++p_;
                return {};
            }
            return error_at("expected ',' or ']'");
        }
    }

    bool read_hex4(std::uint32_t& out) noexcept { return detail::read_hex4(p_, end_, out); }

    /// The length of the run of plain ASCII (no quote, backslash or control character) at `p`.
    static std::size_t plain_run(const char* p, const char* end) noexcept {
        return plain_ascii_prefix(p, end, true);
    }

    /// Parses a key: a view of the text when it has no escape and no multi-byte character,
    /// else decoded into `key_`.
    result<void> parse_key(std::string_view& key) {
        const std::size_t n = plain_run(p_ + 1, end_);
        if (p_ + 1 + n != end_ && p_[1 + n] == '"') {
            key = std::string_view(p_ + 1, n);
            p_ += n + 2;
            return {};
        }
        if (auto r = parse_string(key_); !r) return r;
        key = key_;
        return {};
    }

    template <class String>
    result<void> parse_string(String& out) {
        ++p_;
        if (const std::size_t n = plain_run(p_, end_); p_ + n != end_ && p_[n] == '"') {
            out.append(std::string_view(p_, n));  // the common case: no escape, ASCII only
            p_ += n + 1;
            return {};
        }
        for (;;) {
            if (p_ == end_) return error_at("unterminated string");
            const auto c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                ++p_;
                return {};
            }
            if (c == '\\') {
                ++p_;
                if (p_ == end_) return error_at("unterminated string");
                const char e = *p_++;
                switch (e) {
                case '"': out.push_back('"'); break;
                case '\\': out.push_back('\\'); break;
                case '/': out.push_back('/'); break;
                case 'b': out.push_back('\b'); break;
                case 'f': out.push_back('\f'); break;
                case 'n': out.push_back('\n'); break;
                case 'r': out.push_back('\r'); break;
                case 't': out.push_back('\t'); break;
                case 'u': {
                    std::uint32_t cp = 0;
                    if (!read_hex4(cp)) return error_at("invalid \\uXXXX escape");
                    if (cp >= 0xD800 && cp <= 0xDBFF && end_ - p_ >= 2 && p_[0] == '\\' && p_[1] == 'u') {
                        const char* const save = p_;
                        p_ += 2;
                        std::uint32_t low = 0;
                        if (!read_hex4(low)) return error_at("invalid \\uXXXX escape");
                        if (low >= 0xDC00 && low <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        else p_ = save;
                    }
                    append_utf8(out, cp);
                    break;
                }
                default: --p_; return error_at("invalid \\escape");
                }
                continue;
            }
            if (c < 0x20) return error_at("invalid control character in string");
            if (c < 0x80) {
                // a run of plain ASCII in one append
                const std::size_t n = 1 + plain_run(p_ + 1, end_);
                out.append(std::string_view(p_, n));
                p_ += n;
                continue;
            }
            auto q = reinterpret_cast<const unsigned char*>(p_);
            if (decode_utf8(q, reinterpret_cast<const unsigned char*>(end_), false) < 0)
                return error_at("invalid UTF-8");
            const auto n = static_cast<std::size_t>(reinterpret_cast<const char*>(q) - p_);
            out.append(std::string_view(p_, n));
            p_ += n;
        }
    }

    result<void> parse_number(boost::json::value& out) {
        auto n = scan_number(p_, end_, begin_);
        if (!n) return n.error();
        switch (n->kind) {
        case ScannedNumber::int64: out.emplace_int64() = n->i; break;
        case ScannedNumber::uint64: out.emplace_uint64() = n->u; break;
        case ScannedNumber::big: out.emplace_object().emplace(big_integer_key, boost::json::string(n->text, sp_)); break;
        case ScannedNumber::float_: out.emplace_double() = n->d; break;
        }
        return {};
    }

    const char* begin_;
    const char* p_;
    const char* end_;
    std::size_t max_depth_;
    bool reject_duplicates_;
    boost::json::storage_ptr sp_;
    std::string key_;  // a key with escapes or multi-byte characters, decoded
};

/** Serializer for `python_dumps` (Python style) and `compact_dumps` (pydantic style).
    Appends to a string that it grows itself and trims to what it wrote when it is done. */
class PythonJsonWriter {
public:
    PythonJsonWriter(std::string& out, bool python, std::size_t max_depth) noexcept
        : out_(out), n_(out.size()), python_(python), max_depth_(max_depth) {}
    PythonJsonWriter(const PythonJsonWriter&) = delete;
    PythonJsonWriter& operator=(const PythonJsonWriter&) = delete;
    ~PythonJsonWriter() { out_.resize(n_); }

    result<void> write(const boost::json::value& v, std::size_t depth) {
        switch (v.kind()) {
        case boost::json::kind::null: put("null", 4); return {};
        case boost::json::kind::bool_:
            if (v.get_bool()) put("true", 4);
            else put("false", 5);
            return {};
        case boost::json::kind::int64: append_integer(v.get_int64()); return {};
        case boost::json::kind::uint64: append_integer(v.get_uint64()); return {};
        case boost::json::kind::double_:
            if (!python_)
                return fail(errc::unsupported, "compact JSON: floating-point numbers are not supported");
            out_.resize(n_);
            append_python_float(out_, v.get_double());
            n_ = out_.size();
            return {};
        case boost::json::kind::string: return write_string(v.get_string());
        case boost::json::kind::array: {
            if (depth >= max_depth_) return too_deep();
            put('[');
            bool first = true;
            for (const auto& e : v.get_array()) {
                if (!first) put_separator(',');
                first = false;
                if (auto r = write(e, depth + 1); !r) return r;
            }
            put(']');
            return {};
        }
        case boost::json::kind::object: return write_object(v.get_object(), depth);
        }
        return fail(errc::internal, "JSON: unknown value kind");
    }

    result<void> write_object(const boost::json::object& o, std::size_t depth) {
        if (is_big_integer(o)) {
            const auto* digits = o.begin()->value().if_string();
            if (!digits) return fail(errc::malformed_input, "JSON: a big integer must hold its digits as a string");
            if (auto c = check_decimal_integer(*digits); !c) return c;
            put(digits->data(), digits->size());
            return {};
        }
        if (depth >= max_depth_) return too_deep();
        put('{');
        bool first = true;
        for (const auto& kv : o) {
            if (!first) put_separator(',');
            first = false;
            if (auto r = write_string(kv.key()); !r) return r;
            put_separator(':');
            if (auto r = write(kv.value(), depth + 1); !r) return r;
        }
        put('}');
        return {};
    }

    result<void> write_string(std::string_view s) {
        auto p = reinterpret_cast<const unsigned char*>(s.data());
        const auto end = p + s.size();
        const auto* run = p + plain_ascii_prefix(s.data(), s.data() + s.size(), false);
        if (run == end) {  // the common case: the string as it is, in quotes
            char* d = room(s.size() + 2);
            d[0] = '"';
            if (!s.empty()) std::memcpy(d + 1, s.data(), s.size());
            d[s.size() + 1] = '"';
            n_ += s.size() + 2;
            return {};
        }
        put('"');
        while (p != end) {
            // a run of characters printed as they are, in one copy
            if (run != p) {
                put(reinterpret_cast<const char*>(p), static_cast<std::size_t>(run - p));
                p = run;
                if (p == end) break;
            }
            const unsigned c = *p;
            if (c < 0x80) {
                ++p;
                switch (c) {
                case '"': put("\\\"", 2); break;
                case '\\': put("\\\\", 2); break;
                case '\n': put("\\n", 2); break;
                case '\r': put("\\r", 2); break;
                case '\t': put("\\t", 2); break;
                case '\b': put("\\b", 2); break;
                case '\f': put("\\f", 2); break;
                default:
                    if (c < 0x20 || (python_ && c == 0x7F)) append_u_escape(c);
                    else put(static_cast<char>(c));
                    break;
                }
            } else {
                const auto* const seq = p;
                const std::int32_t cp = decode_utf8(p, end, python_);
                if (cp < 0)
                    return fail(errc::malformed_input,
                                "JSON: string is not UTF-8 at byte " +
                                    std::to_string(seq - reinterpret_cast<const unsigned char*>(s.data())));
                if (!python_) {
                    put(reinterpret_cast<const char*>(seq), static_cast<std::size_t>(p - seq));
                } else if (cp >= 0x10000) {
                    const auto v = static_cast<std::uint32_t>(cp) - 0x10000;
                    append_u_escape(0xD800 | (v >> 10));
                    append_u_escape(0xDC00 | (v & 0x3FF));
                } else {
                    append_u_escape(static_cast<std::uint32_t>(cp));
                }
            }
            run = p + plain_ascii_prefix(reinterpret_cast<const char*>(p), reinterpret_cast<const char*>(end), false);
        }
        put('"');
        return {};
    }

private:
    /// Where the next `k` bytes go, growing the string geometrically (trimmed at the end).
    char* room(std::size_t k) {
        if (out_.size() - n_ < k) [[unlikely]]
            grow(k);
        return out_.data() + n_;
    }
    void grow(std::size_t k) { out_.resize(std::max(2 * out_.size(), n_ + k + 1024)); }
    void put(const char* s, std::size_t k) {
        std::memcpy(room(k), s, k);
        n_ += k;
    }
    void put(char c) {
        *room(1) = c;
        ++n_;
    }
    /// `", "` and `": "` in Python's style, `","` and `":"` in pydantic's.
    void put_separator(char c) {
        char* d = room(2);
        d[0] = c;
        d[1] = ' ';
        n_ += python_ ? 2 : 1;
    }

    Error too_deep() const {
        return fail(errc::size_limit_exceeded, "JSON: nesting deeper than " + std::to_string(max_depth_) + " levels");
    }

    template <class Int>
    void append_integer(Int i) {
        char* d = room(24);
        n_ += static_cast<std::size_t>(std::to_chars(d, d + 24, i).ptr - d);
    }

    void append_u_escape(std::uint32_t u) {
        char* d = room(6);
        d[0] = '\\';
        d[1] = 'u';
        d[2] = lower_hex_digits[(u >> 12) & 15];
        d[3] = lower_hex_digits[(u >> 8) & 15];
        d[4] = lower_hex_digits[(u >> 4) & 15];
        d[5] = lower_hex_digits[u & 15];
        n_ += 6;
    }

    std::string& out_;
    std::size_t n_;  // bytes of `out_` written so far; the rest is room
    bool python_;
    std::size_t max_depth_;
};

/** Reads JSON text in the grammar of `json.loads` and writes, as it goes, the bytes
    `json.dumps` prints for it: `python_dumps(parse_python_json(text))` without the value in
    between, so memory stays proportional to the text, not to a tree of values. The one case
    it cannot stream is an object that repeats a key (Python keeps the first position and the
    last value): it then stops and says so, and the caller parses instead. The same errors as
    `parse_python_json`, at the same offsets (measured from `begin`). */
class PythonJsonRedumper {
public:
    PythonJsonRedumper(const char* begin, const char* p, const char* end, std::size_t max_depth) noexcept
        : begin_(begin), p_(p), end_(end), max_depth_(max_depth) {}

    const char* position() const noexcept { return p_; }
    void skip_ws() noexcept {
        while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
    }

    /** Transcodes the value at the position (no white space before it) to `out`, or only
        checks it when `out` is null. False when an object repeats a key. */
    result<bool> value(std::string* out, std::size_t depth) {
        out_ = out;
        return value(depth);
    }

    /** Reads a string at the position (its opening quote) and decodes it into `decoded`
        (UTF-8, WTF-8 for escaped lone surrogates), as `parse_python_json` does; `out`, if not
        null, gets its `json.dumps` form. */
    result<void> string(std::string* out, std::string& decoded) {
        out_ = out;
        decoded.clear();
        return transcode_string(&decoded);
    }

private:
    Error error_at(std::string_view what) const {
        return fail(errc::malformed_input, "JSON: " + std::string(what) + " at offset " + std::to_string(p_ - begin_));
    }
    void put(std::string_view s) {
        if (out_) out_->append(s);
    }
    void put(char c) {
        if (out_) out_->push_back(c);
    }
    bool consume(std::string_view literal) noexcept {
        if (static_cast<std::size_t>(end_ - p_) >= literal.size() && std::string_view(p_, literal.size()) == literal) {
            p_ += literal.size();
            return true;
        }
        return false;
    }
    result<void> enter(std::size_t depth) const {
        if (depth >= max_depth_)
            return fail(errc::size_limit_exceeded, "JSON: nesting deeper than " + std::to_string(max_depth_) + " levels");
        return {};
    }

    result<bool> value(std::size_t depth) {
        if (p_ == end_) return error_at("expected a value");
        switch (*p_) {
        case '{': return object(depth);
        case '[': return array(depth);
        case '"':
            if (auto r = transcode_string(nullptr); !r) return r.error();
            return true;
        case 'n': if (consume("null")) return put("null"), true; break;
        case 't': if (consume("true")) return put("true"), true; break;
        case 'f': if (consume("false")) return put("false"), true; break;
        case 'N': if (consume("NaN")) return put("NaN"), true; break;
        case 'I': if (consume("Infinity")) return put("Infinity"), true; break;
        case '-':
            if (consume("-Infinity")) return put("-Infinity"), true;
            return number();
        default:
            if (*p_ >= '0' && *p_ <= '9') return number();
            break;
        }
        return error_at("expected a value");
    }

    result<bool> number() {
        auto n = scan_number(p_, end_, begin_);
        if (!n) return n.error();
        if (!out_) return true;
        char buf[24];
        switch (n->kind) {
        case ScannedNumber::int64: out_->append(buf, static_cast<std::size_t>(std::to_chars(buf, buf + 24, n->i).ptr - buf)); break;
        case ScannedNumber::uint64: out_->append(buf, static_cast<std::size_t>(std::to_chars(buf, buf + 24, n->u).ptr - buf)); break;
        case ScannedNumber::big: out_->append(n->text); break;
        case ScannedNumber::float_: append_python_float(*out_, n->d); break;
        }
        return true;
    }

    result<bool> array(std::size_t depth) {
        if (auto r = enter(depth); !r) return r.error();
        ++p_;
        put('[');
        skip_ws();
        if (p_ != end_ && *p_ == ']') {
            ++p_;
            put(']');
            return true;
        }
        for (;;) {
            auto r = value(depth + 1);
            if (!r || !*r) return r;
            skip_ws();
            if (p_ != end_ && *p_ == ',') {
                ++p_;
                put(", ");
                skip_ws();
                continue;
            }
            if (p_ != end_ && *p_ == ']') {
                ++p_;
                put(']');
                return true;
            }
            return error_at("expected ',' or ']'");
        }
    }

    result<bool> object(std::size_t depth) {
        if (auto r = enter(depth); !r) return r.error();
        ++p_;
        put('{');
        skip_ws();
        if (p_ != end_ && *p_ == '}') {
            ++p_;
            put('}');
            return true;
        }
        std::vector<std::string> keys;  // to find a repeated key
        for (;;) {
            if (p_ == end_ || *p_ != '"') return error_at("expected a property name in double quotes");
            std::string key;
            if (auto r = transcode_string(&key); !r) return r.error();
            if (key == big_integer_key)
                return fail(errc::unsupported, "JSON: the key \"\\u0000sealpipe:int\" at offset " +
                                                    std::to_string(p_ - begin_) + " is reserved");
            if (std::find(keys.begin(), keys.end(), key) != keys.end()) return false;
            keys.push_back(std::move(key));
            skip_ws();
            if (p_ == end_ || *p_ != ':') return error_at("expected ':'");
            ++p_;
            put(": ");
            skip_ws();
            auto r = value(depth + 1);
            if (!r || !*r) return r;
            skip_ws();
            if (p_ != end_ && *p_ == ',') {
                ++p_;
                put(", ");
                skip_ws();
                continue;
            }
            if (p_ != end_ && *p_ == '}') {
                ++p_;
                put('}');
                return true;
            }
            return error_at("expected ',' or '}'");
        }
    }

    bool read_hex4(std::uint32_t& out) noexcept { return detail::read_hex4(p_, end_, out); }

    void put_u_escape(std::uint32_t u) {
        const char e[6] = {'\\', 'u', lower_hex_digits[(u >> 12) & 15], lower_hex_digits[(u >> 8) & 15],
                           lower_hex_digits[(u >> 4) & 15], lower_hex_digits[u & 15]};
        put(std::string_view(e, 6));
    }

    /// One code point as `json.dumps` (ensure_ascii) writes it.
    void put_code_point(std::uint32_t cp) {
        if (!out_) return;
        switch (cp) {
        case '"': put("\\\""); return;
        case '\\': put("\\\\"); return;
        case '\n': put("\\n"); return;
        case '\r': put("\\r"); return;
        case '\t': put("\\t"); return;
        case '\b': put("\\b"); return;
        case '\f': put("\\f"); return;
        default: break;
        }
        if (cp >= 0x20 && cp < 0x7F) {
            put(static_cast<char>(cp));
        } else if (cp >= 0x10000) {
            const std::uint32_t v = cp - 0x10000;
            put_u_escape(0xD800 | (v >> 10));
            put_u_escape(0xDC00 | (v & 0x3FF));
        } else {
            put_u_escape(cp);
        }
    }

    /// A string at the position: its `json.dumps` form to `out_`, its decoded bytes to `decoded`.
    result<void> transcode_string(std::string* decoded) {
        ++p_;
        put('"');
        for (;;) {
            // a run of plain ASCII, the same in both forms
            const std::size_t n = plain_ascii_prefix(p_, end_, false);
            if (n) {
                put(std::string_view(p_, n));
                if (decoded) decoded->append(p_, n);
                p_ += n;
            }
            if (p_ == end_) return error_at("unterminated string");
            const auto c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                ++p_;
                put('"');
                return {};
            }
            std::uint32_t cp = 0;
            if (c == '\\') {
                ++p_;
                if (p_ == end_) return error_at("unterminated string");
                const char e = *p_++;
                switch (e) {
                case '"': cp = '"'; break;
                case '\\': cp = '\\'; break;
                case '/': cp = '/'; break;
                case 'b': cp = '\b'; break;
                case 'f': cp = '\f'; break;
                case 'n': cp = '\n'; break;
                case 'r': cp = '\r'; break;
                case 't': cp = '\t'; break;
                case 'u': {
                    if (!read_hex4(cp)) return error_at("invalid \\uXXXX escape");
                    if (cp >= 0xD800 && cp <= 0xDBFF && end_ - p_ >= 2 && p_[0] == '\\' && p_[1] == 'u') {
                        const char* const save = p_;
                        p_ += 2;
                        std::uint32_t low = 0;
                        if (!read_hex4(low)) return error_at("invalid \\uXXXX escape");
                        if (low >= 0xDC00 && low <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        else p_ = save;
                    }
                    break;
                }
                default: --p_; return error_at("invalid \\escape");
                }
            } else if (c < 0x20) {
                return error_at("invalid control character in string");
            } else if (c == 0x7F) {
                cp = c;
                ++p_;
            } else {
                auto q = reinterpret_cast<const unsigned char*>(p_);
                const std::int32_t v = decode_utf8(q, reinterpret_cast<const unsigned char*>(end_), false);
                if (v < 0) return error_at("invalid UTF-8");
                p_ = reinterpret_cast<const char*>(q);
                cp = static_cast<std::uint32_t>(v);
            }
            put_code_point(cp);
            if (decoded) append_utf8(*decoded, cp);
        }
    }

    const char* begin_;
    const char* p_;
    const char* end_;
    std::size_t max_depth_;
    std::string* out_ = nullptr;
};

/// Appends `json.dumps(o)` to `out`. @par Errors as `python_dumps`.
inline result<void> append_python_dumps(std::string& out, const boost::json::object& o,
                                        const PythonJsonOptions& options = {}) {
    return PythonJsonWriter(out, true, options.max_depth).write_object(o, 0);
}

/// Appends `s` as a JSON string: `json.dumps(s)` if `python`, else pydantic's form.
/// @par Errors `errc::malformed_input` if `s` is not UTF-8.
inline result<void> append_json_string(std::string& out, std::string_view s, bool python) {
    return PythonJsonWriter(out, python, 0).write_string(s);
}

} // namespace detail

inline void append_python_float(std::string& out, double d) {
    if (std::isnan(d)) {
        out += "NaN";
        return;
    }
    if (std::isinf(d)) {
        out += d < 0 ? "-Infinity" : "Infinity";
        return;
    }
    // Shortest round-trip digits (the same digits as Python's repr), then Python's layout.
    char buf[40];
    const auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));  // [-]D[.DDD]e(+|-)XX
    if (s.front() == '-') {
        out += '-';
        s.remove_prefix(1);
    }
    const std::size_t e = s.find('e');
    char digits[24];
    std::size_t n = 0;
    digits[n++] = s[0];
    for (std::size_t i = 2; i < e; ++i) digits[n++] = s[i];
    int exponent = 0;
    std::from_chars(s.data() + e + (s[e + 1] == '+' ? 2 : 1), s.data() + s.size(), exponent);
    const std::string_view ds(digits, n);
    if (exponent < -4 || exponent >= 16) {
        out += ds[0];
        if (n > 1) {
            out += '.';
            out += ds.substr(1);
        }
        out += exponent < 0 ? "e-" : "e+";
        const int a = exponent < 0 ? -exponent : exponent;
        if (a < 10) out += '0';
        out += std::to_string(a);
    } else if (exponent >= 0) {
        const auto int_digits = static_cast<std::size_t>(exponent) + 1;
        if (n <= int_digits) {
            out += ds;
            out.append(int_digits - n, '0');
            out += ".0";
        } else {
            out += ds.substr(0, int_digits);
            out += '.';
            out += ds.substr(int_digits);
        }
    } else {
        out += "0.";
        out.append(static_cast<std::size_t>(-exponent - 1), '0');
        out += ds;
    }
}

inline result<boost::json::value> big_integer(std::string_view decimal, boost::json::storage_ptr storage) {
    if (auto c = detail::check_decimal_integer(decimal); !c) return c.error();
    return parse_python_json(decimal, {}, std::move(storage));
}

inline std::optional<std::string_view> big_integer_digits(const boost::json::value& v) noexcept {
    const auto* o = v.if_object();
    if (!o || !detail::is_big_integer(*o)) return std::nullopt;
    const auto* s = o->begin()->value().if_string();
    if (!s) return std::nullopt;
    return std::string_view(*s);
}

inline result<boost::json::value> parse_python_json(std::string_view text, const PythonJsonOptions& options,
                                                    boost::json::storage_ptr storage) {
    return detail::PythonJsonParser(text, options, std::move(storage)).parse_document();
}

inline result<std::string> python_dumps(const boost::json::value& value, const PythonJsonOptions& options) {
    std::string out;
    if (auto r = detail::PythonJsonWriter(out, true, options.max_depth).write(value, 0); !r) return r.error();
    return out;
}

inline result<std::string> compact_dumps(const boost::json::value& value, const PythonJsonOptions& options) {
    std::string out;
    if (auto r = detail::PythonJsonWriter(out, false, options.max_depth).write(value, 0); !r) return r.error();
    return out;
}

} // namespace sealpipe::jose

#endif // SEALPIPE_JOSE_IMPL_PYTHON_JSON_HPP
