// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `storage::Remote`: a storage backend behind Bonanza's storage services over gRPC (`sealpipe
// storage serve`, or any server of those services), reached as `grpc://HOST:PORT/INSTANCE`
// (doc/storage.md, "Over the network"). A storage backend by its role, hence its namespace;
// it lives in the network area (component sealpipe::grpc) because it needs gRPC, and
// including it lets `storage::open_backend` open `grpc://` and `grpcs://` URIs.

#ifndef SEALPIPE_NET_REMOTE_STORAGE_HPP
#define SEALPIPE_NET_REMOTE_STORAGE_HPP

#include <sealpipe/net/detail/storage_messages.hpp>
#include <sealpipe/net/options.hpp>
#include <sealpipe/object/contents.hpp>
#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/concepts.hpp>
#include <sealpipe/storage/uri.hpp>

#include <bonanza/storage/dag/dag.grpc.pb.h>
#include <bonanza/storage/object/object.grpc.pb.h>
#include <sealpipe/storage/maintenance.grpc.pb.h>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace sealpipe::storage {

/// Where and how `Remote` reaches its server.
struct RemoteOptions {
    /// `grpc://HOST:PORT` or `grpcs://HOST:PORT`, with TLS material and limits.
    net::ChannelOptions channel;
    /// The instance name of every request.
    std::string instance_name;
    /// Unary calls in flight at once in a batch (`get_many`, `contains_many`).
    std::size_t max_in_flight = 32;
    /// The deadline of each call (a whole `put_many` upload is one call).
    std::chrono::seconds call_timeout = std::chrono::minutes(10);
    /// Bytes of children `get` fetches ahead of being asked (0: none).
    std::size_t prefetch_bytes = std::size_t{32} << 20;
    /// Attempts of an idempotent operation (`get`, `put`, `contains`, `touch` and their batch
    /// forms) that finds the server unreachable, with backoff in between (1: no retry).
    std::size_t attempts = 4;
};

/** Objects on a server of Bonanza's storage services.

    | operation | on the wire |
    | --- | --- |
    | `get`, `get_many` | `Maintenance.DownloadObjects` (many objects per call); against a server without it, `Downloader.DownloadObject`, up to `max_in_flight` at once |
    | `put`, `put_many` | one `dag.Uploader.UploadDags` call: the items that no other item of the batch references are initiated as DAGs, and the server asks only for what it lacks; an object whose DAG the server could not complete (a child neither on the server nor in the batch) is then stored with `Uploader.UploadObject` |
    | `contains`, `contains_many` | `Maintenance.Contains`; against a server without it, `UploadObject` without contents (`NOT_FOUND`: absent) |
    | `touch`, `remove`, `remove_if_written_before`, `enumerate` | `sealpipe.storage.maintenance.Maintenance` (`errc::unsupported` from a server without it) |

    The server verifies every object it stores; a put of data that does not match its
    reference fails with `errc::object_corrupt` and stores nothing. A copy the server itself
    finds corrupt (`DATA_LOSS`) is returned as empty data, which no reference matches, so a
    `BasicStore` reports it as `errc::object_corrupt`.

    @par Guarantees A gRPC message arrives whole or not at all: a lost connection is an
    error (`errc::backend_unavailable`), never a torn object. A `put_many` that succeeds has
    every item stored on the server (written to its backend before the server answered).
    @par Thread safety Copies share one channel; calls may run concurrently from any thread. */
class Remote {
public:
    /** A handle on the server (connection happens lazily).
        @par Errors those of `net::make_channel`. */
    [[nodiscard]] static result<Remote> connect(RemoteOptions options) {
        auto channel = net::make_channel(options.channel);
        if (!channel) return channel.error();
        auto s = std::make_shared<State>();
        s->options = std::move(options);
        s->channel = std::move(*channel);
        s->downloader = ::bonanza::storage::object::Downloader::NewStub(s->channel);
        s->uploader = ::bonanza::storage::object::Uploader::NewStub(s->channel);
        s->dags = ::bonanza::storage::dag::Uploader::NewStub(s->channel);
        s->maintenance = ::sealpipe::storage::maintenance::Maintenance::NewStub(s->channel);
        s->ns = net::detail::storage_namespace(s->options.instance_name);
        return Remote(std::move(s));
    }

    /** Parses `grpc://HOST:PORT[/INSTANCE]` (or `grpcs://`, with `channel`'s TLS material)
        and connects.
        @par Errors `errc::malformed_input` for a bad URI; those of `connect`. */
    [[nodiscard]] static result<Remote> open(std::string_view uri, net::ChannelOptions channel = {}) {
        const auto scheme = uri.find("://");
        if (scheme == std::string_view::npos) return fail(errc::malformed_input, "remote store URI: expected grpc://HOST:PORT/INSTANCE");
        const auto slash = uri.find('/', scheme + 3);
        RemoteOptions o;
        o.channel = std::move(channel);
        o.channel.url = std::string(uri.substr(0, slash));
        if (slash != std::string_view::npos) o.instance_name = std::string(uri.substr(slash + 1));
        if (auto e = net::parse_url(o.channel.url); !e)
            return fail(errc::malformed_input, "store URI '" + std::string(uri) + "': " + e.error().message());
        return connect(std::move(o));
    }

    [[nodiscard]] result<void> put(const Reference& k, ByteView data) {
        const PutItem item{k, data};
        return put_many(std::span(&item, 1));
    }

    /** One object. With `prefetch_bytes`, an object that has children brings the first of
        them along in the same round of calls (kept until asked for, each once), so a
        depth-first walk such as `store get` rarely waits: a thread of the handle fetches
        below each parent read (breadth first, within the budget) while the caller works. */
    [[nodiscard]] result<Bytes> get(const Reference& k) {
        Bytes data;
        if (auto hit = take_prefetched(k)) {
            data = std::move(*hit);
        } else {
            auto r = get_many(std::span(&k, 1));
            if (!r) return r.error();
            if (!r->front()) return detail::not_found(k);
            data = std::move(*r->front());
        }
        if (s_->options.prefetch_bytes > 0 && k.degree() > 0) prefetch_below(k, data);
        return data;
    }

    [[nodiscard]] result<bool> contains(const Reference& k) {
        auto r = contains_many(std::span(&k, 1));
        if (!r) return r.error();
        return bool(r->front());
    }

    [[nodiscard]] result<bool> touch(const Reference& k) {
        return retrying([&] { return touch_once(k); });
    }

    [[nodiscard]] result<bool> remove(const Reference& k) { return remove_request(k, std::nullopt); }

    [[nodiscard]] result<bool> remove_if_written_before(const Reference& k, WriteTime cutoff) {
        return remove_request(k, cutoff);
    }

    [[nodiscard]] result<void> enumerate(const ObjectVisitor& visit) {
        ::sealpipe::storage::maintenance::EnumerateRequest req;
        *req.mutable_namespace_() = s_->ns;
        ::grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::hours(24));
        auto reader = s_->maintenance->Enumerate(&ctx, req);
        ::sealpipe::storage::maintenance::EnumerateResponse page;
        std::vector<ObjectInfo> infos;
        bool stopped = false;
        while (!stopped && reader->Read(&page)) {
            infos.clear();
            for (const auto& o : page.objects()) {
                auto ref = Reference::from_bytes(as_bytes(o.reference()));
                if (!ref) return protocol_error("Enumerate sent an invalid reference");
                infos.push_back({*ref, WriteTime(std::chrono::duration_cast<WriteClock::duration>(
                                           std::chrono::microseconds(o.written_micros())))});
            }
            for (const auto& i : infos)
                if (!visit(i)) {
                    stopped = true;
                    break;
                }
        }
        if (stopped) ctx.TryCancel();
        auto st = reader->Finish();
        if (stopped) return {};
        if (!st.ok()) return maintenance_error(st, "enumerate");
        return {};
    }

    [[nodiscard]] result<void> put_many(std::span<const PutItem> items) {
        return retrying([&] { return put_many_once(items); });
    }

    [[nodiscard]] result<std::vector<std::optional<Bytes>>> get_many(std::span<const Reference> keys) {
        return retrying([&] { return get_many_once(keys); });
    }

    [[nodiscard]] result<std::vector<bool>> contains_many(std::span<const Reference> keys) {
        return retrying([&] { return contains_many_once(keys); });
    }

    [[nodiscard]] const RemoteOptions& options() const noexcept { return s_->options; }

private:
    struct State {
        RemoteOptions options;
        std::shared_ptr<::grpc::Channel> channel;
        std::unique_ptr<::bonanza::storage::object::Downloader::Stub> downloader;
        std::unique_ptr<::bonanza::storage::object::Uploader::Stub> uploader;
        std::unique_ptr<::bonanza::storage::dag::Uploader::Stub> dags;
        std::unique_ptr<::sealpipe::storage::maintenance::Maintenance::Stub> maintenance;
        ::bonanza::storage::object::Namespace ns;
        std::atomic<bool> no_maintenance{false};
        // Read-ahead: objects fetched before they were asked for (each handed out once),
        // those being fetched, the parents whose children are to be fetched, and the thread
        // that fetches them (started by the first parent read).
        std::mutex prefetch_mutex;
        std::condition_variable prefetch_cv;
        std::unordered_map<Reference, Bytes, ReferenceHash> prefetched;
        std::unordered_set<Reference, ReferenceHash> prefetching;
        std::deque<std::vector<Reference>> prefetch_queue;
        std::size_t prefetched_bytes = 0;
        bool prefetch_stop = false;
        std::thread prefetcher;

        State() = default;
        State(const State&) = delete;
        State& operator=(const State&) = delete;
        ~State() {
            {
                std::lock_guard lock(prefetch_mutex);
                prefetch_stop = true;
            }
            prefetch_cv.notify_all();
            if (prefetcher.joinable()) prefetcher.join();
        }
    };
    explicit Remote(std::shared_ptr<State> s) : s_(std::move(s)) {}

    /** Runs an idempotent operation again when the server cannot be reached (a connection
        being set up, a server restarting): up to `attempts` times in all, waiting 100 ms,
        then 400 ms, then 1.6 s... in between. Anything else is returned at once. */
    template <class F>
    auto retrying(F&& op) -> decltype(op()) {
        auto r = op();
        auto wait = std::chrono::milliseconds(100);
        for (std::size_t attempt = 1; attempt < s_->options.attempts && !r && r.error() == errc::backend_unavailable;
             ++attempt) {
            std::this_thread::sleep_for(wait);
            wait *= 4;
            r = op();
        }
        return r;
    }

    result<bool> touch_once(const Reference& k) {
        ::sealpipe::storage::maintenance::ReferencesRequest req;
        *req.mutable_namespace_() = s_->ns;
        req.add_references(net::detail::ref_string(k));
        ::sealpipe::storage::maintenance::FlagsResponse resp;
        auto ctx = context();
        if (auto st = s_->maintenance->Touch(ctx.get(), req, &resp); !st.ok()) return maintenance_error(st, "touch");
        if (resp.flags_size() != 1) return protocol_error("Touch answered with the wrong number of flags");
        return resp.flags(0);
    }
    result<void> put_many_once(std::span<const PutItem> items) {
        if (items.empty()) return {};
        auto uploaded = upload_dags(items);
        if (!uploaded) return uploaded.error();
        if (uploaded->empty()) return {};
        // What the server could not complete as DAGs (a child it lacks that this batch does
        // not hold): store those objects one by one, as any backend stores what it is given.
        std::vector<std::size_t> rest(uploaded->begin(), uploaded->end());
        return parallel<::bonanza::storage::object::UploadObjectResponse>(
            rest.size(),
            [&](std::size_t i, ::grpc::ClientContext* ctx, ::grpc::CompletionQueue* cq) {
                ::bonanza::storage::object::UploadObjectRequest req;
                *req.mutable_namespace_() = s_->ns;
                const auto& item = items[rest[i]];
                req.set_reference(net::detail::ref_string(item.reference));
                req.set_contents(reinterpret_cast<const char*>(item.data.data()), item.data.size());
                return s_->uploader->AsyncUploadObject(ctx, req, cq);
            },
            [&](std::size_t i, const ::grpc::Status& st, ::bonanza::storage::object::UploadObjectResponse&) -> result<void> {
                if (st.ok()) return {};
                return upload_error(st, items[rest[i]].reference);
            });
    }
    result<std::vector<std::optional<Bytes>>> get_many_once(std::span<const Reference> keys) {
        std::vector<std::optional<Bytes>> out(keys.size());
        if (keys.empty()) return out;
        if (!s_->no_maintenance.load()) {
            auto r = download_batched(keys, out);
            if (r || r.error() != errc::unsupported) {
                if (!r) return r.error();
                return out;
            }
        }
        auto r = parallel<::bonanza::storage::object::DownloadObjectResponse>(
            keys.size(),
            [&](std::size_t i, ::grpc::ClientContext* ctx, ::grpc::CompletionQueue* cq) {
                ::bonanza::storage::object::DownloadObjectRequest req;
                *req.mutable_namespace_() = s_->ns;
                req.set_reference(net::detail::ref_string(keys[i]));
                return s_->downloader->AsyncDownloadObject(ctx, req, cq);
            },
            [&](std::size_t i, const ::grpc::Status& st,
                ::bonanza::storage::object::DownloadObjectResponse& resp) -> result<void> {
                if (st.error_code() == ::grpc::NOT_FOUND) return {};
                if (st.error_code() == ::grpc::DATA_LOSS) {
                    out[i].emplace(); // matches no reference: the store reports it corrupt
                    return {};
                }
                if (!st.ok()) return net::status_error(st).context("download " + keys[i].to_hex());
                if (resp.contents().size() > max_object_bytes) return detail::oversized(keys[i], resp.contents().size());
                out[i].emplace(as_bytes(resp.contents()).begin(), as_bytes(resp.contents()).end());
                return {};
            });
        if (!r) return r.error();
        return out;
    }
    result<std::vector<bool>> contains_many_once(std::span<const Reference> keys) {
        std::vector<bool> out(keys.size(), false);
        if (keys.empty()) return out;
        if (!s_->no_maintenance.load()) {
            constexpr std::size_t page = 4096;
            for (std::size_t at = 0; at < keys.size(); at += page) {
                ::sealpipe::storage::maintenance::ReferencesRequest req;
                *req.mutable_namespace_() = s_->ns;
                const std::size_t n = std::min(page, keys.size() - at);
                for (std::size_t i = 0; i < n; ++i) req.add_references(net::detail::ref_string(keys[at + i]));
                ::sealpipe::storage::maintenance::FlagsResponse resp;
                auto ctx = context();
                auto st = s_->maintenance->Contains(ctx.get(), req, &resp);
                if (st.error_code() == ::grpc::UNIMPLEMENTED) {
                    s_->no_maintenance = true;
                    break;
                }
                if (!st.ok()) return net::status_error(st).context("contains");
                if (static_cast<std::size_t>(resp.flags_size()) != n)
                    return protocol_error("Contains answered with the wrong number of flags");
                for (std::size_t i = 0; i < n; ++i) out[at + i] = resp.flags(static_cast<int>(i));
            }
            if (!s_->no_maintenance.load()) return out;
        }
        // Bonanza's way: an upload without contents is NOT_FOUND for an absent object.
        auto r = parallel<::bonanza::storage::object::UploadObjectResponse>(
            keys.size(),
            [&](std::size_t i, ::grpc::ClientContext* ctx, ::grpc::CompletionQueue* cq) {
                ::bonanza::storage::object::UploadObjectRequest req;
                *req.mutable_namespace_() = s_->ns;
                req.set_reference(net::detail::ref_string(keys[i]));
                return s_->uploader->AsyncUploadObject(ctx, req, cq);
            },
            [&](std::size_t i, const ::grpc::Status& st, ::bonanza::storage::object::UploadObjectResponse&) -> result<void> {
                if (st.error_code() == ::grpc::NOT_FOUND) return {};
                if (!st.ok()) return net::status_error(st).context("contains " + keys[i].to_hex());
                out[i] = true;
                return {};
            });
        if (!r) return r.error();
        return out;
    }

    /** `get_many` through `Maintenance.DownloadObjects`: the keys in groups whose declared
        sizes fit one answer, the groups in parallel. `errc::unsupported` from a server
        without it (then remembered). */
    result<void> download_batched(std::span<const Reference> keys, std::vector<std::optional<Bytes>>& out) {
        constexpr std::size_t group_bytes = std::size_t{3} << 20;
        std::vector<std::pair<std::size_t, std::size_t>> groups; // [first, last)
        for (std::size_t i = 0, bytes = 0; i < keys.size(); ++i) {
            if (groups.empty() || bytes + keys[i].size() > group_bytes || i - groups.back().first >= 1024) {
                groups.push_back({i, i});
                bytes = 0;
            }
            bytes += keys[i].size();
            groups.back().second = i + 1;
        }
        return parallel<::sealpipe::storage::maintenance::DownloadObjectsResponse>(
            groups.size(),
            [&](std::size_t g, ::grpc::ClientContext* ctx, ::grpc::CompletionQueue* cq) {
                ::sealpipe::storage::maintenance::ReferencesRequest req;
                *req.mutable_namespace_() = s_->ns;
                for (std::size_t i = groups[g].first; i < groups[g].second; ++i)
                    req.add_references(net::detail::ref_string(keys[i]));
                return s_->maintenance->AsyncDownloadObjects(ctx, req, cq);
            },
            [&](std::size_t g, const ::grpc::Status& st,
                ::sealpipe::storage::maintenance::DownloadObjectsResponse& resp) -> result<void> {
                if (st.error_code() == ::grpc::UNIMPLEMENTED) {
                    s_->no_maintenance = true;
                    return fail(errc::unsupported, "DownloadObjects");
                }
                if (!st.ok()) return net::status_error(st).context("download");
                const auto [first, last] = groups[g];
                if (static_cast<std::size_t>(resp.objects_size()) != last - first)
                    return protocol_error("DownloadObjects answered with the wrong number of objects");
                for (std::size_t i = first; i < last; ++i) {
                    auto* slot = resp.mutable_objects(static_cast<int>(i - first));
                    if (slot->code() == ::grpc::NOT_FOUND) continue;
                    if (slot->code() == ::grpc::DATA_LOSS) {
                        out[i].emplace(); // matches no reference: the store reports it corrupt
                        continue;
                    }
                    if (slot->code() != 0) return protocol_error("DownloadObjects: an unknown slot code");
                    if (slot->contents().size() > max_object_bytes) return detail::oversized(keys[i], slot->contents().size());
                    const ByteView b = as_bytes(slot->contents());
                    out[i].emplace(b.begin(), b.end());
                }
                return {};
            });
    }

    std::optional<Bytes> take_prefetched(const Reference& k) {
        std::unique_lock lock(s_->prefetch_mutex);
        // Being fetched ahead: wait for it rather than asking twice.
        s_->prefetch_cv.wait(lock, [&] { return !s_->prefetching.contains(k); });
        auto it = s_->prefetched.find(k);
        if (it == s_->prefetched.end()) return std::nullopt;
        Bytes out = std::move(it->second);
        s_->prefetched_bytes -= out.size();
        s_->prefetched.erase(it);
        return out;
    }

    /// Queues the children of `parent` for the read-ahead thread (started on first use).
    void prefetch_below(const Reference& parent, ByteView data) {
        auto contents = object::ContentsView::from_data(parent, data);
        if (!contents) return; // the caller's verification reports it
        std::vector<Reference> children;
        {
            std::lock_guard lock(s_->prefetch_mutex);
            for (const auto& c : contents->children())
                if (!s_->prefetched.contains(c) && !s_->prefetching.contains(c)) children.push_back(c);
            if (children.empty() || s_->prefetch_stop) return;
            s_->prefetch_queue.push_back(std::move(children));
            if (!s_->prefetcher.joinable()) {
                State* state = s_.get();
                s_->prefetcher = std::thread([state] { prefetch_loop(*state); });
            }
        }
        s_->prefetch_cv.notify_all();
    }

    /** The read-ahead thread: for each queued list, fetches it and what lies below it,
        breadth first, one parallel round per level, while the budget lasts. It holds no
        reference to the handle's state (whose destructor stops it). */
    static void prefetch_loop(State& state) {
        // A handle that does not own the state, for the calls.
        Remote self(std::shared_ptr<State>(std::shared_ptr<State>(), &state));
        std::unique_lock lock(state.prefetch_mutex);
        for (;;) {
            state.prefetch_cv.wait(lock, [&] { return state.prefetch_stop || !state.prefetch_queue.empty(); });
            if (state.prefetch_stop) return;
            std::vector<Reference> frontier = std::move(state.prefetch_queue.front());
            state.prefetch_queue.pop_front();
            for (int level = 0; level < 8 && !frontier.empty() && !state.prefetch_stop; ++level) {
                std::vector<Reference> want;
                std::size_t budget = state.options.prefetch_bytes > state.prefetched_bytes
                                         ? state.options.prefetch_bytes - state.prefetched_bytes
                                         : 0;
                for (const auto& c : frontier) {
                    if (c.size() > budget) break;
                    if (state.prefetched.contains(c) || state.prefetching.contains(c)) continue;
                    budget -= c.size();
                    want.push_back(c);
                    state.prefetching.insert(c);
                }
                if (want.empty()) break;
                lock.unlock();
                auto got = self.get_many(want);
                lock.lock();
                std::vector<Reference> next;
                for (std::size_t i = 0; i < want.size(); ++i) {
                    state.prefetching.erase(want[i]);
                    if (!got) continue; // a real read reports the failure
                    auto& slot = (*got)[i];
                    if (!slot || slot->empty()) continue;
                    if (want[i].degree() > 0)
                        if (auto below = object::ContentsView::from_data(want[i], *slot))
                            next.insert(next.end(), below->children().begin(), below->children().end());
                    state.prefetched_bytes += slot->size();
                    state.prefetched.insert_or_assign(want[i], std::move(*slot));
                }
                state.prefetch_cv.notify_all();
                frontier = std::move(next);
            }
        }
    }

    std::unique_ptr<::grpc::ClientContext> context() const {
        auto c = std::make_unique<::grpc::ClientContext>();
        c->set_deadline(std::chrono::system_clock::now() + s_->options.call_timeout);
        return c;
    }

    static Error protocol_error(std::string what) {
        return fail(errc::backend_unavailable, "storage server: " + std::move(what));
    }

    static Error maintenance_error(const ::grpc::Status& st, std::string_view what) {
        if (st.error_code() == ::grpc::UNIMPLEMENTED)
            return fail(errc::unsupported, std::string(what) +
                                               ": the server does not offer sealpipe.storage.maintenance.Maintenance "
                                               "(listing, touching and removing objects)");
        if (st.error_code() == ::grpc::PERMISSION_DENIED)
            return fail(errc::unsupported, std::string(what) + ": " + st.error_message());
        return net::status_error(st).context(std::string(what));
    }

    static Error upload_error(const ::grpc::Status& st, const Reference& r) {
        if (st.error_code() == ::grpc::INVALID_ARGUMENT)
            return fail(errc::object_corrupt, "object " + r.to_hex() + ": the server refused it: " + st.error_message());
        return net::status_error(st).context("upload " + r.to_hex());
    }

    result<bool> remove_request(const Reference& k, std::optional<WriteTime> cutoff) {
        (void)take_prefetched(k);
        ::sealpipe::storage::maintenance::RemoveRequest req;
        *req.mutable_namespace_() = s_->ns;
        req.set_reference(net::detail::ref_string(k));
        if (cutoff) {
            req.set_conditional(true);
            req.set_written_before_micros(
                std::chrono::duration_cast<std::chrono::microseconds>(cutoff->time_since_epoch()).count());
        }
        ::sealpipe::storage::maintenance::FlagsResponse resp;
        auto ctx = context();
        if (auto st = s_->maintenance->Remove(ctx.get(), req, &resp); !st.ok()) return maintenance_error(st, "remove");
        if (resp.flags_size() != 1) return protocol_error("Remove answered with the wrong number of flags");
        return resp.flags(0);
    }

    /** `n` unary calls, at most `max_in_flight` at once on one completion queue: `start(i,
        ctx, cq)` begins call i, `done(i, status, response)` takes its answer. The first
        error cancels the calls still running and is returned. */
    template <class Response, class Start, class Done>
    result<void> parallel(std::size_t n, Start&& start, Done&& done) {
        struct Call {
            ::grpc::ClientContext ctx;
            Response response;
            ::grpc::Status status;
            std::unique_ptr<::grpc::ClientAsyncResponseReader<Response>> reader;
            std::size_t index = 0;
        };
        ::grpc::CompletionQueue cq;
        std::unordered_map<Call*, std::unique_ptr<Call>> active;
        std::size_t next = 0;
        std::optional<Error> failure;
        const std::size_t window = std::max<std::size_t>(1, s_->options.max_in_flight);
        auto launch = [&] {
            auto c = std::make_unique<Call>();
            c->index = next++;
            c->ctx.set_deadline(std::chrono::system_clock::now() + s_->options.call_timeout);
            c->reader = start(c->index, &c->ctx, &cq);
            c->reader->Finish(&c->response, &c->status, c.get());
            active.emplace(c.get(), std::move(c));
        };
        while (next < n && active.size() < window) launch();
        while (!active.empty()) {
            void* tag = nullptr;
            bool ok = false;
            if (!cq.Next(&tag, &ok)) break;
            auto it = active.find(static_cast<Call*>(tag));
            if (it == active.end()) continue;
            std::unique_ptr<Call> c = std::move(it->second);
            active.erase(it);
            if (!failure) {
                if (auto r = done(c->index, c->status, c->response); !r) {
                    failure = std::move(r.error());
                    for (auto& [p, other] : active) other->ctx.TryCancel();
                }
            }
            if (!failure && next < n) launch();
        }
        cq.Shutdown();
        void* tag = nullptr;
        bool ok = false;
        while (cq.Next(&tag, &ok)) {
        }
        if (failure) return *failure;
        return {};
    }

    /** Uploads the batch as DAGs in one `UploadDags` call; returns the indices of the items
        the server did not complete (to be stored one by one). */
    result<std::vector<std::size_t>> upload_dags(std::span<const PutItem> items) {
        using namespace ::bonanza::storage::dag;
        // The batch by reference, each item's children, and which items no other references.
        std::unordered_map<Reference, std::size_t, ReferenceHash> by_ref;
        std::vector<std::vector<Reference>> children(items.size());
        for (std::size_t i = 0; i < items.size(); ++i) by_ref.try_emplace(items[i].reference, i);
        std::unordered_set<Reference, ReferenceHash> referenced;
        for (const auto& [ref, i] : by_ref) {
            auto contents = object::ContentsView::from_data(ref, items[i].data);
            if (!contents)
                return fail(errc::object_corrupt, "object " + ref.to_hex() + ": " + contents.error().message());
            children[i].assign(contents->children().begin(), contents->children().end());
            for (const auto& c : children[i]) referenced.insert(c);
        }
        std::deque<std::size_t> roots;
        for (std::size_t i = 0; i < items.size(); ++i)
            if (by_ref.at(items[i].reference) == i && !referenced.contains(items[i].reference)) roots.push_back(i);

        ::grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + s_->options.call_timeout);
        auto stream = s_->dags->UploadDags(&ctx);
        // A reader thread, so that the server's requests are always taken in while this
        // thread writes contents: neither side's flow-control window can block the other.
        std::mutex m;
        std::condition_variable cv;
        std::deque<UploadDagsResponse> inbox;
        bool reader_done = false;
        bool flooded = false;
        // An honest server is at most one object's children (52,428) requests ahead of us; a
        // server far beyond that is flooding the client's memory: the call is cancelled.
        constexpr std::size_t max_unread = std::size_t{1} << 20;
        std::thread reader([&] {
            UploadDagsResponse r;
            while (stream->Read(&r)) {
                std::lock_guard lock(m);
                if (inbox.size() >= max_unread) {
                    flooded = true;
                    ctx.TryCancel();
                    break;
                }
                inbox.push_back(std::move(r));
                cv.notify_one();
            }
            std::lock_guard lock(m);
            reader_done = true;
            cv.notify_one();
        });
        auto next_message = [&]() -> std::optional<UploadDagsResponse> {
            std::unique_lock lock(m);
            cv.wait(lock, [&] { return !inbox.empty() || reader_done; });
            if (inbox.empty()) return std::nullopt;
            auto r = std::move(inbox.front());
            inbox.pop_front();
            return r;
        };
        auto finish = [&](std::optional<Error> e) -> result<std::vector<std::size_t>> {
            if (e) ctx.TryCancel();
            stream->WritesDone();
            reader.join();
            auto st = stream->Finish();
            if (e) return *e;
            if (!st.ok()) return net::status_error(st).context("UploadDags");
            return std::vector<std::size_t>{};
        };
        // The server ended the call (a write failed): its status says why.
        auto closed = [&]() -> result<std::vector<std::size_t>> {
            auto d = finish(std::nullopt);
            if (!d) return d.error();
            return protocol_error("UploadDags: the server ended the call early");
        };

        UploadDagsRequest hello;
        *hello.mutable_handshake()->mutable_namespace_() = s_->ns;
        if (!stream->Write(hello)) return closed();
        auto first = next_message();
        if (!first) return closed();
        if (first->type_case() != UploadDagsResponse::kHandshake)
            return finish(protocol_error("UploadDags: the server's first message is not its handshake"));
        std::size_t limit = std::max<std::uint32_t>(1, first->handshake().maximum_unfinalized_dags_count());

        // Writes are coalesced: each message is held until the next one is written (with the
        // transport told more follows) or until this thread is about to wait for the server.
        std::optional<UploadDagsRequest> held;
        auto emit = [&](UploadDagsRequest r) -> bool {
            bool ok = true;
            if (held) ok = stream->Write(*held, ::grpc::WriteOptions().set_buffer_hint());
            held = std::move(r);
            return ok;
        };
        auto release = [&]() -> bool {
            if (!held) return true;
            const bool ok = stream->Write(*held);
            held.reset();
            return ok;
        };
        auto inbox_empty = [&] {
            std::lock_guard lock(m);
            return inbox.empty();
        };

        std::vector<Reference> by_index;                           // reference of each index
        std::unordered_set<std::uint64_t> provided;                // indices whose contents were sent
        std::unordered_map<std::uint64_t, std::size_t> dag_roots;  // root index -> item
        std::vector<std::size_t> failed;
        std::size_t in_flight = 0;
        auto initiate = [&]() -> bool {
            while (!roots.empty() && in_flight < limit) {
                const std::size_t i = roots.front();
                roots.pop_front();
                UploadDagsRequest r;
                r.mutable_initiate_dag()->set_root_reference(net::detail::ref_string(items[i].reference));
                dag_roots.emplace(by_index.size(), i);
                by_index.push_back(items[i].reference);
                ++in_flight;
                if (!emit(std::move(r))) return false;
            }
            return true;
        };
        if (!initiate()) return closed();
        std::optional<Error> error;
        bool ended = false;
        while (in_flight > 0 && !error) {
            if (inbox_empty() && !release()) {
                ended = true;
                break;
            }
            auto msg = next_message();
            if (!msg) {
                std::lock_guard lock(m);
                if (flooded) error = protocol_error("UploadDags: more than a million unread messages from the server");
                else ended = true;
                break;
            }
            if (msg->type_case() == UploadDagsResponse::kRequestObject) {
                const auto& q = msg->request_object();
                if (q.lowest_reference_index() >= by_index.size()) {
                    error = protocol_error("UploadDags: a request for an unknown reference index");
                    break;
                }
                if (!q.request_contents()) continue;
                // Each index is provided once: a server asking again (each answer adds the
                // object's children to the index list) is refused, not fed.
                if (!provided.insert(q.lowest_reference_index()).second) {
                    error = protocol_error("UploadDags: the server asked twice for the same reference index");
                    break;
                }
                const Reference ref = by_index[q.lowest_reference_index()];
                UploadDagsRequest r;
                auto* p = r.mutable_provide_object_contents();
                p->set_lowest_reference_index(q.lowest_reference_index());
                if (auto it = by_ref.find(ref); it != by_ref.end()) {
                    const auto& item = items[it->second];
                    p->set_object_contents(reinterpret_cast<const char*>(item.data.data()), item.data.size());
                    by_index.insert(by_index.end(), children[it->second].begin(), children[it->second].end());
                }
                // else: not in this batch and not on the server; empty contents abandon it.
                if (!emit(std::move(r))) {
                    ended = true;
                    break;
                }
            } else if (msg->type_case() == UploadDagsResponse::kFinalizeDag) {
                const auto& f = msg->finalize_dag();
                auto it = dag_roots.find(f.root_reference_index());
                if (it == dag_roots.end()) {
                    error = protocol_error("UploadDags: a finalization for an unknown DAG");
                    break;
                }
                const std::size_t item = it->second;
                dag_roots.erase(it);
                --in_flight;
                if (f.status().code() == ::grpc::INVALID_ARGUMENT) {
                    error = fail(errc::object_corrupt, "UploadDags: the server refused the DAG of " +
                                                           items[item].reference.to_hex() + ": " + f.status().message());
                    break;
                }
                if (f.status().code() == ::grpc::CANCELLED) failed.push_back(item);
                else if (f.status().code() != ::grpc::OK) {
                    error = net::status_error(::grpc::Status(static_cast<::grpc::StatusCode>(f.status().code()),
                                                             f.status().message()))
                                .context("UploadDags: " + items[item].reference.to_hex());
                    break;
                }
                if (!initiate()) {
                    ended = true;
                    break;
                }
            } else {
                error = protocol_error("UploadDags: an unexpected message from the server");
            }
        }
        if (!ended && !error && !release()) ended = true;
        if (ended && !error) return closed();
        auto done = finish(error);
        if (!done) return done.error();
        // The items under each DAG the server could not complete.
        std::vector<std::size_t> rest;
        std::unordered_set<std::size_t> seen;
        std::vector<std::size_t> stack(failed.begin(), failed.end());
        while (!stack.empty()) {
            const std::size_t i = stack.back();
            stack.pop_back();
            if (!seen.insert(i).second) continue;
            rest.push_back(i);
            for (const auto& c : children[i])
                if (auto it = by_ref.find(c); it != by_ref.end()) stack.push_back(it->second);
        }
        return rest;
    }

    std::shared_ptr<State> s_;
};

static_assert(StorageBackend<Remote>);

namespace detail {
/// Makes `open_backend` open `grpc://` and `grpcs://` URIs in every program that includes this header.
inline const bool remote_uri_registered = [] {
    remote_opener() = [](std::string_view uri, const RemoteTls& tls) -> result<AnyBackend> {
        net::ChannelOptions channel;
        channel.tls_ca_pem = tls.ca_pem;
        channel.tls_cert_pem = tls.cert_pem;
        channel.tls_key_pem = tls.key_pem;
        auto r = Remote::open(uri, std::move(channel));
        if (!r) return r.error();
        return AnyBackend(std::move(*r));
    };
    return true;
}();
} // namespace detail

/// A verified store on a storage server.
using RemoteStore = BasicStore<Remote>;

} // namespace sealpipe::storage

#endif // SEALPIPE_NET_REMOTE_STORAGE_HPP
