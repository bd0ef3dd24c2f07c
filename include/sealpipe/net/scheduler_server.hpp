// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `SchedulerServer`: the scheduler (execution/scheduler.hpp) served over gRPC as Bonanza's
// `bonanza.remoteexecution.Execution` and `bonanza.remoteworker.OperationQueue` services
// (doc/execution.md, "Over the network"). The services translate messages; every decision is
// the scheduler's, the same one the in-process transport drives.

#ifndef SEALPIPE_NET_SCHEDULER_SERVER_HPP
#define SEALPIPE_NET_SCHEDULER_SERVER_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/execution/messages.hpp>
#include <sealpipe/execution/scheduler.hpp>
#include <sealpipe/net/detail/convert.hpp>
#include <sealpipe/net/detail/queue_messages.hpp>
#include <sealpipe/net/options.hpp>
#include <sealpipe/transport/in_process.hpp>

#include <bonanza/remoteexecution/remoteexecution.grpc.pb.h>
#include <bonanza/remoteworker/remoteworker.grpc.pb.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sealpipe::net {

/// What a served scheduler adds to `execution::SchedulerOptions`.
struct StreamOptions {
    /// How often an `Execute` stream repeats the current stage when nothing happens (Bonanza:
    /// every minute).
    std::chrono::nanoseconds keepalive = std::chrono::seconds(60);
    /// How soon a stream notices that its client went away.
    std::chrono::milliseconds cancel_check{200};
    /// How often deadlines are applied when no call arrives.
    std::chrono::milliseconds tick{500};
    /// Execute and WaitExecution streams open at once; more are refused with
    /// `RESOURCE_EXHAUSTED` (a stream holds no thread, only its state).
    std::size_t max_streams = 10000;
};

/// Bonanza's defaults for a served scheduler: a vanished worker fails its action, an
/// abandoned operation waits a minute for its client, an idle worker's call is held a minute.
[[nodiscard]] inline execution::SchedulerOptions bonanza_scheduler_options() {
    execution::SchedulerOptions o;
    o.worker_lease = std::chrono::seconds(60);
    o.max_attempts = 1;
    o.client_grace = std::chrono::seconds(60);
    o.idle_poll = std::chrono::seconds(60);
    o.executing_poll = std::chrono::seconds(2);
    o.timeout_grace = std::chrono::seconds(30);
    return o;
}

/** A scheduler listening on one port for both services. Start it with `start()`; it serves
    on gRPC's threads until `shutdown()` (or destruction). No thread is held per stream or
    per waiting worker: a stream writes when the scheduler queues an update for its client
    (`Subscription::on_update`), a waiting worker's call is answered when work comes
    (`Scheduler::synchronize_worker_async`), and one timer thread applies deadlines and
    keepalives. */
class SchedulerServer {
public:
    using Scheduler = execution::Scheduler<transport::InProcess>;

    explicit SchedulerServer(execution::SchedulerOptions options = bonanza_scheduler_options(),
                             StreamOptions stream = {},
                             execution::TimeSource clock = [] { return std::chrono::steady_clock::now(); })
        : scheduler_(std::make_shared<Scheduler>(options, std::move(clock))), stream_(stream),
          idle_poll_(options.idle_poll), execution_(*this), queue_(*this) {}
    SchedulerServer(const SchedulerServer&) = delete;
    SchedulerServer& operator=(const SchedulerServer&) = delete;
    ~SchedulerServer() { shutdown(); }

    /** Listens and serves. @par Errors `errc::invalid_argument` (a keepalive or tick period
        that is not positive, no room for a stream), as `detail::build_server`. */
    [[nodiscard]] result<void> start(const ServerOptions& o) {
        // A zero period would spin the timer thread and flood every stream with keepalives.
        if (stream_.keepalive <= std::chrono::nanoseconds::zero() || stream_.tick <= std::chrono::milliseconds::zero())
            return fail(errc::invalid_argument, "StreamOptions: keepalive and tick must be positive");
        if (stream_.max_streams == 0) return fail(errc::invalid_argument, "StreamOptions: max_streams must be at least 1");
        auto s = detail::build_server(o, "sealpipe-scheduler", {&execution_, &queue_});
        if (!s) return s.error();
        server_ = std::move(s->server);
        port_ = s->port;
        ticker_ = std::thread([this] { tick_loop(); });
        return {};
    }

    /// The port it listens on (the real one when asked for port 0).
    [[nodiscard]] int port() const noexcept { return port_; }

    /// Stops: pending calls end (idle workers are answered `idle`, streams `UNAVAILABLE`).
    void shutdown() {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
            stopping_ = true;
        }
        stopped_.notify_all();
        scheduler_->stop_waiting();
        std::vector<std::shared_ptr<StreamCore>> streams;
        {
            std::lock_guard lock(streams_mutex_);
            streams.assign(streams_.begin(), streams_.end());
        }
        for (auto& c : streams) end_stream(c, ::grpc::Status(::grpc::UNAVAILABLE, "the scheduler is shutting down"));
        if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
        if (ticker_.joinable()) ticker_.join();
    }

    /// Blocks until `shutdown()` has been called from elsewhere.
    void wait() {
        std::unique_lock lock(mutex_);
        stopped_.wait(lock, [&] { return stopping_; });
    }

    /// The scheduler behind the services (its counters, or to submit in-process as well).
    [[nodiscard]] Scheduler& scheduler() noexcept { return *scheduler_; }

private:
    using Response = ::bonanza::remoteexecution::ExecuteResponse;
    using SteadyTime = std::chrono::steady_clock::time_point;
    class Stream;

    /// What outlives a stream's reactor: its lock, and the reactor while it lives.
    struct StreamCore {
        std::mutex mutex;
        Stream* reactor = nullptr;
    };

    bool stopping() {
        std::lock_guard lock(mutex_);
        return stopping_;
    }

    /// Applies deadlines and keepalives: wakes at the next tick, a parked worker call's
    /// bound, or half a keepalive period, whichever comes first.
    void tick_loop() {
        const auto period = std::min<std::chrono::nanoseconds>(stream_.tick, stream_.keepalive / 2);
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            lock.unlock();
            scheduler_->tick();
            std::vector<std::shared_ptr<StreamCore>> streams;
            {
                std::lock_guard s(streams_mutex_);
                streams.assign(streams_.begin(), streams_.end());
            }
            for (auto& c : streams) poke(c);
            auto wake = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(period);
            if (auto w = scheduler_->next_wait_deadline(); w && *w < wake) wake = *w;
            lock.lock();
            wake_at_ = wake;
            stopped_.wait_until(lock, wake, [&] { return stopping_ || nudged_; });
            nudged_ = false;
        }
    }

    /// A worker call was parked until `until`: the timer wakes in time for it.
    void wake_by(SteadyTime until) {
        {
            std::lock_guard lock(mutex_);
            if (until >= wake_at_) return;
            wake_at_ = until;
            nudged_ = true;
        }
        stopped_.notify_all();
    }

    static void poke(const std::shared_ptr<StreamCore>& core);
    static void end_stream(const std::shared_ptr<StreamCore>& core, ::grpc::Status status);

    /// One Execute or WaitExecution stream, following one subscription: the first message at
    /// once, then every update once, one write at a time, the stage again as a keepalive
    /// when nothing happens, and the completion or the failure as the end.
    class Stream final : public ::grpc::ServerWriteReactor<::grpc::ByteBuffer> {
    public:
        /// Counts itself among the open streams (`admitted()` says whether there was room).
        explicit Stream(SchedulerServer& server) : server_(server), core_(std::make_shared<StreamCore>()) {
            core_->reactor = this;
            admitted_ = server_.open_streams_.fetch_add(1) < server_.stream_.max_streams;
        }
        [[nodiscard]] bool admitted() const noexcept { return admitted_; }

        /// Ends the call at once with `status` (a refused request).
        void refuse(::grpc::Status status) {
            {
                std::lock_guard lock(core_->mutex);
                finishing_ = true;
            }
            Finish(std::move(status));
        }

        /// Starts following `sub`.
        void follow(Scheduler::Subscription sub) {
            {
                std::lock_guard lock(core_->mutex);
                sub_.emplace(std::move(sub));
                writing_ = true;   // reserved for the first message: nothing else writes or ends
            }
            {
                std::lock_guard lock(server_.streams_mutex_);
                server_.streams_.insert(core_);
            }
            std::weak_ptr<StreamCore> weak = core_;
            sub_->on_update([weak] {
                if (auto c = weak.lock()) poke(c);
            });
            std::unique_lock lock(core_->mutex);
            writing_ = false;
            if (sub_->initial_stage().final) {
                pump(lock);   // a finished operation: its final update is waiting
                return;
            }
            // The first message at once: queued, or executing when a worker already has it.
            message_ = stage_message();
            write(lock);
        }

        /// Writes what is due, if no write is in flight; returns with `lock` released.
        void pump(std::unique_lock<std::mutex>& lock) {
            if (writing_ || finishing_) return lock.unlock();
            if (end_with_) {
                finishing_ = true;
                auto s = std::move(*end_with_);
                lock.unlock();
                return Finish(std::move(s));
            }
            auto u = sub_->try_next();
            if (u) {
                if (u->kind == execution::Update::Kind::execution_event) {
                    message_.Clear();
                    message_.set_name(sub_->name());
                    detail::parse(u->event, *message_.mutable_executing()->mutable_last_event());
                    return write(lock);
                }
                finishing_ = true;
                if (u->kind == execution::Update::Kind::failed) {
                    lock.unlock();
                    return Finish(detail::to_status(u->status));
                }
                message_.Clear();
                message_.set_name(sub_->name());
                auto* c = message_.mutable_completed();
                if (!u->event.empty()) detail::parse(u->event, *c->mutable_completion_event());
                serialize();
                writing_ = true;
                lock.unlock();
                return StartWriteAndFinish(&out_, ::grpc::WriteOptions(), ::grpc::Status::OK);
            }
            if (u.error() == errc::cancelled) {
                finishing_ = true;
                lock.unlock();
                return Finish(::grpc::Status(::grpc::UNAVAILABLE, "the operation ended"));
            }
            if (std::chrono::steady_clock::now() >= keepalive_at_) {
                message_ = stage_message();
                return write(lock);
            }
            lock.unlock();
        }

        /// Ends the stream with `status` as soon as no write is in flight.
        void end(std::unique_lock<std::mutex>& lock, ::grpc::Status status) {
            if (finishing_) return lock.unlock();
            if (!end_with_) end_with_ = std::move(status);
            pump(lock);
        }

        void OnWriteDone(bool ok) override {
            std::unique_lock lock(core_->mutex);
            writing_ = false;
            if (finishing_) return;
            if (!ok && !end_with_) end_with_ = ::grpc::Status(::grpc::CANCELLED, "client went away");
            keepalive_at_ = std::chrono::steady_clock::now() + server_.stream_.keepalive;
            pump(lock);
        }

        void OnCancel() override {
            std::unique_lock lock(core_->mutex);
            end(lock, ::grpc::Status(::grpc::CANCELLED, "client went away"));
        }

        void OnDone() override {
            std::optional<Scheduler::Subscription> sub;
            {
                std::lock_guard lock(core_->mutex);
                core_->reactor = nullptr;
                sub = std::move(sub_);
            }
            {
                std::lock_guard lock(server_.streams_mutex_);
                server_.streams_.erase(core_);
            }
            server_.open_streams_.fetch_sub(1);
            if (sub) sub->cancel();   // withdraws this client (after the grace period, the action)
            delete this;
        }

    private:
        Response stage_message() const {
            Response r;
            r.set_name(sub_->name());
            const execution::Stage s = sub_->stage();
            if (s.running) {
                auto* e = r.mutable_executing();
                if (!s.last_event.empty()) detail::parse(s.last_event, *e->mutable_last_event());
            } else {
                r.mutable_queued();
            }
            return r;
        }

        void write(std::unique_lock<std::mutex>& lock) {
            serialize();
            writing_ = true;
            lock.unlock();
            StartWrite(&out_);
        }

        void serialize() {
            bool own = false;
            out_.Clear();
            (void)::grpc::SerializationTraits<Response>::Serialize(message_, &out_, &own);
        }

        SchedulerServer& server_;
        std::shared_ptr<StreamCore> core_;
        std::optional<Scheduler::Subscription> sub_;
        Response message_;
        ::grpc::ByteBuffer out_;   // the one write in flight
        bool admitted_ = false;
        bool writing_ = false, finishing_ = false;
        std::optional<::grpc::Status> end_with_;
        SteadyTime keepalive_at_ = std::chrono::steady_clock::now() + server_.stream_.keepalive;
    };

    /// One Synchronize call: answered at once, or when the scheduler has work for the worker.
    class Sync final : public ::grpc::ServerUnaryReactor {
    public:
        Sync(SchedulerServer& server, ::grpc::ByteBuffer* response)
            : server_(server), response_(response) {}

        void begin(execution::WorkerSync q) {
            const auto bound = q.wait_until;
            const std::uint64_t ticket = server_.scheduler_->synchronize_worker_async(
                std::move(q), [this](result<execution::WorkerDirective> d) { answer(std::move(d)); });
            std::unique_lock lock(mutex_);
            begun_ = true;
            ticket_ = ticket;
            if (pending_) {
                auto d = std::move(*pending_);
                pending_.reset();
                lock.unlock();
                return finish(std::move(d));
            }
            if (ticket == 0) return;
            if (cancelled_) {
                lock.unlock();
                return server_.scheduler_->abandon_wait(ticket);
            }
            lock.unlock();
            auto until = std::chrono::steady_clock::now() + server_.idle_poll_;
            if (bound && *bound < until) until = *bound;
            server_.wake_by(until);
        }

        void OnCancel() override {
            std::unique_lock lock(mutex_);
            cancelled_ = true;
            const std::uint64_t t = ticket_;
            lock.unlock();
            if (t != 0) server_.scheduler_->abandon_wait(t);   // answers idle unless answered already
        }

        void OnDone() override { delete this; }

    private:
        void answer(result<execution::WorkerDirective> d) {
            std::unique_lock lock(mutex_);
            if (!begun_) {
                pending_.emplace(std::move(d));
                return;
            }
            lock.unlock();
            finish(std::move(d));
        }

        void finish(result<execution::WorkerDirective> d) {
            if (!d) return Finish(detail::to_status(d.error()));
            ::bonanza::remoteworker::SynchronizeResponse r;
            detail::synchronize_response(*d, r);
            bool own = false;
            (void)::grpc::SerializationTraits<::bonanza::remoteworker::SynchronizeResponse>::Serialize(r, response_, &own);
            Finish(::grpc::Status::OK);
        }

        SchedulerServer& server_;
        ::grpc::ByteBuffer* response_;
        std::mutex mutex_;
        bool begun_ = false, cancelled_ = false;
        std::uint64_t ticket_ = 0;
        std::optional<result<execution::WorkerDirective>> pending_;
    };

    /// Parses a request the services received as bytes. (gRPC's own parsing would answer a
    /// malformed request `UNIMPLEMENTED` on callback methods.)
    template <class M>
    static bool parse_request(const ::grpc::ByteBuffer& in, M& out) {
        ::grpc::ByteBuffer copy(in);   // shares the slices
        return ::grpc::SerializationTraits<M>::Deserialize(&copy, &out).ok();
    }

    /// Opens a stream, refused when the server stops or is full, or when `body` says so.
    template <class Body>
    ::grpc::ServerWriteReactor<::grpc::ByteBuffer>* open_stream(Body body) {
        auto* stream = new Stream(*this);
        if (stopping()) stream->refuse(::grpc::Status(::grpc::UNAVAILABLE, "the scheduler is shutting down"));
        else if (!stream->admitted())
            stream->refuse(::grpc::Status(::grpc::RESOURCE_EXHAUSTED,
                                          "the scheduler has " + std::to_string(stream_.max_streams) +
                                              " streams open already; try again later"));
        else body(*stream);
        return stream;
    }

    class ExecutionService final
        : public ::bonanza::remoteexecution::Execution::WithRawCallbackMethod_Execute<
              ::bonanza::remoteexecution::Execution::WithRawCallbackMethod_WaitExecution<
                  ::bonanza::remoteexecution::Execution::Service>> {
    public:
        explicit ExecutionService(SchedulerServer& s) : s_(s) {}
        ::grpc::ServerWriteReactor<::grpc::ByteBuffer>* Execute(::grpc::CallbackServerContext*,
                                                                const ::grpc::ByteBuffer* bytes) override {
            return s_.open_stream([&](Stream& stream) {
                ::bonanza::remoteexecution::ExecuteRequest request;
                if (!parse_request(*bytes, request))
                    return stream.refuse(::grpc::Status(::grpc::INVALID_ARGUMENT,
                                                        "not a well-formed bonanza.remoteexecution.ExecuteRequest"));
                if (!request.has_action())
                    return stream.refuse(::grpc::Status(::grpc::INVALID_ARGUMENT, "the request has no action"));
                // The scheduler reads the action with the strict codec, from its deterministic
                // encoding: unknown fields are refused there.
                auto sub = s_.scheduler_->submit(detail::serialize(request.action()), request.priority());
                if (!sub) return stream.refuse(detail::to_status(sub.error()));
                stream.follow(std::move(*sub));
            });
        }
        ::grpc::ServerWriteReactor<::grpc::ByteBuffer>* WaitExecution(::grpc::CallbackServerContext*,
                                                                      const ::grpc::ByteBuffer* bytes) override {
            return s_.open_stream([&](Stream& stream) {
                ::bonanza::remoteexecution::WaitExecutionRequest request;
                if (!parse_request(*bytes, request))
                    return stream.refuse(::grpc::Status(
                        ::grpc::INVALID_ARGUMENT, "not a well-formed bonanza.remoteexecution.WaitExecutionRequest"));
                auto sub = s_.scheduler_->attach(request.name());
                if (!sub) return stream.refuse(detail::to_status(sub.error()));
                stream.follow(std::move(*sub));
            });
        }

    private:
        SchedulerServer& s_;
    };

    class QueueService final
        : public ::bonanza::remoteworker::OperationQueue::WithRawCallbackMethod_Synchronize<
              ::bonanza::remoteworker::OperationQueue::Service> {
    public:
        explicit QueueService(SchedulerServer& s) : s_(s) {}
        ::grpc::ServerUnaryReactor* Synchronize(::grpc::CallbackServerContext* context, const ::grpc::ByteBuffer* bytes,
                                                ::grpc::ByteBuffer* response) override {
            ::bonanza::remoteworker::SynchronizeRequest request;
            if (!parse_request(*bytes, request)) {
                auto* r = context->DefaultReactor();
                r->Finish(::grpc::Status(::grpc::INVALID_ARGUMENT,
                                         "not a well-formed bonanza.remoteworker.SynchronizeRequest"));
                return r;
            }
            execution::WorkerSync q = detail::worker_sync(request);
            // Leave the worker time to receive the answer before its own deadline.
            const auto deadline = context->deadline();
            if (deadline != std::chrono::system_clock::time_point::max()) {
                const auto left = deadline - std::chrono::system_clock::now() - std::chrono::milliseconds(500);
                q.wait_until = std::chrono::steady_clock::now() +
                               std::chrono::duration_cast<std::chrono::steady_clock::duration>(left);
            }
            auto* sync = new Sync(s_, response);
            sync->begin(std::move(q));
            return sync;
        }

    private:
        SchedulerServer& s_;
    };

    std::shared_ptr<Scheduler> scheduler_;
    StreamOptions stream_;
    std::chrono::nanoseconds idle_poll_;   // SchedulerOptions::idle_poll
    ExecutionService execution_;
    QueueService queue_;
    std::unique_ptr<::grpc::Server> server_;
    int port_ = 0;
    std::mutex mutex_;
    std::condition_variable stopped_;
    bool stopping_ = false, nudged_ = false;
    SteadyTime wake_at_ = SteadyTime::max();
    std::thread ticker_;
    std::mutex streams_mutex_;
    std::set<std::shared_ptr<StreamCore>> streams_;
    std::atomic<std::size_t> open_streams_{0};
};

inline void SchedulerServer::poke(const std::shared_ptr<StreamCore>& core) {
    std::unique_lock lock(core->mutex);
    if (core->reactor) core->reactor->pump(lock);
}

inline void SchedulerServer::end_stream(const std::shared_ptr<StreamCore>& core, ::grpc::Status status) {
    std::unique_lock lock(core->mutex);
    if (core->reactor) core->reactor->end(lock, std::move(status));
}

} // namespace sealpipe::net

#endif // SEALPIPE_NET_SCHEDULER_SERVER_HPP
