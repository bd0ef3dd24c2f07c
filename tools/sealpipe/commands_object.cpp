// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Object commands (doc/cli.md, "Objects and references"): `object ref`, `object inspect` and
// `object verify` for SHA256_V1 references.

#include "cli.hpp"

#include <sealpipe/object.hpp>

#include <string>
#include <vector>

namespace sealpipe::cli {
namespace {

using object::Reference;

/// A reference given on the command line: malformed or invalid is a usage-level error (2).
result<Reference> reference_argument(std::string_view what, std::string_view text) {
    auto r = Reference::from_hex(text);
    if (!r) return std::move(r.error()).context(what);
    return r;
}

result<void> object_ref(const Args& args, Io& io) {
    std::vector<Reference> children;
    for (const auto& hex : args.all("child")) {
        auto r = reference_argument("--child", hex);
        if (!r) return r.error();
        children.push_back(*r);
    }
    auto payload = io.read_stdin(object::Sha256V1::max_object_bytes);
    if (!payload) return std::move(payload.error()).context("payload");
    auto ref = object::reference_of(children, *payload);
    if (!ref) return ref.error();
    io.write_line(hex_encode(ref->bytes()));
    return {};
}

result<void> object_inspect(const Args& args, Io& io) {
    auto r = reference_argument("reference", args.positional().front());
    if (!r) return r.error();
    io.write_line(r->to_string());
    return {};
}

result<void> object_verify(const Args& args, Io& io) {
    auto r = reference_argument("reference", args.positional().front());
    if (!r) return r.error();
    // Read no more than the reference announces: anything longer does not match.
    auto data = io.read_stdin(r->size());
    if (!data) {
        if (data.error() == errc::size_limit_exceeded)
            return fail(errc::object_corrupt, "object data: longer than the " + std::to_string(r->size()) +
                                                   " bytes the reference announces");
        return data.error();
    }
    if (auto v = object::ContentsView::from_data(*r, *data); !v) return v.error();
    return {};
}

const Registrar object_ref_command{{
    .words = {"object", "ref"},
    .summary = "print the SHA256_V1 reference of the object made of the children and stdin",
    .options = {{.name = "child",
                 .value_name = "HEX",
                 .help = "an outgoing reference (80 hex digits); repeat in ascending order",
                 .repeatable = true}},
    .run = object_ref,
    .details = "stdin: the payload. The object is the children, in the order given, followed by\n"
               "the payload; its size must lie in [1, 2097152] bytes. Exit 2 if the children are\n"
               "unsorted, duplicated or invalid, or the object is out of size bounds.",
}};

const Registrar object_inspect_command{{
    .words = {"object", "inspect"},
    .summary = "validate a reference and print SHA256=<hash>:S=<size>:H=<height>:D=<degree>:M=<parents size>",
    .positional_usage = "HEX",
    .min_positional = 1,
    .max_positional = 1,
    .run = object_inspect,
    .details = "Exit 2 if the reference is not 40 bytes of hex or breaks a rule of doc/protocol.md#objects-and-references.",
}};

const Registrar object_verify_command{{
    .words = {"object", "verify"},
    .summary = "check that stdin is the object named by a reference",
    .positional_usage = "HEX",
    .min_positional = 1,
    .max_positional = 1,
    .run = object_verify,
    .details = "stdin: the object's full data (outgoing references, then payload). Exit 0 when it\n"
               "matches the reference in every field (size, hash, children, height, parents size),\n"
               "1 otherwise; 2 when the reference itself is malformed or invalid.",
}};

} // namespace
} // namespace sealpipe::cli
