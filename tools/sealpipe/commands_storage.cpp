// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Store commands that need only references and stored objects (doc/cli.md, "Stores"):
// `store check` (is REF and everything it reaches present and valid?) and `store gc`.

#include "cli.hpp"

#include <sealpipe/storage/gc.hpp>
#include <sealpipe/storage/uri.hpp>

#include <chrono>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sealpipe::cli {
std::vector<Option> with_store_tls(std::vector<Option> opts) {
    opts.push_back({.name = "tls-ca", .value_name = "FILE", .help = "CA certificates that verify a grpcs:// store's server"});
    opts.push_back({.name = "tls-cert", .value_name = "FILE", .help = "client certificate chain for a grpcs:// store (mutual TLS)"});
    opts.push_back({.name = "tls-key", .value_name = "FILE", .help = "its private key"});
    return opts;
}

result<storage::RemoteTls> store_tls(const Args& args) {
    storage::RemoteTls tls;
    const bool any = args.has("tls-ca") || args.has("tls-cert") || args.has("tls-key");
    if (!any) return tls;
    if (!args.required("store").starts_with("grpcs://"))
        return fail(usage_error, "--tls-ca, --tls-cert and --tls-key need a grpcs:// store");
    if (args.has("tls-cert") != args.has("tls-key")) return fail(usage_error, "--tls-cert and --tls-key go together");
    for (auto [option, slot] : {std::pair{"tls-ca", &tls.ca_pem}, std::pair{"tls-cert", &tls.cert_pem},
                                std::pair{"tls-key", &tls.key_pem}}) {
        if (auto path = args.get(option)) {
            auto t = read_text_file(*path);
            if (!t) return t.error();
            *slot = std::move(*t);
        }
    }
    return tls;
}

namespace {

/// A reference, or a link `<reference hex>.<decoding parameters hex>` (only the reference counts).
result<storage::Reference> parse_ref(std::string_view text) {
    if (auto dot = text.find('.'); dot != std::string_view::npos) text = text.substr(0, dot);
    auto key = storage::Reference::from_hex(text);
    if (!key) return std::move(key.error()).context("reference '" + std::string(text) + "'");
    return key;
}

/// Objects and bytes marked so far, and the rate, on the progress line.
std::function<void(const storage::ReachStats&)> marking(ProgressLine& progress) {
    return [&progress](const storage::ReachStats& s) {
        if (!progress.due()) return;
        std::string line = progress.verb() + " " + std::to_string(s.objects) + " objects, " + mib(s.bytes);
        if (const double t = progress.seconds(); t > 0.5)
            line += ", " + mib(static_cast<std::uint64_t>(static_cast<double>(s.bytes) / t)) + "/s";
        progress.show(line);
    };
}

result<void> store_check(const Args& args, Io& io) {
    auto root = parse_ref(args.positional().front());
    if (!root) return root.error();
    auto tls = store_tls(args);
    if (!tls) return tls.error();
    auto store = storage::open_store(args.required("store"), storage::OpenMode::existing, *tls);
    if (!store) return store.error();
    ProgressLine progress(io.stderr_is_terminal(), "checked");
    auto r = storage::check_reachable(*store, std::span(&*root, 1), marking(progress));
    if (!r) {
        if (r.error() == errc::object_corrupt || r.error() == errc::object_not_found)
            return Error(r.error().code(),
                         r.error().message() + " (a 'store put --repair' of the tree this root came from stores it again)");
        return r.error();
    }
    io.write_line("ok: " + std::to_string(r->objects) + " objects, " + std::to_string(r->bytes) + " bytes");
    return {};
}

result<void> store_gc(const Args& args, Io& io) {
    std::vector<storage::Reference> roots;
    for (const auto& k : args.all("keep")) {
        auto key = parse_ref(k);
        if (!key) return std::move(key.error()).context("--keep");
        roots.push_back(*key);
    }
    auto grace = uint_option(args, "grace", 3600);
    if (!grace) return grace.error();
    auto tls = store_tls(args);
    if (!tls) return tls.error();
    auto store = storage::open_store(args.required("store"), storage::OpenMode::existing, *tls);
    if (!store) return store.error();
    storage::GcOptions options;
    options.grace = std::chrono::seconds(*grace);
    options.dry_run = args.has("dry-run");
    ProgressLine progress(io.stderr_is_terminal(), "marked");
    options.progress = marking(progress);
    auto r = storage::collect_garbage(*store, roots, options);
    if (!r) return r.error();
    progress.summary("kept " + std::to_string(r->reachable) + " reachable and " + std::to_string(r->kept_recent) +
                     " recent objects, " + (options.dry_run ? "would delete " : "deleted ") +
                     std::to_string(r->deleted));
    io.write_line(std::to_string(r->deleted));
    return {};
}

constexpr std::string_view store_help =
    "URI: dir:PATH, sqlite:PATH (the embedded default), redis://[:PASSWORD@]HOST[:PORT][/DB] or "
    "grpc[s]://HOST:PORT/INSTANCE";

const Registrar check_command{{
    .words = {"store", "check"},
    .summary = "exit 0 when REF and every object it reaches are stored and match their references",
    .options = with_store_tls({{.name = "store", .value_name = "URI", .help = store_help, .required = true}}),
    .positional_usage = "REF",
    .min_positional = 1,
    .max_positional = 1,
    .run = store_check,
    .details = "REF is a reference (80 hex digits) or a link REF.PARAMS. Prints the number of objects and "
               "bytes checked. Exit 1 when an object is missing or does not match its reference (stderr "
               "names the first one and the object that references it, and how to repair it); exit 2 when "
               "there is no store at the URI or REF is malformed.",
}};

const Registrar gc_command{{
    .words = {"store", "gc"},
    .summary = "delete every object not reachable from the kept roots; print how many were deleted",
    .options = with_store_tls(
        {{.name = "store", .value_name = "URI", .help = store_help, .required = true},
         {.name = "keep", .value_name = "REF", .help = "a root to keep (repeatable)", .required = true, .repeatable = true},
         {.name = "grace", .value_name = "SECONDS",
          .help = "also keep unreachable objects written or touched in the last SECONDS (default 3600)"},
         {.name = "dry-run", .help = "count what would be deleted; delete nothing"}}),
    .run = store_gc,
    .details = "Nothing is deleted when a kept root, or an object it reaches, is missing or corrupt (exit 1). "
               "An object written or touched less than SECONDS before the collection started, or during it, is "
               "never deleted, so a 'store put' that takes less than SECONDS never loses objects to it (and one "
               "that does fails rather than print a broken root). Give --grace 0 only when nothing else writes "
               "(doc/storage.md).",
}};

} // namespace
} // namespace sealpipe::cli
