// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Test helper for test/cli/python_json_corpus.py: reads one JSON text per line from stdin
// and prints, per line, "OK " + python_dumps(parse_python_json(line)) or "ERR <reason>"
// (with --compact: compact_dumps, compared with pydantic's serializer). The script compares
// the output with Python's own json.loads and json.dumps.
// Without a mode, each line also goes through the streaming transcoder (PythonJsonRedumper,
// what verify_jws uses), which must print the same bytes or refuse with the same message.
// With --arena, the value is parsed into a boost::json::monotonic_resource.
// With --jws, each JSON object is signed with sign_sqooler under a fixed key and printed as
// "OK " + to_json() (the script signs the same object with Python's json.dumps, pydantic and
// `cryptography`, and compares); the helper also reads its own output back and checks that
// verify_sqooler, verify_jws and to_value give the payload that was signed.

#include <sealpipe/jose/jws.hpp>
#include <sealpipe/jose/python_json.hpp>

#include <boost/json/monotonic_resource.hpp>

#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace {

using namespace sealpipe;
using namespace sealpipe::jose;

/// "OK " + the stored JSON of the signed object, or "ERR <reason>".
std::string jws_line(const boost::json::value& v, const PrivateJwk& key) {
    if (!v.is_object() || big_integer_digits(v)) return "ERR not an object";
    auto want = python_dumps(v);
    if (!want) return "ERR dumps " + want.error().message();
    auto jws = sign_sqooler(v.get_object(), key);
    if (!jws) return "ERR sign " + jws.error().message();
    auto text = jws->to_json();
    if (!text) return "ERR to_json " + text.error().message();
    // the same bytes by the slow way
    auto slow = python_dumps(boost::json::value(jws->to_value()));
    if (!slow || *slow != *text) return "ERR to_json differs from python_dumps(to_value())";
    const auto pub = key.public_jwk();
    // verified straight after signing: the payload read back from the signed text
    auto fresh = verify_sqooler(*jws, pub);
    if (!fresh || python_dumps(boost::json::value(fresh->payload())).value() != *want)
        return "ERR verify_sqooler of the signed JWSDict";
    // stored and read back, both overloads
    auto parsed = SqoolerJws::parse(*text);
    if (!parsed) return "ERR parse " + parsed.error().message();
    auto kept = verify_sqooler(*parsed, pub);
    if (!kept || python_dumps(boost::json::value(kept->payload())).value() != *want)
        return "ERR verify_sqooler of the parsed JWSDict";
    auto moved = verify_sqooler(std::move(*parsed), pub);
    if (!moved || python_dumps(boost::json::value(moved->payload())).value() != *want)
        return "ERR verify_sqooler of the moved JWSDict";
    auto bytes = verify_jws(*text, pub);
    if (!bytes || std::string_view(reinterpret_cast<const char*>(bytes->payload().data()), bytes->payload().size()) != *want)
        return "ERR verify_jws";
    auto owner = jws->is_signed_by(key);
    if (!owner || !*owner) return "ERR is_signed_by";
    return "OK " + *text;
}

/// Empty when the streaming transcoder agrees with parse + dumps, else what differs.
std::string redump_disagrees(std::string_view line, const result<boost::json::value>& parsed) {
    std::string out;
    const char* const end = line.data() + line.size();
    jose::detail::PythonJsonRedumper r(line.data(), line.data(), end, PythonJsonOptions{}.max_depth);
    r.skip_ws();
    auto ok = r.value(&out, 0);
    result<void> done;
    if (ok && *ok) {
        r.skip_ws();
        if (r.position() != end)
            done = fail(sealpipe::errc::malformed_input,
                        "JSON: extra data after the value at offset " + std::to_string(r.position() - line.data()));
    }
    if (ok && !*ok) return {};  // a repeated key: the transcoder leaves it to the parser
    std::optional<Error> streamed;
    if (!ok) streamed = ok.error();
    else if (!done) streamed = done.error();
    if (!parsed) {
        if (!streamed) return "the transcoder accepted what the parser refused: " + parsed.error().message();
        if (streamed->message() != parsed.error().message())
            return "refused differently: " + streamed->message() + " / " + parsed.error().message();
        return {};
    }
    if (streamed) return "the transcoder refused what the parser accepted: " + streamed->message();
    auto want = python_dumps(*parsed);
    if (!want) return {};
    if (out != *want) return "different bytes";
    return {};
}

} // namespace

int main(int argc, char** argv) {
    const std::string_view mode = argc > 1 ? argv[1] : "";
    const bool compact = mode == "--compact";
    std::ios::sync_with_stdio(false);
    std::array<Byte, 32> seed{};
    for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<Byte>(i);
    const auto key = PrivateJwk::from_key("corpus-k\xc3\xa9y", Ed25519PrivateKey::from_raw(seed).value()).value();
    std::string line;
    std::string out;
    while (std::getline(std::cin, line)) {
        boost::json::monotonic_resource arena;
        auto v = mode == "--arena" ? parse_python_json(line, {}, &arena) : parse_python_json(line);
        if (mode.empty()) {
            if (const auto why = redump_disagrees(line, v); !why.empty()) {
                out += "ERR redump " + why + "\n";
                continue;
            }
        }
        if (!v) {
            out += v.error() == sealpipe::errc::unsupported ? "ERR unsupported\n" : "ERR malformed\n";
            continue;
        }
        if (mode == "--arena" && v->storage().get() != &arena) {
            out += "ERR the value is not in the arena\n";
            continue;
        }
        if (mode == "--jws") {
            out += jws_line(*v, key);
            out += '\n';
            continue;
        }
        auto s = compact ? compact_dumps(*v) : python_dumps(*v);
        if (!s) {
            out += "ERR dumps " + s.error().message() + "\n";
            continue;
        }
        out += "OK ";
        out += *s;
        out += '\n';
    }
    std::cout << out;
    return 0;
}
