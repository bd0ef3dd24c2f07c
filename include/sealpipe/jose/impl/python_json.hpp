// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Bodies of the Python-compatible JSON parser and serializers (jose/python_json.hpp).

#ifndef SEALPIPE_JOSE_IMPL_PYTHON_JSON_HPP
#define SEALPIPE_JOSE_IMPL_PYTHON_JSON_HPP

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <system_error>

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
inline void append_utf8(boost::json::string& out, std::uint32_t cp) {
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

/// Recursive-descent parser for the grammar of Python's `json.loads` (C scanner).
class PythonJsonParser {
public:
    PythonJsonParser(std::string_view text, const PythonJsonOptions& options) noexcept
        : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), max_depth_(options.max_depth),
          reject_duplicates_(options.reject_duplicate_keys) {}

    result<boost::json::value> parse_document() {
        skip_ws();
        auto v = parse_value(0);
        if (!v) return v;
        skip_ws();
        if (p_ != end_) return error_at("extra data after the value");
        return v;
    }

private:
    Error error_at(std::string_view what) const {
        return fail(error::malformed_input,
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

    result<boost::json::value> parse_value(std::size_t depth) {
        if (p_ == end_) return error_at("expected a value");
        switch (*p_) {
        case '{': return parse_object(depth);
        case '[': return parse_array(depth);
        case '"': {
            boost::json::string s;
            if (auto r = parse_string(s); !r) return r.error();
            return boost::json::value(std::move(s));
        }
        case 'n': if (consume("null")) return boost::json::value(nullptr); break;
        case 't': if (consume("true")) return boost::json::value(true); break;
        case 'f': if (consume("false")) return boost::json::value(false); break;
        case 'N': if (consume("NaN")) return boost::json::value(std::numeric_limits<double>::quiet_NaN()); break;
        case 'I': if (consume("Infinity")) return boost::json::value(std::numeric_limits<double>::infinity()); break;
        case '-':
            if (consume("-Infinity")) return boost::json::value(-std::numeric_limits<double>::infinity());
            return parse_number();
        default:
            if (is_digit(*p_)) return parse_number();
            break;
        }
        return error_at("expected a value");
    }

    result<void> enter(std::size_t depth) const {
        if (depth >= max_depth_)
            return fail(error::size_limit_exceeded,
                        "JSON: nesting deeper than " + std::to_string(max_depth_) + " levels");
        return {};
    }

    result<boost::json::value> parse_object(std::size_t depth) {
        if (auto r = enter(depth); !r) return r.error();
        ++p_;
        boost::json::object obj;
        skip_ws();
        if (p_ != end_ && *p_ == '}') {
            ++p_;
            return obj;
        }
        for (;;) {
            if (p_ == end_ || *p_ != '"') return error_at("expected a property name in double quotes");
            boost::json::string key;
            if (auto r = parse_string(key); !r) return r.error();
            if (reject_duplicates_ && obj.contains(key)) return error_at("duplicate key");
            skip_ws();
            if (p_ == end_ || *p_ != ':') return error_at("expected ':'");
            ++p_;
            skip_ws();
            auto v = parse_value(depth + 1);
            if (!v) return v;
            // A dict: a repeated key keeps its first position and takes the last value.
            obj.insert_or_assign(key, std::move(*v));
            skip_ws();
            if (p_ != end_ && *p_ == ',') {
                ++p_;
                skip_ws();
                continue;
            }
            if (p_ != end_ && *p_ == '}') {
                ++p_;
                return obj;
            }
            return error_at("expected ',' or '}'");
        }
    }

    result<boost::json::value> parse_array(std::size_t depth) {
        if (auto r = enter(depth); !r) return r.error();
        ++p_;
        boost::json::array arr;
        skip_ws();
        if (p_ != end_ && *p_ == ']') {
            ++p_;
            return arr;
        }
        for (;;) {
            auto v = parse_value(depth + 1);
            if (!v) return v;
            arr.push_back(std::move(*v));
            skip_ws();
            if (p_ != end_ && *p_ == ',') {
                ++p_;
                skip_ws();
                continue;
            }
            if (p_ != end_ && *p_ == ']') {
                ++p_;
                return arr;
            }
            return error_at("expected ',' or ']'");
        }
    }

    bool read_hex4(std::uint32_t& out) noexcept {
        if (end_ - p_ < 4) return false;
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = p_[i];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
            else return false;
        }
        p_ += 4;
        out = v;
        return true;
    }

    result<void> parse_string(boost::json::string& out) {
        ++p_;
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
                const char* run = p_ + 1;
                while (run != end_ && *run != '"' && *run != '\\' && static_cast<unsigned char>(*run) >= 0x20 &&
                       static_cast<unsigned char>(*run) < 0x80)
                    ++run;
                out.append(std::string_view(p_, static_cast<std::size_t>(run - p_)));
                p_ = run;
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

    result<boost::json::value> parse_number() {
        const char* const start = p_;
        const bool negative = *p_ == '-';
        if (negative) ++p_;
        if (p_ == end_ || !is_digit(*p_)) {
            p_ = start;
            return error_at("expected a value");
        }
        const char* const int_begin = p_;
        if (*p_ == '0') ++p_;
        else while (p_ != end_ && is_digit(*p_)) ++p_;
        const char* const int_end = p_;
        bool is_float = false;
        const char* frac_begin = p_;
        const char* frac_end = p_;
        if (end_ - p_ >= 2 && *p_ == '.' && is_digit(p_[1])) {
            frac_begin = ++p_;
            while (p_ != end_ && is_digit(*p_)) ++p_;
            frac_end = p_;
            is_float = true;
        }
        long exponent = 0;
        if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
            const char* q = p_ + 1;
            bool exp_negative = false;
            if (q != end_ && (*q == '+' || *q == '-')) exp_negative = *q++ == '-';
            if (q != end_ && is_digit(*q)) {
                while (q != end_ && is_digit(*q)) {
                    if (exponent < 100'000'000) exponent = exponent * 10 + (*q - '0');
                    ++q;
                }
                if (exp_negative) exponent = -exponent;
                p_ = q;
                is_float = true;
            }
        }
        if (!is_float) {
            std::uint64_t u = 0;
            const auto r = std::from_chars(int_begin, int_end, u);
            if (r.ec != std::errc{} ||
                (negative && u > std::uint64_t{1} << 63)) {
                p_ = start;
                return fail(error::unsupported,
                            "JSON: the integer at offset " + std::to_string(start - begin_) +
                                " does not fit in 64 bits (Python would keep it exactly; sealpipe refuses "
                                "rather than change the signed bytes)");
            }
            if (negative) {
                if (u == std::uint64_t{1} << 63) return boost::json::value(std::numeric_limits<std::int64_t>::min());
                return boost::json::value(-static_cast<std::int64_t>(u));
            }
            if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                return boost::json::value(static_cast<std::int64_t>(u));
            return boost::json::value(u);
        }
        double d = 0;
        const auto r = std::from_chars(start, p_, d);
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
        } else if (r.ec != std::errc{} || r.ptr != p_) {
            p_ = start;
            return error_at("invalid number");
        }
        return boost::json::value(d);
    }

    const char* begin_;
    const char* p_;
    const char* end_;
    std::size_t max_depth_;
    bool reject_duplicates_;
};

/// Serializer for `python_dumps` (Python style) and `compact_dumps` (pydantic style).
class PythonJsonWriter {
public:
    PythonJsonWriter(std::string& out, bool python, std::size_t max_depth) noexcept
        : out_(out), python_(python), max_depth_(max_depth) {}

    result<void> write(const boost::json::value& v, std::size_t depth) {
        switch (v.kind()) {
        case boost::json::kind::null: out_ += "null"; return {};
        case boost::json::kind::bool_: out_ += v.get_bool() ? "true" : "false"; return {};
        case boost::json::kind::int64: append_integer(v.get_int64()); return {};
        case boost::json::kind::uint64: append_integer(v.get_uint64()); return {};
        case boost::json::kind::double_:
            if (!python_)
                return fail(error::unsupported, "compact JSON: floating-point numbers are not supported");
            append_python_float(out_, v.get_double());
            return {};
        case boost::json::kind::string: return write_string(v.get_string());
        case boost::json::kind::array: {
            if (depth >= max_depth_) return too_deep();
            out_ += '[';
            bool first = true;
            for (const auto& e : v.get_array()) {
                if (!first) out_ += python_ ? ", " : ",";
                first = false;
                if (auto r = write(e, depth + 1); !r) return r;
            }
            out_ += ']';
            return {};
        }
        case boost::json::kind::object: {
            if (depth >= max_depth_) return too_deep();
            out_ += '{';
            bool first = true;
            for (const auto& kv : v.get_object()) {
                if (!first) out_ += python_ ? ", " : ",";
                first = false;
                if (auto r = write_string(kv.key()); !r) return r;
                out_ += python_ ? ": " : ":";
                if (auto r = write(kv.value(), depth + 1); !r) return r;
            }
            out_ += '}';
            return {};
        }
        }
        return fail(error::internal, "JSON: unknown value kind");
    }

private:
    Error too_deep() const {
        return fail(error::size_limit_exceeded, "JSON: nesting deeper than " + std::to_string(max_depth_) + " levels");
    }

    template <class Int>
    void append_integer(Int i) {
        char buf[24];
        const auto r = std::to_chars(buf, buf + sizeof buf, i);
        out_.append(buf, r.ptr);
    }

    void append_u_escape(std::uint32_t u) {
        out_ += "\\u";
        out_ += lower_hex_digits[(u >> 12) & 15];
        out_ += lower_hex_digits[(u >> 8) & 15];
        out_ += lower_hex_digits[(u >> 4) & 15];
        out_ += lower_hex_digits[u & 15];
    }

    result<void> write_string(std::string_view s) {
        out_ += '"';
        auto p = reinterpret_cast<const unsigned char*>(s.data());
        const auto end = p + s.size();
        while (p != end) {
            // a run of characters printed as they are, in one append
            const auto* run = p;
            while (run != end && *run >= 0x20 && *run < 0x7F && *run != '"' && *run != '\\') ++run;
            if (run != p) {
                out_.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(run - p));
                p = run;
                if (p == end) break;
            }
            const unsigned c = *p;
            if (c < 0x80) {
                ++p;
                switch (c) {
                case '"': out_ += "\\\""; continue;
                case '\\': out_ += "\\\\"; continue;
                case '\n': out_ += "\\n"; continue;
                case '\r': out_ += "\\r"; continue;
                case '\t': out_ += "\\t"; continue;
                case '\b': out_ += "\\b"; continue;
                case '\f': out_ += "\\f"; continue;
                default: break;
                }
                if (c < 0x20 || (python_ && c == 0x7F)) append_u_escape(c);
                else out_ += static_cast<char>(c);
                continue;
            }
            const auto* const seq = p;
            const std::int32_t cp = decode_utf8(p, end, python_);
            if (cp < 0)
                return fail(error::malformed_input,
                            "JSON: string is not UTF-8 at byte " +
                                std::to_string(seq - reinterpret_cast<const unsigned char*>(s.data())));
            if (!python_) {
                out_.append(reinterpret_cast<const char*>(seq), static_cast<std::size_t>(p - seq));
            } else if (cp >= 0x10000) {
                const auto v = static_cast<std::uint32_t>(cp) - 0x10000;
                append_u_escape(0xD800 | (v >> 10));
                append_u_escape(0xDC00 | (v & 0x3FF));
            } else {
                append_u_escape(static_cast<std::uint32_t>(cp));
            }
        }
        out_ += '"';
        return {};
    }

    std::string& out_;
    bool python_;
    std::size_t max_depth_;
};

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

inline result<boost::json::value> parse_python_json(std::string_view text, const PythonJsonOptions& options) {
    return detail::PythonJsonParser(text, options).parse_document();
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
