// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// sqooler's documents as C++ structs (backend config, job, status, result, public key),
// reflected with Boost.Hana and mapped to and from Boost.JSON by one generic `to_json` /
// `from_json`, plus signing and verification of typed documents.

#ifndef SEALPIPE_SQOOLER_DOCUMENTS_HPP
#define SEALPIPE_SQOOLER_DOCUMENTS_HPP

#include <sealpipe/error.hpp>
#include <sealpipe/jose/jwk.hpp>
#include <sealpipe/jose/jws.hpp>

#include <boost/hana/accessors.hpp>
#include <boost/hana/adapt_struct.hpp>
#include <boost/hana/define_struct.hpp>
#include <boost/hana/first.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/second.hpp>
#include <boost/hana/string.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sealpipe::sqooler {

// The JOSE vocabulary sqooler's documents are signed and read with.
using jose::compact_dumps;
using jose::JwkForm;
using jose::parse_python_json;
using jose::PrivateJwk;
using jose::PublicJwk;
using jose::python_dumps;
using jose::PythonJsonOptions;
using jose::sign_sqooler;
using jose::SqoolerJws;
using jose::Verified;
using jose::verify_sqooler;

/** A struct reflected with `BOOST_HANA_DEFINE_STRUCT` (or `BOOST_HANA_ADAPT_STRUCT`): its
    members map to JSON object members of the same names, in declaration order.

    Optional conventions, found by name:
    - `boost::json::object unknown_members;` (not reflected) collects members the struct does
      not declare, in their order, and `to_json` writes them back after the declared ones;
      without it they are dropped, as pydantic's default (`extra="ignore"`) drops them.
    - `static constexpr std::string_view defaulted_members[] = {"sign", …};` names members
      that may be missing from the JSON and then keep their default member initializer.
      `std::optional` members may always be missing (and are written as `null`). */
template <class T>
concept Document = boost::hana::Struct<T>::value;

/** A JSON object with typed values and arbitrary keys, in order (Python's `dict[str, T]`);
    sqooler's job is `OrderedMap<ExperimentalInput>`. */
template <class T>
struct OrderedMap {
    std::vector<std::pair<std::string, T>> entries;

    /// The value under `key`, or null.
    const T* find(std::string_view key) const noexcept {
        for (const auto& e : entries)
            if (e.first == key) return &e.second;
        return nullptr;
    }
    friend bool operator==(const OrderedMap&, const OrderedMap&) = default;
};

// ----- the mapping ----------------------------------------------------------------------

namespace detail {
template <class...>
inline constexpr bool always_false = false;
template <class T> struct is_optional : std::false_type {};
template <class T> struct is_optional<std::optional<T>> : std::true_type {};
template <class T> struct is_vector : std::false_type {};
template <class T, class A> struct is_vector<std::vector<T, A>> : std::true_type {};
template <class T> struct is_ordered_map : std::false_type {};
template <class T> struct is_ordered_map<OrderedMap<T>> : std::true_type {};

template <class T>
concept HasUnknownMembers = requires(T& t) {
    { t.unknown_members } -> std::same_as<boost::json::object&>;
};
template <class T>
concept HasDefaultedMembers = requires { T::defaulted_members; };

template <class T>
bool may_be_missing(std::string_view name) {
    if constexpr (HasDefaultedMembers<T>)
        return std::find(std::begin(T::defaulted_members), std::end(T::defaulted_members), name) !=
               std::end(T::defaulted_members);
    else
        return false;
}

inline Error member_error(std::string_view path, std::string_view what) {
    return fail(errc::malformed_input, "document: " + std::string(path.empty() ? "(top)" : path) + ": " +
                                            std::string(what));
}
} // namespace detail

/// The JSON value of a document or of any member type (string, bool, integer, double,
/// `std::optional`, `std::vector`, `OrderedMap`, Boost.JSON values, nested documents).
template <class T>
[[nodiscard]] boost::json::value to_json(const T& v) {
    if constexpr (std::is_same_v<T, bool>) {
        return boost::json::value(v);
    } else if constexpr (std::is_integral_v<T> || std::is_floating_point_v<T>) {
        return boost::json::value(v);
    } else if constexpr (std::is_same_v<T, std::string>) {
        return boost::json::value(boost::json::string(v));
    } else if constexpr (std::is_same_v<T, boost::json::value>) {
        return v;
    } else if constexpr (std::is_same_v<T, boost::json::object> || std::is_same_v<T, boost::json::array>) {
        return boost::json::value(v);
    } else if constexpr (detail::is_optional<T>::value) {
        if (!v) return boost::json::value(nullptr);
        return to_json(*v);
    } else if constexpr (detail::is_vector<T>::value) {
        boost::json::array a;
        a.reserve(v.size());
        for (const auto& e : v) a.push_back(to_json(e));
        return a;
    } else if constexpr (detail::is_ordered_map<T>::value) {
        boost::json::object o;
        for (const auto& [k, e] : v.entries) o[k] = to_json(e);
        return o;
    } else if constexpr (Document<T>) {
        boost::json::object o;
        boost::hana::for_each(boost::hana::accessors<T>(), [&](auto pair) {
            o[boost::hana::to<const char*>(boost::hana::first(pair))] = to_json(boost::hana::second(pair)(v));
        });
        if constexpr (detail::HasUnknownMembers<T>)
            for (const auto& kv : v.unknown_members) o.insert_or_assign(kv.key(), kv.value());
        return o;
    } else {
        static_assert(detail::always_false<T>,
                      "sealpipe: to_json(v) requires 'v' to be a sqooler::Document or a supported member type "
                      "(std::string, bool, integer, double, std::optional, std::vector, OrderedMap, boost::json)");
        return {};
    }
}

namespace detail {

template <class T>
result<T> from_json_at(const boost::json::value& j, const std::string& path) {
    if constexpr (std::is_same_v<T, bool>) {
        if (!j.is_bool()) return member_error(path, "expected true or false");
        return j.get_bool();
    } else if constexpr (std::is_integral_v<T>) {
        // Integers only: a double such as 3.0 is refused (pydantic's lax mode would accept it).
        if (j.is_int64()) {
            const std::int64_t i = j.get_int64();
            if (std::in_range<T>(i)) return static_cast<T>(i);
        } else if (j.is_uint64()) {
            const std::uint64_t u = j.get_uint64();
            if (std::in_range<T>(u)) return static_cast<T>(u);
        } else {
            return member_error(path, "expected an integer");
        }
        return member_error(path, "integer out of range");
    } else if constexpr (std::is_floating_point_v<T>) {
        if (j.is_double()) return static_cast<T>(j.get_double());
        if (j.is_int64()) return static_cast<T>(j.get_int64());
        if (j.is_uint64()) return static_cast<T>(j.get_uint64());
        return member_error(path, "expected a number");
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (!j.is_string()) return member_error(path, "expected a string");
        return std::string(j.get_string());
    } else if constexpr (std::is_same_v<T, boost::json::value>) {
        return j;
    } else if constexpr (std::is_same_v<T, boost::json::object>) {
        if (!j.is_object()) return member_error(path, "expected an object");
        return j.get_object();
    } else if constexpr (std::is_same_v<T, boost::json::array>) {
        if (!j.is_array()) return member_error(path, "expected an array");
        return j.get_array();
    } else if constexpr (is_optional<T>::value) {
        if (j.is_null()) return T{};
        auto inner = from_json_at<typename T::value_type>(j, path);
        if (!inner) return inner.error();
        return T(std::move(*inner));
    } else if constexpr (is_vector<T>::value) {
        if (!j.is_array()) return member_error(path, "expected an array");
        T out;
        out.reserve(j.get_array().size());
        std::size_t i = 0;
        for (const auto& e : j.get_array()) {
            auto item = from_json_at<typename T::value_type>(e, path + "[" + std::to_string(i++) + "]");
            if (!item) return item.error();
            out.push_back(std::move(*item));
        }
        return out;
    } else if constexpr (is_ordered_map<T>::value) {
        if (!j.is_object()) return member_error(path, "expected an object");
        T out;
        for (const auto& kv : j.get_object()) {
            using V = typename decltype(out.entries)::value_type::second_type;
            auto item = from_json_at<V>(kv.value(), path + "." + std::string(kv.key()));
            if (!item) return item.error();
            out.entries.emplace_back(std::string(kv.key()), std::move(*item));
        }
        return out;
    } else if constexpr (Document<T>) {
        if (!j.is_object()) return member_error(path, "expected an object");
        const auto& o = j.get_object();
        T out{};
        Error first_error;
        bool failed = false;
        boost::hana::for_each(boost::hana::accessors<T>(), [&](auto pair) {
            if (failed) return;
            const char* name = boost::hana::to<const char*>(boost::hana::first(pair));
            auto& member = boost::hana::second(pair)(out);
            using M = std::remove_cvref_t<decltype(member)>;
            const std::string sub = path.empty() ? std::string(name) : path + "." + name;
            const auto* jv = o.if_contains(name);
            if (!jv) {
                if (!is_optional<M>::value && !may_be_missing<T>(name)) {
                    first_error = member_error(sub, "missing");
                    failed = true;
                }
                return;
            }
            auto m = from_json_at<M>(*jv, sub);
            if (!m) {
                first_error = m.error();
                failed = true;
                return;
            }
            member = std::move(*m);
        });
        if (failed) return first_error;
        if constexpr (HasUnknownMembers<T>) {
            for (const auto& kv : o) {
                bool known = false;
                boost::hana::for_each(boost::hana::accessors<T>(), [&](auto pair) {
                    if (kv.key() == boost::hana::to<const char*>(boost::hana::first(pair))) known = true;
                });
                if (!known) out.unknown_members.insert_or_assign(kv.key(), kv.value());
            }
        }
        return out;
    } else {
        static_assert(detail::always_false<T>,
                      "sealpipe: from_json<T>(v) requires 'T' to be a jose::Document or a supported member type "
                      "(std::string, bool, integer, double, std::optional, std::vector, OrderedMap, boost::json)");
        return fail(errc::internal);
    }
}

} // namespace detail

/** Reads a document (or any supported member type) from JSON. Types are strict: a string
    where a number is declared, a double where an integer is, a missing member that is not
    optional or defaulted: each is `errc::malformed_input` naming the member's path
    (`results[0].data.memory`). Unknown members go to `unknown_members` if the struct has it. */
template <class T>
[[nodiscard]] result<T> from_json(const boost::json::value& v) {
    return detail::from_json_at<T>(v, std::string());
}

/** Signs a document as sqooler does (`sign_payload(doc.model_dump(), jwk)`): the payload is
    `to_json(doc)`. */
template <Document T>
[[nodiscard]] result<SqoolerJws> sign_document(const T& doc, const PrivateJwk& key) {
    return sign_sqooler(to_json(doc).as_object(), key);
}

/** Verifies a JWSDict and reads its payload as a `T`: a typed `Verified<T>`.
    @par Errors as `verify_sqooler`, then as `from_json<T>`. */
template <Document T>
[[nodiscard]] result<Verified<T>> verify_document(const SqoolerJws& jws, const PublicJwk& key) {
    auto v = verify_sqooler(jws, key);
    if (!v) return v.error();
    auto doc = from_json<T>(boost::json::value(v->payload()));
    if (!doc) return doc.error();
    return std::move(*v).transform([&](boost::json::object&&) { return std::move(*doc); });
}

// ----- sqooler's documents (sqooler.schemes), members in pydantic's field order -----------

/** `BackendConfigSchemaIn`: a backend's configuration. A backend with `sign` true signs it
    after setting `kid` to its key's kid. `last_queue_check` holds the ISO 8601 text Python's
    `datetime.isoformat()` wrote. */
struct BackendConfig {
    std::string description;
    std::string version;
    std::optional<std::string> display_name;
    std::string cold_atom_type;            // "fermion", "boson", "spin" or "mixed"
    boost::json::array gates;
    std::int64_t max_experiments = 0;
    std::int64_t max_shots = 0;
    bool simulator = false;
    std::vector<std::string> supported_instructions;
    std::int64_t num_wires = 0;
    std::string wire_order;                // "sequential" or "interleaved"
    std::int64_t num_species = 0;
    std::optional<std::int64_t> pending_jobs;
    std::optional<std::string> status_msg;
    std::optional<std::string> last_queue_check;
    bool sign = false;
    std::optional<std::string> kid;
    boost::json::object unknown_members;
    static constexpr std::string_view defaulted_members[] = {"sign"};
};

/// `GateDict`: one instruction of a job.
struct Gate {
    std::string name;
    std::vector<std::int64_t> wires;
    std::vector<double> params;
    boost::json::object unknown_members;
};

/// `ExperimentalInputDict`: one experiment of a job.
struct ExperimentalInput {
    std::vector<Gate> instructions;
    std::int64_t num_wires = 0;
    std::int64_t shots = 0;
    std::string wire_order;
    std::optional<std::int64_t> seed;
    boost::json::object unknown_members;
};

/// A job: experiments by name (`{"experiment_0": {…}, …}`), in order.
using Job = OrderedMap<ExperimentalInput>;

/// `StatusMsgDict`: the status of a job.
struct StatusMessage {
    std::string job_id;
    std::string status;                    // "INITIALIZING", "QUEUED", "DONE" or "ERROR"
    std::string detail;
    std::string error_message;
    boost::json::object unknown_members;
};

/// `DataDict`: the measured data of one experiment.
struct ExperimentData {
    std::vector<std::string> memory;
    std::optional<std::vector<Gate>> instructions;
    boost::json::object unknown_members;
};

/// `ExperimentDict`: the result of one experiment. `header` is free-form and kept as is.
struct ExperimentResult {
    boost::json::object header;
    std::int64_t shots = 0;
    bool success = false;
    ExperimentData data;
    boost::json::object unknown_members;
};

/// `ResultDict`: the result of a job, the document a signing backend signs.
struct ResultDocument {
    std::optional<std::string> backend_name;
    std::string display_name;
    std::string backend_version;
    std::string job_id;
    std::optional<std::string> qobj_id;
    bool success = false;
    std::string status;
    boost::json::object header;
    std::vector<ExperimentResult> results;
    boost::json::object unknown_members;
};

/** sqooler's `JWK` as a plain document (for storage): convert with
    `PublicJwk::from_value(to_json(doc))` and `to_public_key_document(jwk)`. */
struct PublicKeyDocument {
    std::string x;
    std::string key_ops;
    std::string kid;
    std::optional<std::string> d;
    std::string kty;
    std::string alg;
    std::string crv;
};

} // namespace sealpipe::sqooler

// The reflection of sqooler's documents (members keep their initializers: a document made
// with `BackendConfig config;` is fully initialized).
BOOST_HANA_ADAPT_STRUCT(sealpipe::sqooler::BackendConfig, description, version, display_name, cold_atom_type, gates, max_experiments, max_shots, simulator, supported_instructions, num_wires, wire_order, num_species, pending_jobs, status_msg, last_queue_check, sign, kid);
BOOST_HANA_ADAPT_STRUCT(sealpipe::sqooler::Gate, name, wires, params);
BOOST_HANA_ADAPT_STRUCT(sealpipe::sqooler::ExperimentalInput, instructions, num_wires, shots, wire_order, seed);
BOOST_HANA_ADAPT_STRUCT(sealpipe::sqooler::StatusMessage, job_id, status, detail, error_message);
BOOST_HANA_ADAPT_STRUCT(sealpipe::sqooler::ExperimentData, memory, instructions);
BOOST_HANA_ADAPT_STRUCT(sealpipe::sqooler::ExperimentResult, header, shots, success, data);
BOOST_HANA_ADAPT_STRUCT(sealpipe::sqooler::ResultDocument, backend_name, display_name, backend_version, job_id, qobj_id, success, status, header, results);
BOOST_HANA_ADAPT_STRUCT(sealpipe::sqooler::PublicKeyDocument, x, key_ops, kid, d, kty, alg, crv);

namespace sealpipe::sqooler {

/// The stored document of a public key (sqooler's form).
[[nodiscard]] inline PublicKeyDocument to_public_key_document(const PublicJwk& key) {
    return from_json<PublicKeyDocument>(boost::json::value(key.to_value(JwkForm::sqooler))).value();
}

/** The key a stored public-key document holds.
    @par Errors as `PublicJwk::from_value` (a document with `d` set is refused). */
[[nodiscard]] inline result<PublicJwk> to_public_jwk(const PublicKeyDocument& doc) {
    return PublicJwk::from_value(to_json(doc));
}

} // namespace sealpipe::sqooler

#endif // SEALPIPE_SQOOLER_DOCUMENTS_HPP
