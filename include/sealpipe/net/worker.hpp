// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `RemoteWorker`: the worker role (execution/worker.hpp) synchronizing with a scheduler over
// gRPC with Bonanza's `Synchronize`: it proves its platform keys, opens the actions it is
// sent, runs them on a thread of their own and reports their events (doc/execution.md,
// "Over the network").

#ifndef SEALPIPE_NET_WORKER_HPP
#define SEALPIPE_NET_WORKER_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/execution/messages.hpp>
#include <sealpipe/execution/worker.hpp>
#include <sealpipe/keys/key.hpp>
#include <sealpipe/keys/proof.hpp>
#include <sealpipe/net/detail/convert.hpp>
#include <sealpipe/net/detail/queue_messages.hpp>
#include <sealpipe/net/options.hpp>

#include <bonanza/remoteworker/remoteworker.grpc.pb.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sealpipe::net {

/// How a `RemoteWorker` presents itself and paces its calls.
struct WorkerOptions {
    /// The worker_id map (the scheduler tells workers apart by it).
    std::map<std::string, std::string> worker_id;
    /// Bonanza's size class; the largest class sends completion events for failed runs too.
    std::uint32_t size_class = 0;
    /// The deadline of one `Synchronize` call (an idle worker's call is held up to the
    /// scheduler's idle poll, so this should exceed it).
    std::chrono::milliseconds call_timeout{std::chrono::seconds(90)};
    /// Waits between failed calls: doubles from the first to the second.
    std::chrono::milliseconds initial_backoff{100};
    std::chrono::milliseconds max_backoff{5000};
    /// The shortest time between two reports that carry a new execution event (a report is
    /// due earlier only when the run ends).
    std::chrono::milliseconds event_interval{100};
};

/// What the code running an action tells the worker as it goes.
class Progress {
public:
    /// Sends `plaintext` as the latest execution event (at the next synchronization).
    void event(ByteView plaintext) {
        auto e = responder_.execution_event(plaintext);
        if (!e) return;
        {
            std::lock_guard lock(*mutex_);
            *latest_ = e->encode();
        }
        if (on_event_) on_event_();
    }
    /// True once the scheduler asked to stop (the client went away, or the worker stops).
    [[nodiscard]] bool cancelled() const noexcept { return cancelled_->load(); }

private:
    friend class RemoteWorker;
    Progress(execution::Responder r, std::shared_ptr<std::mutex> m, std::shared_ptr<Bytes> latest,
             std::shared_ptr<std::atomic<bool>> c, std::function<void()> on_event)
        : responder_(std::move(r)), mutex_(std::move(m)), latest_(std::move(latest)), cancelled_(std::move(c)),
          on_event_(std::move(on_event)) {}
    execution::Responder responder_;
    std::shared_ptr<std::mutex> mutex_;
    std::shared_ptr<Bytes> latest_;
    std::shared_ptr<std::atomic<bool>> cancelled_;
    std::function<void()> on_event_;
};

/// An action sent to this worker, verified and opened.
struct RemoteTask {
    std::string uuid;
    execution::OpenedAction action;
    /// The scheduler's limit, within [0, the action's timeout].
    std::chrono::nanoseconds effective_timeout{};
};

/// How a run ended.
struct Outcome {
    enum class Result { succeeded = 0, timed_out = 1, failed = 2 };
    Result result = Result::succeeded;
    /// The completion event's plaintext.
    Bytes plaintext;
    /// Send the completion event (a worker of the largest size class always does).
    bool send_completion = true;
    std::chrono::nanoseconds virtual_duration{};
};

/// Runs one action: called on a thread of its own.
using Runner = std::function<Outcome(const RemoteTask&, Progress&)>;

/** The worker role connected to a scheduler over gRPC. `run` synchronizes until `stop`
    becomes true, retrying with backoff while the scheduler cannot be reached. */
class RemoteWorker {
public:
    /** @par Errors those of `make_channel`. */
    [[nodiscard]] static result<RemoteWorker> connect(execution::Worker worker, const ChannelOptions& channel,
                                                      WorkerOptions options = {}) {
        auto ch = make_channel(channel);
        if (!ch) return ch.error();
        return RemoteWorker(std::move(worker), std::move(*ch), std::move(options));
    }

    /** Synchronizes and runs actions with `runner` until `stop` is set (then `wake()` makes
        it notice at once), then abandons the current run, tells the scheduler (a rejection
        with UNAVAILABLE, so that its client learns at once) and makes one last call with
        `prefer_being_idle`. Failed calls are retried with backoff.
        @par Errors `errc::internal` when the scheduler refuses the worker's own requests
        (INVALID_ARGUMENT: a protocol mismatch that retrying cannot fix). */
    [[nodiscard]] result<void> run(const Runner& runner, const std::atomic<bool>& stop) {
        using namespace ::bonanza::remoteworker;
        auto keys = worker_.platform_public_keys();
        std::sort(keys.begin(), keys.end(), [](const Bytes& a, const Bytes& b) {
            return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
        });
        std::vector<Bytes> zeros(keys.size());
        CurrentState state;
        state.mutable_idle();
        auto backoff = options_.initial_backoff;
        bool last_call = false;
        for (;;) {
            if (stop.load() && !last_call) {
                if (running_) {
                    abandon();
                    auto* r = state.mutable_rejected();
                    r->set_task_uuid(current_uuid_);
                    r->mutable_reason()->set_code(::grpc::UNAVAILABLE);
                    r->mutable_reason()->set_message("the worker is shutting down");
                }
                last_call = true;
            }
            SynchronizeRequest request;
            for (const auto& [k, v] : options_.worker_id) (*request.mutable_worker_id())[k] = v;
            for (std::size_t i = 0; i < keys.size(); ++i) {
                auto* k = request.add_public_keys();
                k->set_pkix_public_key(keys[i].data(), keys[i].size());
                k->set_verification_zeros(zeros[i].data(), zeros[i].size());
            }
            request.set_size_class(options_.size_class);
            *request.mutable_current_state() = state;
            request.set_prefer_being_idle(last_call);

            SynchronizeResponse response;
            ::grpc::ClientContext context;
            context.set_deadline(std::chrono::system_clock::now() + options_.call_timeout);
            {
                std::lock_guard lock(mutex_);
                call_ = &context;
            }
            const ::grpc::Status status = stub_->Synchronize(&context, request, &response);
            {
                std::lock_guard lock(mutex_);
                call_ = nullptr;
            }
            if (!status.ok()) {
                if (status.error_code() == ::grpc::INVALID_ARGUMENT) {
                    abandon();
                    return fail(errc::internal, "the scheduler refused this worker: " + status_error(status).message());
                }
                if (last_call) {
                    abandon();
                    return {};
                }
                // Unreachable, restarted, or busy: try again later (a restarted scheduler asks
                // for new proofs).
                std::unique_lock lock(mutex_);
                wake_.wait_for(lock, backoff, [&] { return stop.load(); });
                backoff = std::min(backoff * 2, options_.max_backoff);
                continue;
            }
            backoff = options_.initial_backoff;
            if (last_call) {
                abandon();
                return {};
            }

            if (response.has_desired_state()) {
                const DesiredState& d = response.desired_state();
                switch (d.worker_state_case()) {
                case DesiredState::kVerifyingPublicKeys: {
                    auto z = detail::prove(worker_, keys, d.verifying_public_keys());
                    if (!z) {
                        abandon();
                        return std::move(z).error().context("proof of possession");
                    }
                    zeros = std::move(*z);
                    continue;   // again at once, with the proofs
                }
                case DesiredState::kIdle:
                    abandon();
                    state.Clear();
                    state.mutable_idle();
                    break;
                case DesiredState::kExecuting:
                    abandon();
                    state = start(d.executing(), runner);
                    break;
                case DesiredState::WORKER_STATE_NOT_SET: break;
                }
            }
            if (!running_) continue;   // idle: call again at once (the scheduler paces by blocking)

            // Executing: report by next_synchronization_at, when a new event comes (at most
            // every event_interval), or as soon as the run ends.
            const auto next = response.has_next_synchronization_at()
                                   ? detail::time_point(response.next_synchronization_at())
                                   : std::chrono::system_clock::now();
            std::unique_lock lock(mutex_);
            const auto soonest = std::chrono::system_clock::now() + options_.event_interval;
            wake_.wait_until(lock, std::min(next, soonest), [&] { return run_done_ || stop.load(); });
            if (!run_done_ && !stop.load() && !new_event_)
                wake_.wait_until(lock, next, [&] { return run_done_ || new_event_ || stop.load(); });
            new_event_ = false;
            Bytes latest;
            {
                std::lock_guard event_lock(*event_mutex_);
                latest = *latest_event_;
            }
            if (run_done_ && latest == sent_event_) {
                lock.unlock();
                state = complete();
            } else {
                // The latest event first, even when the run has ended: the client sees it.
                state.Clear();
                auto* e = state.mutable_executing();
                e->set_task_uuid(current_uuid_);
                if (!latest.empty()) detail::parse(latest, *e->mutable_event());
                sent_event_ = std::move(latest);
            }
        }
    }

    /// Makes a `run` waiting between calls look at its stop flag now, and ends a call in progress.
    void wake() {
        std::lock_guard lock(mutex_);
        if (call_) call_->TryCancel();
        wake_.notify_all();
    }

    RemoteWorker(RemoteWorker&& o) noexcept
        : worker_(std::move(o.worker_)), channel_(std::move(o.channel_)), stub_(std::move(o.stub_)),
          options_(std::move(o.options_)) {}
    ~RemoteWorker() {
        abandon();
        {
            std::lock_guard lock(mutex_);
            quit_ = true;
        }
        job_ready_.notify_all();
        if (runner_.joinable()) runner_.join();
    }

private:
    RemoteWorker(execution::Worker w, std::shared_ptr<::grpc::Channel> ch, WorkerOptions o)
        : worker_(std::move(w)), channel_(std::move(ch)),
          stub_(::bonanza::remoteworker::OperationQueue::NewStub(channel_)), options_(std::move(o)) {}

    /// Opens the action and starts its run, or answers with a rejection.
    ::bonanza::remoteworker::CurrentState start(const ::bonanza::remoteworker::DesiredState::Executing& e,
                                                const Runner& runner) {
        ::bonanza::remoteworker::CurrentState state;
        auto reject = [&](const std::string& why) {
            auto* r = state.mutable_rejected();
            r->set_task_uuid(e.task_uuid());
            r->mutable_reason()->set_code(::grpc::INVALID_ARGUMENT);
            r->mutable_reason()->set_message(why);
            return state;
        };
        auto opened = worker_.open(detail::serialize(e.action()), std::chrono::system_clock::now());
        if (!opened) return reject(opened.error().message());
        const auto limit = opened->additional_data.execution_timeout->to_chrono();
        const auto effective = e.has_effective_execution_timeout() ? detail::nanoseconds(e.effective_execution_timeout())
                                                                   : limit;
        if (effective < std::chrono::nanoseconds::zero() || effective > limit)
            return reject("the effective execution timeout is outside [0, the action's execution timeout]");
        current_uuid_ = e.task_uuid();
        auto task = std::make_shared<RemoteTask>(RemoteTask{e.task_uuid(), std::move(*opened), effective});
        latest_event_ = std::make_shared<Bytes>();
        cancel_ = std::make_shared<std::atomic<bool>>(false);
        auto event_mutex = std::make_shared<std::mutex>();
        event_mutex_ = event_mutex;
        sent_event_.clear();
        Progress progress(task->action.responder, event_mutex, latest_event_, cancel_, [this] {
            std::lock_guard lock(mutex_);
            new_event_ = true;
            wake_.notify_all();
        });
        run_done_ = false;
        running_ = true;
        task_ = task;
        launch([this, task, progress, &runner]() mutable {
            Outcome o = runner(*task, progress);
            std::lock_guard lock(mutex_);
            outcome_ = std::move(o);
            run_done_ = true;
            wake_.notify_all();
        });
        auto* x = state.mutable_executing();
        x->set_task_uuid(e.task_uuid());
        return state;
    }

    /// Hands `job` to the thread that runs actions (started on the first run and kept: a
    /// thread per action cost more than a short action).
    void launch(std::function<void()> job) {
        std::lock_guard lock(mutex_);
        job_ = std::move(job);
        if (!runner_.joinable()) runner_ = std::thread([this] { run_jobs(); });
        job_ready_.notify_all();
    }

    void run_jobs() {
        std::unique_lock lock(mutex_);
        for (;;) {
            job_ready_.wait(lock, [&] { return job_ != nullptr || quit_; });
            if (quit_) return;
            auto job = std::move(job_);
            job_ = nullptr;
            lock.unlock();
            job();   // sets run_done_ under the mutex
            job = nullptr;
            lock.lock();
        }
    }

    /// Waits until the current run has returned.
    void wait_for_run() {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return run_done_; });
    }

    /// The finished run's report.
    ::bonanza::remoteworker::CurrentState complete() {
        wait_for_run();
        running_ = false;
        ::bonanza::remoteworker::CurrentState state;
        auto* c = state.mutable_completed();
        c->set_task_uuid(current_uuid_);
        c->set_result(static_cast<::bonanza::remoteworker::CurrentState::Completed::Result>(outcome_.result));
        *c->mutable_virtual_execution_duration() = detail::duration(outcome_.virtual_duration);
        if (outcome_.send_completion) {
            auto e = task_->action.responder.completion_event(outcome_.plaintext);
            if (e) detail::parse(e->encode(), *c->mutable_event());
        }
        wipe(MutableByteView(outcome_.plaintext));
        task_.reset();
        return state;
    }

    /// Stops the current run, if any, and waits for its thread.
    void abandon() {
        if (!running_) return;
        cancel_->store(true);
        wait_for_run();
        running_ = false;
        task_.reset();
    }

    execution::Worker worker_;
    std::shared_ptr<::grpc::Channel> channel_;
    std::unique_ptr<::bonanza::remoteworker::OperationQueue::Stub> stub_;
    WorkerOptions options_;

    std::mutex mutex_;
    std::condition_variable wake_;
    ::grpc::ClientContext* call_ = nullptr;
    bool running_ = false, run_done_ = false, new_event_ = false;
    Bytes sent_event_;
    std::string current_uuid_;
    std::shared_ptr<RemoteTask> task_;
    std::shared_ptr<Bytes> latest_event_ = std::make_shared<Bytes>();
    std::shared_ptr<std::mutex> event_mutex_ = std::make_shared<std::mutex>();
    std::shared_ptr<std::atomic<bool>> cancel_ = std::make_shared<std::atomic<bool>>(false);
    std::condition_variable job_ready_;
    std::function<void()> job_;
    bool quit_ = false;
    std::thread runner_;   // runs the actions, one at a time
    Outcome outcome_;
};

} // namespace sealpipe::net

#endif // SEALPIPE_NET_WORKER_HPP
