// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `store put` and `store get` (doc/cli.md, "Stores"): files and directory trees as encrypted DAGs
// through a chain of encoders in deterministic mode.

#include "cli.hpp"

#include <sealpipe/dag.hpp>
#include <sealpipe/encoding/any_pipeline.hpp>
#include <sealpipe/storage/uri.hpp>

#include <chrono>
#include <cstdio>
#include <string>

namespace sealpipe::cli {
namespace {

result<encoding::AnyPipeline> deterministic_pipeline(const Args& args) {
    const std::string& path = args.required("encoders");
    auto json = read_file(path, std::size_t{1} << 20);
    if (!json) return json.error();
    auto p = encoding::AnyPipeline::from_json(as_chars(*json), encoding::Mode::deterministic);
    wipe(*json);  // it holds keys
    if (!p) return std::move(p.error()).context(path);
    return p;
}

/// A one-line progress display on stderr, only when stderr is a terminal.
class Progress {
public:
    Progress(bool enabled, const char* verb) : enabled_(enabled), verb_(verb) {}
    ~Progress() {
        if (shown_) std::fputc('\n', stderr);
    }
    void operator()(std::uint64_t bytes) {
        if (!enabled_) return;
        const auto now = std::chrono::steady_clock::now();
        if (shown_ && now - last_ < std::chrono::milliseconds(100)) return;
        last_ = now;
        shown_ = true;
        std::fprintf(stderr, "\r%s %.1f MiB", verb_, static_cast<double>(bytes) / (1 << 20));
        std::fflush(stderr);
    }

private:
    bool enabled_;
    const char* verb_;
    bool shown_ = false;
    std::chrono::steady_clock::time_point last_{};
};

/// The encoder chain and the store both commands work through.
struct Session {
    encoding::AnyPipeline pipeline;
    storage::AnyStore store;
};

result<Session> open_session(const Args& args) {
    auto pipeline = deterministic_pipeline(args);
    if (!pipeline) return pipeline.error();
    auto store = storage::open_store(args.required("store"));
    if (!store) return store.error();
    return Session{std::move(*pipeline), std::move(*store)};
}

result<void> store_put(const Args& args, Io& io) {
    auto session = open_session(args);
    if (!session) return session.error();
    dag::PipelineCodec codec(session->pipeline);
    dag::StoreAdapter objects(session->store);
    dag::Writer writer(codec, objects);
    Progress progress(io.stderr_is_terminal(), "stored");
    dag::TreeWriter tree(writer, {.progress = [&](std::uint64_t n) { progress(n); }});
    auto root = tree.put_path(args.positional().front());
    if (!root) return root.error();
    io.write_line(root->to_string());
    return {};
}

result<void> store_get(const Args& args, Io& io) {
    auto link = dag::Link::parse(args.positional().front());
    if (!link) return link.error();
    auto session = open_session(args);
    if (!session) return session.error();
    dag::PipelineCodec codec(session->pipeline);
    dag::StoreAdapter objects(session->store);
    dag::Reader reader(codec, objects);
    Progress progress(io.stderr_is_terminal(), "restored");
    dag::TreeReader tree(reader, {.progress = [&](std::uint64_t n) { progress(n); }});
    return tree.restore(*link, args.required("out"));
}

constexpr std::string_view dag_help =
    "Files are cut into 1 MiB chunks under a tree of chunk lists; directories keep names, kinds,\n"
    "the executable bit and symlink targets (doc/dag.md). The encoders run in deterministic mode,\n"
    "so the same tree always gives the same root link: <reference hex>.<decoding parameters hex>.\n"
    "URI: dir:PATH, sqlite:PATH (the embedded default) or redis://[:PASSWORD@]HOST[:PORT][/DB]";

const Registrar put_command{{
    .words = {"store", "put"},
    .summary = "store a file or directory tree as an encrypted DAG; print its root link",
    .options = {{.name = "store", .value_name = "URI", .help = "where objects go", .required = true},
                {.name = "encoders", .value_name = "FILE", .help = "encoder chain (JSON)", .required = true}},
    .positional_usage = "PATH",
    .min_positional = 1,
    .max_positional = 1,
    .run = store_put,
    .details = dag_help,
}};

const Registrar get_command{{
    .words = {"store", "get"},
    .summary = "restore the file or tree a root link names; exit 1 if an object is missing or invalid",
    .options = {{.name = "store", .value_name = "URI", .help = "where objects are", .required = true},
                {.name = "encoders", .value_name = "FILE", .help = "encoder chain (JSON)", .required = true},
                {.name = "out", .value_name = "PATH", .help = "where to restore (must not exist)", .required = true}},
    .positional_usage = "LINK",
    .min_positional = 1,
    .max_positional = 1,
    .run = store_get,
    .details = dag_help,
}};

} // namespace
} // namespace sealpipe::cli
