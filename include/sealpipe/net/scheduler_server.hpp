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
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

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
    on gRPC's threads until `shutdown()` (or destruction). */
class SchedulerServer {
public:
    using Scheduler = execution::Scheduler<transport::InProcess>;

    explicit SchedulerServer(execution::SchedulerOptions options = bonanza_scheduler_options(),
                             StreamOptions stream = {},
                             execution::TimeSource clock = [] { return std::chrono::steady_clock::now(); })
        : scheduler_(std::make_shared<Scheduler>(options, std::move(clock))), stream_(stream), execution_(*this),
          queue_(*this) {}
    SchedulerServer(const SchedulerServer&) = delete;
    SchedulerServer& operator=(const SchedulerServer&) = delete;
    ~SchedulerServer() { shutdown(); }

    /** Listens and serves. @par Errors as `detail::build_server`. */
    [[nodiscard]] result<void> start(const ServerOptions& o) {
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
    bool stopping() {
        std::lock_guard lock(mutex_);
        return stopping_;
    }

    void tick_loop() {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            lock.unlock();
            scheduler_->tick();
            lock.lock();
            stopped_.wait_for(lock, stream_.tick, [&] { return stopping_; });
        }
    }

    /// Follows one subscription on an Execute or WaitExecution stream until it ends.
    ::grpc::Status follow(::grpc::ServerContext* context, Scheduler::Subscription& sub,
                          ::grpc::ServerWriter<::bonanza::remoteexecution::ExecuteResponse>* writer) {
        using Response = ::bonanza::remoteexecution::ExecuteResponse;
        auto stage_message = [&](const execution::Stage& s) {
            Response r;
            r.set_name(sub.name());
            if (s.running) {
                auto* e = r.mutable_executing();
                if (!s.last_event.empty()) detail::parse(s.last_event, *e->mutable_last_event());
            } else {
                r.mutable_queued();
            }
            return r;
        };
        auto end = [&](const execution::Update& u) -> ::grpc::Status {
            if (u.kind == execution::Update::Kind::failed) return detail::to_status(u.status);
            Response r;
            r.set_name(sub.name());
            auto* c = r.mutable_completed();
            if (!u.event.empty()) detail::parse(u.event, *c->mutable_completion_event());
            writer->Write(r);
            return ::grpc::Status::OK;
        };
        if (sub.initial_stage().final) return end(*sub.initial_stage().final);
        // The first message at once: queued, or executing when a worker already has it.
        if (!writer->Write(stage_message(sub.stage()))) return ::grpc::Status(::grpc::CANCELLED, "client went away");
        auto keepalive_at = std::chrono::steady_clock::now() + stream_.keepalive;
        for (;;) {
            const auto now = std::chrono::steady_clock::now();
            auto u = sub.next(std::min(keepalive_at, now + stream_.cancel_check));
            if (u) {
                if (u->kind == execution::Update::Kind::execution_event) {
                    Response r;
                    r.set_name(sub.name());
                    detail::parse(u->event, *r.mutable_executing()->mutable_last_event());
                    if (!writer->Write(r)) return ::grpc::Status(::grpc::CANCELLED, "client went away");
                    keepalive_at = std::chrono::steady_clock::now() + stream_.keepalive;
                    continue;
                }
                return end(*u);
            }
            if (u.error() == errc::cancelled) return ::grpc::Status(::grpc::UNAVAILABLE, "the operation ended");
            if (context->IsCancelled()) return ::grpc::Status(::grpc::CANCELLED, "client went away");
            if (stopping()) return ::grpc::Status(::grpc::UNAVAILABLE, "the scheduler is shutting down");
            if (std::chrono::steady_clock::now() >= keepalive_at) {
                if (!writer->Write(stage_message(sub.stage())))
                    return ::grpc::Status(::grpc::CANCELLED, "client went away");
                keepalive_at = std::chrono::steady_clock::now() + stream_.keepalive;
            }
        }
    }

    class ExecutionService final : public ::bonanza::remoteexecution::Execution::Service {
    public:
        explicit ExecutionService(SchedulerServer& s) : s_(s) {}
        ::grpc::Status Execute(::grpc::ServerContext* context, const ::bonanza::remoteexecution::ExecuteRequest* request,
                               ::grpc::ServerWriter<::bonanza::remoteexecution::ExecuteResponse>* writer) override {
            if (!request->has_action()) return ::grpc::Status(::grpc::INVALID_ARGUMENT, "the request has no action");
            // The scheduler reads the action with the strict codec, from its deterministic
            // encoding: unknown fields are refused there.
            auto sub = s_.scheduler_->submit(detail::serialize(request->action()), request->priority());
            if (!sub) return detail::to_status(sub.error());
            return s_.follow(context, *sub, writer);
        }
        ::grpc::Status WaitExecution(::grpc::ServerContext* context,
                                     const ::bonanza::remoteexecution::WaitExecutionRequest* request,
                                     ::grpc::ServerWriter<::bonanza::remoteexecution::ExecuteResponse>* writer) override {
            auto sub = s_.scheduler_->attach(request->name());
            if (!sub) return detail::to_status(sub.error());
            return s_.follow(context, *sub, writer);
        }

    private:
        SchedulerServer& s_;
    };

    class QueueService final : public ::bonanza::remoteworker::OperationQueue::Service {
    public:
        explicit QueueService(SchedulerServer& s) : s_(s) {}
        ::grpc::Status Synchronize(::grpc::ServerContext* context, const ::bonanza::remoteworker::SynchronizeRequest* request,
                                   ::bonanza::remoteworker::SynchronizeResponse* response) override {
            execution::WorkerSync q = detail::worker_sync(*request);
            // Leave the worker time to receive the answer before its own deadline.
            const auto deadline = context->deadline();
            if (deadline != std::chrono::system_clock::time_point::max()) {
                const auto left = deadline - std::chrono::system_clock::now() - std::chrono::milliseconds(500);
                q.wait_until = std::chrono::steady_clock::now() +
                               std::chrono::duration_cast<std::chrono::steady_clock::duration>(left);
            }
            auto d = s_.scheduler_->synchronize_worker(std::move(q));
            if (!d) return detail::to_status(d.error());
            detail::synchronize_response(*d, *response);
            return ::grpc::Status::OK;
        }

    private:
        SchedulerServer& s_;
    };

    std::shared_ptr<Scheduler> scheduler_;
    StreamOptions stream_;
    ExecutionService execution_;
    QueueService queue_;
    std::unique_ptr<::grpc::Server> server_;
    int port_ = 0;
    std::mutex mutex_;
    std::condition_variable stopped_;
    bool stopping_ = false;
    std::thread ticker_;
};

} // namespace sealpipe::net

#endif // SEALPIPE_NET_SCHEDULER_SERVER_HPP
