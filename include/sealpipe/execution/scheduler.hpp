// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The untrusted scheduler (doc/protocol.md, "Scheduler services"): `Scheduler<Transport>` routes actions to
// workers by platform public key after a proof of possession, deduplicates identical zero-nonce actions
// in flight, enforces execution timeouts, requeues the action of a vanished worker and
// cancels actions whose clients went away. It reads nothing but routing data and
// AdditionalData.

#ifndef SEALPIPE_EXECUTION_SCHEDULER_HPP
#define SEALPIPE_EXECUTION_SCHEDULER_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/execution/messages.hpp>
#include <sealpipe/keys/ecdh.hpp>
#include <sealpipe/keys/key.hpp>
#include <sealpipe/keys/proof.hpp>
#include <sealpipe/transport/concepts.hpp>
#include <sealpipe/transport/rpc.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace sealpipe::execution {

/// The scheduler's time source: a function returning the monotonic time (injectable for tests).
using TimeSource = std::function<std::chrono::steady_clock::time_point()>;

/** A clock that moves only when told to: deterministic, fast timeout tests. Thread-safe;
    copies share the same time. */
class ManualClock {
public:
    ManualClock() : ticks_(std::make_shared<std::atomic<std::int64_t>>(0)) {}
    [[nodiscard]] std::chrono::steady_clock::time_point now() const noexcept {
        return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(ticks_->load()));
    }
    void advance(std::chrono::nanoseconds d) noexcept { ticks_->fetch_add(d.count()); }
    /// As a `TimeSource`.
    [[nodiscard]] TimeSource time_source() const {
        return [t = ticks_] { return std::chrono::steady_clock::time_point(std::chrono::nanoseconds(t->load())); };
    }

private:
    std::shared_ptr<std::atomic<std::int64_t>> ticks_;
};

/// A worker's name, chosen by the worker (Bonanza: its worker_id map).
using WorkerId = std::string;
/// An action in flight, numbered by the scheduler.
using TaskId = std::uint64_t;

/// Limits and durations of a scheduler.
struct SchedulerOptions {
    /// A worker that does not contact the scheduler for this long has vanished: its action
    /// is requeued.
    std::chrono::nanoseconds worker_lease = std::chrono::seconds(30);
    /// Updates buffered per client; progress events beyond it are dropped (the final
    /// update always has room).
    std::size_t client_queue_capacity = 16;
    /// Actions waiting per platform; beyond it `submit` is refused (back-pressure).
    std::size_t max_queued_per_platform = 4096;
    /// The largest Action accepted.
    std::size_t max_action_bytes = std::size_t{4} << 20;
    /// Requests waiting in the scheduler's inbox (`connect()`); beyond it, callers wait
    /// until their deadline (back-pressure).
    std::size_t inbox_capacity = 256;
    /// How often `run()` applies deadlines (`tick()`) when no request arrives.
    std::chrono::milliseconds tick_interval{50};
};

/// What a client receives about its action.
struct Update {
    enum class Kind {
        execution_event,   ///< `event` holds an encoded Event (purpose 2)
        completion_event,  ///< `event` holds the encoded completion Event (purpose 3); final
        failed,            ///< `error` says why (timed_out, ...); final
    };
    Kind kind = Kind::failed;
    Bytes event;
    Error error;
};

/// The scheduler's challenge to a synchronizing worker: per announced platform key, in
/// order, the PKIX DER of the scheduler's ephemeral public key of the same curve.
struct Challenge {
    std::vector<Bytes> ephemeral_public_keys;
};

/// An action handed to a worker.
struct Assignment {
    TaskId task = 0;
    Bytes action;                       ///< the Action bytes as the client sent them
    Bytes platform_pkix_public_key;     ///< the queue it came from
    std::chrono::nanoseconds execution_timeout{};
};

/// The requests endpoints send to the scheduler through a transport: one per scheduler
/// operation, carrying its arguments (what a network transport serialises).
namespace request {
/// A client submits Action bytes (`Scheduler::submit`).
struct Submit {
    Bytes action;
};
/// A worker announces its platform keys (`Scheduler::synchronize`).
struct Synchronize {
    WorkerId worker;
    std::vector<Bytes> platform_keys;
};
/// A worker answers the challenge (`Scheduler::prove`).
struct Prove {
    WorkerId worker;
    std::vector<keys::VerificationZeros> proofs;
};
/// A worker asks for work (`Scheduler::next_action`).
struct NextAction {
    WorkerId worker;
};
/// A worker renews its lease (`Scheduler::heartbeat`).
struct Heartbeat {
    WorkerId worker;
    std::optional<TaskId> task;
};
/// A worker forwards an event (`Scheduler::execution_event`, or `complete` when `final`).
struct Report {
    WorkerId worker;
    TaskId task = 0;
    Bytes event;
    bool final = false;
};
/// A worker refuses an action (`Scheduler::reject`).
struct Reject {
    WorkerId worker;
    TaskId task = 0;
    Error reason;
};
} // namespace request

/// Any request to the scheduler.
using Request = std::variant<request::Submit, request::Synchronize, request::Prove, request::NextAction,
                             request::Heartbeat, request::Report, request::Reject>;

/// Counters, for tests and monitoring.
struct SchedulerStats {
    std::size_t queued = 0, running = 0, workers = 0, proven_workers = 0;
    std::size_t deduplicated = 0, requeued = 0, timed_out = 0, cancelled = 0, dropped_progress = 0;
    std::size_t proofs_failed = 0;
};

/** The scheduler, thread-safe. Clients `submit` Action bytes and receive `Update`s through a
    `Subscription` (a `Transport` channel); workers `synchronize`, `prove` possession of each
    platform key, then poll with `next_action`, report events and `complete`. Deadlines are
    checked on every call and by `tick()`.

    The scheduler decodes an Action only to read `platform_pkix_public_key` (routing),
    `nonce` (whether deduplication applies) and `additional_data` (timeout). */
template <class Transport>
class Scheduler {
    static_assert((transport::check_transport<Transport>(), true));   // reports the first missing part
    using T_ = transport::checked_t<Transport>;   // an inert stand-in once a mistake is reported

public:
    using Channel = typename T_::template Channel<Update>;

private:
    struct State;

public:
    /** A client's handle on a submitted action. Destroying it (or `cancel()`) withdraws the
        client; when no client is left the action is removed from its queue or its worker
        is told to stop. Move-only. */
    class Subscription {
    public:
        Subscription(Subscription&& o) noexcept
            : state_(std::move(o.state_)), task_(o.task_), id_(o.id_), channel_(std::move(o.channel_)) {
            o.state_.reset();
        }
        Subscription& operator=(Subscription&& o) noexcept {
            if (this != &o) {
                cancel();
                state_ = std::move(o.state_);
                o.state_.reset();
                task_ = o.task_;
                id_ = o.id_;
                channel_ = std::move(o.channel_);
            }
            return *this;
        }
        Subscription(const Subscription&) = delete;
        Subscription& operator=(const Subscription&) = delete;
        ~Subscription() { cancel(); }

        /** The next update, waiting until `deadline` (on the monotonic clock).
            @par Errors `errc::timed_out` (nothing yet), `errc::cancelled` (the final
            update was already received, or the subscription was cancelled). */
        [[nodiscard]] result<Update> next(transport::Deadline deadline) { return channel_->receive(deadline); }
        /// The next update if one is waiting. @par Errors as `next`.
        [[nodiscard]] result<Update> try_next() { return channel_->try_receive(); }

        /// The action this subscription follows (shared by deduplicated clients).
        [[nodiscard]] TaskId task() const noexcept { return task_; }

        /// Withdraws this client (idempotent).
        void cancel() noexcept {
            if (auto s = state_.lock()) s->withdraw(task_, id_);
            state_.reset();
        }

    private:
        friend class Scheduler;
        Subscription(std::weak_ptr<State> s, TaskId t, std::uint64_t id, std::shared_ptr<Channel> c)
            : state_(std::move(s)), task_(t), id_(id), channel_(std::move(c)) {}
        std::weak_ptr<State> state_;
        TaskId task_ = 0;
        std::uint64_t id_ = 0;
        std::shared_ptr<Channel> channel_;
    };

    /// The answer to a `Request`: nothing, a `Challenge`, an optional `Assignment` or, for a
    /// submitted action, the client's `Subscription`.
    using Reply = std::variant<std::monostate, Challenge, std::optional<Assignment>, Subscription>;
    /// An endpoint's connection to the scheduler through `Transport` (cheap to copy).
    using Connection = transport::Caller<T_, Request, Reply>;

    explicit Scheduler(SchedulerOptions options = {}, TimeSource clock = [] { return std::chrono::steady_clock::now(); })
        : state_(std::make_shared<State>(options, std::move(clock))), service_(options.inbox_capacity),
          tick_interval_(options.tick_interval) {}

    // --- through the transport -----------------------------------------------------------

    /// A connection for a `ClientEndpoint` or `WorkerEndpoint` (endpoints.hpp).
    [[nodiscard]] Connection connect() const noexcept { return service_.caller(); }

    /** Answers requests from connections until `shutdown()`, applying deadlines (`tick()`)
        at least every `SchedulerOptions::tick_interval`. Run it on a thread of its own. */
    void run() {
        auto handler = [this](Request&& r) { return handle(std::move(r)); };
        while (service_.serve_until(handler, std::chrono::steady_clock::now() + tick_interval_)) tick();
    }

    /// Answers requests until `deadline` (or `shutdown()`); `true` when the deadline passed.
    bool serve_until(transport::Deadline deadline) {
        auto handler = [this](Request&& r) { return handle(std::move(r)); };
        return service_.serve_until(handler, deadline);
    }

    /// Refuses further requests: `run()` returns once the queued ones are answered.
    void shutdown() { service_.close(); }

    /** Performs one request: the operation of the same name, with the same errors. A
        transport's server calls it for every message it receives. */
    [[nodiscard]] result<Reply> handle(Request&& r) {
        return std::visit([this](auto&& q) { return this->dispatch(std::move(q)); }, std::move(r));
    }

    // --- clients ------------------------------------------------------------------------

    /** Queues an action for the workers of its platform key, or joins an identical
        zero-nonce action already in flight.
        @par Errors `errc::malformed_input` (not an Action; no additional data or execution
        timeout), `errc::invalid_argument` (a negative or invalid timeout; zero is valid and
        times out as soon as a worker takes the action),
        `errc::size_limit_exceeded` (larger than `max_action_bytes`),
        `errc::unknown_platform_key` (no worker ever proved this key),
        `errc::timed_out` (the platform queue is full: back-pressure). */
    [[nodiscard]] result<Subscription> submit(ByteView action_bytes) { return state_->submit(state_, action_bytes); }

    // --- workers ------------------------------------------------------------------------

    /** Registers (or re-registers) a worker announcing platform public keys (PKIX DER,
        X25519 or P-256; Ed25519 keys are announced converted) and returns the challenge.
        Until it proves every key, the worker receives nothing.
        @par Errors `errc::invalid_argument` (no keys, duplicates), `errc::invalid_key`
        (not a PKIX key, or a type other than X25519 and P-256). */
    [[nodiscard]] result<Challenge> synchronize(const WorkerId& worker, std::vector<Bytes> platform_keys) {
        return state_->synchronize(worker, std::move(platform_keys));
    }

    /** Checks the worker's verification zeros, one per announced key in order (compared
        in constant time). A single wrong proof refuses the worker, which must synchronize
        again. @par Errors `errc::proof_failed`, `errc::invalid_argument` (no challenge
        pending, wrong count). */
    [[nodiscard]] result<void> prove(const WorkerId& worker, std::span<const keys::VerificationZeros> proofs) {
        return state_->prove(worker, proofs);
    }

    /** The oldest queued action among the worker's platform keys, if any. Renews the lease.
        @par Errors `errc::proof_failed` (not proven), `errc::invalid_argument` (still
        running an action). */
    [[nodiscard]] result<std::optional<Assignment>> next_action(const WorkerId& worker) {
        return state_->next_action(worker);
    }

    /** Renews the worker's lease. @par Errors `errc::cancelled` when `task` was cancelled
        or timed out: the worker must stop it; `errc::proof_failed` (unknown worker, e.g.
        after its lease ran out). */
    [[nodiscard]] result<void> heartbeat(const WorkerId& worker, std::optional<TaskId> task) {
        return state_->heartbeat(worker, task);
    }

    /** Forwards an execution event (encoded Event) to every client of `task`.
        @par Errors `errc::malformed_input` (not an Event), and those of `heartbeat`. */
    [[nodiscard]] result<void> execution_event(const WorkerId& worker, TaskId task, ByteView event) {
        return state_->report(worker, task, event, false);
    }

    /** Forwards the completion event to every client of `task` and frees the worker.
        @par Errors as `execution_event`. */
    [[nodiscard]] result<void> complete(const WorkerId& worker, TaskId task, ByteView event) {
        return state_->report(worker, task, event, true);
    }

    /** The worker could not verify, decrypt or parse the action (Bonanza's
        `CurrentState.Rejected`): every client receives a `failed` update carrying `reason`,
        and the worker is free. @par Errors as `heartbeat`. */
    [[nodiscard]] result<void> reject(const WorkerId& worker, TaskId task, Error reason) {
        return state_->reject(worker, task, std::move(reason));
    }

    /// Applies deadlines now: timed-out actions fail, vanished workers' actions are requeued.
    void tick() { state_->tick(); }

    [[nodiscard]] SchedulerStats stats() const { return state_->stats(); }

private:
    result<Reply> dispatch(request::Submit&& q) { return wrap(submit(q.action)); }
    result<Reply> dispatch(request::Synchronize&& q) { return wrap(synchronize(q.worker, std::move(q.platform_keys))); }
    result<Reply> dispatch(request::Prove&& q) { return wrap(prove(q.worker, q.proofs)); }
    result<Reply> dispatch(request::NextAction&& q) { return wrap(next_action(q.worker)); }
    result<Reply> dispatch(request::Heartbeat&& q) { return wrap(heartbeat(q.worker, q.task)); }
    result<Reply> dispatch(request::Report&& q) {
        return wrap(q.final ? complete(q.worker, q.task, q.event) : execution_event(q.worker, q.task, q.event));
    }
    result<Reply> dispatch(request::Reject&& q) { return wrap(reject(q.worker, q.task, std::move(q.reason))); }

    template <class T>
    static result<Reply> wrap(result<T>&& r) {
        if (!r) return std::move(r).error();
        return Reply(std::in_place_type<T>, std::move(*r));
    }
    static result<Reply> wrap(result<void>&& r) {
        if (!r) return std::move(r).error();
        return Reply(std::in_place_type<std::monostate>);
    }

    struct Subscriber {
        std::uint64_t id;
        std::shared_ptr<Channel> channel;
    };

    enum class TaskState { queued, running, abandoned };

    /// Orders byte strings by length, then content. (std::less<std::vector<unsigned char>>
    /// trips GCC 12's -Wstringop-overread at -O3.)
    struct BytesLess {
        bool operator()(const Bytes& a, const Bytes& b) const noexcept {
            if (a.size() != b.size()) return a.size() < b.size();
            return !a.empty() && std::memcmp(a.data(), b.data(), a.size()) < 0;
        }
    };

    struct Task {
        TaskId id = 0;
        Bytes action;
        Bytes platform;
        std::chrono::nanoseconds timeout{};
        std::optional<Bytes> dedup_key;
        std::vector<Subscriber> subscribers;
        TaskState state = TaskState::queued;
        WorkerId worker;
        std::chrono::steady_clock::time_point deadline{};
    };

    struct WorkerRecord {
        std::vector<Bytes> keys;
        std::vector<keys::AnyPublicKey> public_keys;
        std::vector<keys::AnyPrivateKey> ephemerals;   // one per key (shared per curve)
        bool proven = false;
        std::chrono::steady_clock::time_point lease{};
        std::optional<TaskId> current;
    };

    struct State {
        State(SchedulerOptions o, TimeSource c) : options(o), clock(std::move(c)) {}

        SchedulerOptions options;
        TimeSource clock;
        mutable std::mutex mutex;
        std::map<TaskId, Task> tasks;
        std::map<Bytes, std::deque<TaskId>, BytesLess> queues;   // by platform key PKIX DER
        std::map<Bytes, TaskId, BytesLess> in_flight;            // zero-nonce Action bytes → task
        std::map<WorkerId, WorkerRecord> workers;
        TaskId next_task = 1;
        std::uint64_t next_subscriber = 1;
        SchedulerStats counters;

        // -- clients --

        result<Subscription> submit(const std::shared_ptr<State>& self, ByteView bytes) {
            if (bytes.size() > options.max_action_bytes)
                return fail(errc::size_limit_exceeded, "action of " + std::to_string(bytes.size()) +
                                                            " bytes exceeds the scheduler's limit of " +
                                                            std::to_string(options.max_action_bytes));
            auto action = Action::decode(bytes);
            if (!action) return action.error();
            if (!action->additional_data)
                return fail(errc::malformed_input, "Action does not contain additional data");
            const auto& t = action->additional_data->execution_timeout;
            if (!t) return fail(errc::malformed_input, "Action does not contain an execution timeout");
            // Within [0, the maximum]: a zero timeout is valid and expires as soon as a worker
            // takes the action.
            if (!t->valid() || t->seconds < 0 || t->nanos < 0)
                return fail(errc::invalid_argument, "the execution timeout is not a valid non-negative duration");

            std::lock_guard lock(mutex);
            expire(clock());
            auto queue = queues.find(action->platform_pkix_public_key);
            if (queue == queues.end())
                return fail(errc::unknown_platform_key, "no worker has proven possession of this platform key");

            auto channel = T_::template make_channel<Update>(std::max<std::size_t>(options.client_queue_capacity, 2));
            const std::uint64_t sid = next_subscriber++;
            const bool zero_nonce = action->nonce.size() == 12 &&
                                    std::all_of(action->nonce.begin(), action->nonce.end(), [](Byte b) { return b == 0; });
            if (zero_nonce) {
                if (auto it = in_flight.find(to_bytes(bytes)); it != in_flight.end()) {
                    Task& task = tasks.at(it->second);
                    task.subscribers.push_back(Subscriber{sid, channel});
                    ++counters.deduplicated;
                    return Subscription(self, task.id, sid, std::move(channel));
                }
            }
            if (queue->second.size() >= options.max_queued_per_platform)
                return fail(errc::timed_out, "the platform queue is full (" +
                                                  std::to_string(options.max_queued_per_platform) +
                                                  " actions): back-pressure, retry later");
            Task task;
            task.id = next_task++;
            task.action = to_bytes(bytes);
            task.platform = action->platform_pkix_public_key;
            task.timeout = t->to_chrono();
            if (zero_nonce) {
                task.dedup_key = task.action;
                in_flight.emplace(task.action, task.id);
            }
            task.subscribers.push_back(Subscriber{sid, channel});
            queue->second.push_back(task.id);
            const TaskId id = task.id;
            tasks.emplace(id, std::move(task));
            return Subscription(self, id, sid, std::move(channel));
        }

        void withdraw(TaskId id, std::uint64_t sid) noexcept {
            std::lock_guard lock(mutex);
            auto it = tasks.find(id);
            if (it == tasks.end()) return;
            Task& task = it->second;
            auto& subs = task.subscribers;
            auto s = std::find_if(subs.begin(), subs.end(), [&](const Subscriber& x) { return x.id == sid; });
            if (s == subs.end()) return;
            s->channel->close();
            subs.erase(s);
            if (!subs.empty()) return;
            ++counters.cancelled;
            forget_dedup(task);
            if (task.state == TaskState::queued) {
                auto& q = queues[task.platform];
                q.erase(std::remove(q.begin(), q.end(), id), q.end());
                tasks.erase(it);
            } else {
                task.state = TaskState::abandoned;   // its worker is told at its next contact
            }
        }

        // -- workers --

        result<Challenge> synchronize(const WorkerId& id, std::vector<Bytes> platform_keys) {
            if (platform_keys.empty()) return fail(errc::invalid_argument, "a worker must announce a platform key");
            WorkerRecord rec;
            Challenge challenge;
            for (std::size_t i = 0; i < platform_keys.size(); ++i) {
                for (std::size_t j = 0; j < i; ++j)
                    if (platform_keys[i] == platform_keys[j])
                        return fail(errc::invalid_argument, "a platform key is announced twice");
                auto pub = keys::AnyPublicKey::from_der(platform_keys[i]);
                if (!pub) return std::move(pub.error()).context("announced platform key");
                if (!pub->is<keys::X25519>() && !pub->is<keys::P256>())
                    return fail(errc::invalid_key, "announced platform key: expected X25519 or P-256, got " +
                                                        std::string(pub->type_name()));
                // One ephemeral key per curve for this worker.
                std::optional<keys::AnyPrivateKey> eph;
                for (std::size_t j = 0; j < rec.public_keys.size(); ++j)
                    if (rec.public_keys[j].template is<keys::X25519>() == pub->is<keys::X25519>()) eph = rec.ephemerals[j];
                if (!eph) {
                    auto g = keys::AnyPrivateKey::generate(pub->is<keys::X25519>() ? "x25519" : "p256");
                    if (!g) return g.error();
                    eph = std::move(*g);
                }
                challenge.ephemeral_public_keys.push_back(eph->public_key().to_der());
                rec.ephemerals.push_back(std::move(*eph));
                rec.public_keys.push_back(std::move(*pub));
            }
            rec.keys = std::move(platform_keys);
            std::lock_guard lock(mutex);
            const auto now = clock();
            expire(now);
            rec.lease = now + options.worker_lease;
            if (auto old = workers.find(id); old != workers.end()) drop_worker(old);
            workers.insert_or_assign(id, std::move(rec));
            return challenge;
        }

        result<void> prove(const WorkerId& id, std::span<const keys::VerificationZeros> proofs) {
            std::lock_guard lock(mutex);
            auto it = workers.find(id);
            if (it == workers.end() || it->second.ephemerals.empty())
                return fail(errc::invalid_argument, "worker " + id + " has no pending challenge: synchronize first");
            WorkerRecord& w = it->second;
            if (proofs.size() != w.keys.size()) {
                Error e = fail(errc::invalid_argument, "expected " + std::to_string(w.keys.size()) +
                                                            " proofs, got " + std::to_string(proofs.size()));
                drop_worker(it);
                ++counters.proofs_failed;
                return e;
            }
            // Check every proof, without stopping early, so that the time does not say which failed.
            bool ok = true;
            for (std::size_t i = 0; i < proofs.size(); ++i) {
                auto secret = keys::ecdh(w.ephemerals[i], w.public_keys[i]);
                if (!secret) {
                    ok = false;
                    continue;
                }
                const bool good = std::visit(
                    [&](const auto& s) -> bool {
                        if constexpr (keys::is_aes_key_size<std::decay_t<decltype(s)>::size_bytes>)
                            return keys::check_verification_zeros(s, proofs[i]).has_value();
                        else
                            return false;
                    },
                    *secret);
                ok = ok && good;
            }
            if (!ok) {
                drop_worker(it);
                ++counters.proofs_failed;
                return fail(errc::proof_failed, "worker " + id + ": verification zeros do not match the announced "
                                                                  "platform keys");
            }
            w.ephemerals.clear();   // a challenge answers once
            w.proven = true;
            w.lease = clock() + options.worker_lease;
            for (const Bytes& k : w.keys) queues.try_emplace(k);
            return {};
        }

        result<std::optional<Assignment>> next_action(const WorkerId& id) {
            std::lock_guard lock(mutex);
            const auto now = clock();
            auto it = contact(id, now);
            if (!it) return it.error();
            WorkerRecord& w = (*it)->second;
            if (w.current) return fail(errc::invalid_argument, "worker " + id + " is still running an action");
            // The oldest task (smallest id) at the head of the worker's queues.
            std::deque<TaskId>* best = nullptr;
            for (const Bytes& k : w.keys) {
                auto& q = queues[k];
                if (!q.empty() && (!best || q.front() < best->front())) best = &q;
            }
            if (!best) return std::optional<Assignment>();
            Task& task = tasks.at(best->front());
            best->pop_front();
            task.state = TaskState::running;
            task.worker = id;
            // A timeout near Duration's 10,000-year maximum must not overflow the clock.
            const auto room = std::chrono::steady_clock::time_point::max() - now;
            task.deadline = task.timeout >= room ? std::chrono::steady_clock::time_point::max() : now + task.timeout;
            w.current = task.id;
            return std::optional<Assignment>(Assignment{task.id, task.action, task.platform, task.timeout});
        }

        result<void> heartbeat(const WorkerId& id, std::optional<TaskId> task) {
            std::lock_guard lock(mutex);
            auto it = contact(id, clock());
            if (!it) return it.error();
            if (task) {
                auto t = current_task(**it, *task);
                if (!t) return t.error();
            }
            return {};
        }

        result<void> report(const WorkerId& id, TaskId tid, ByteView event, bool final) {
            if (auto e = Event::decode(event); !e) return e.error();
            std::lock_guard lock(mutex);
            auto it = contact(id, clock());
            if (!it) return it.error();
            auto t = current_task(**it, tid);
            if (!t) return t.error();
            Task& task = **t;
            Update u;
            u.kind = final ? Update::Kind::completion_event : Update::Kind::execution_event;
            u.event = to_bytes(event);
            if (final) {
                finish(task, std::move(u));
                (*it)->second.current.reset();
                tasks.erase(tid);
            } else {
                for (Subscriber& s : task.subscribers) {
                    // Keep one slot free for the final update: progress is best effort.
                    if (s.channel->size() + 1 >= s.channel->capacity() || !s.channel->try_send(u)) ++counters.dropped_progress;
                }
            }
            return {};
        }

        result<void> reject(const WorkerId& id, TaskId tid, Error reason) {
            std::lock_guard lock(mutex);
            auto it = contact(id, clock());
            if (!it) return it.error();
            auto t = current_task(**it, tid);
            if (!t) return t.error();
            Update u;
            u.kind = Update::Kind::failed;
            u.error = std::move(reason);
            finish(**t, std::move(u));
            (*it)->second.current.reset();
            tasks.erase(tid);
            return {};
        }

        void tick() {
            std::lock_guard lock(mutex);
            expire(clock());
        }

        SchedulerStats stats() const {
            std::lock_guard lock(mutex);
            SchedulerStats s = counters;
            for (const auto& [id, t] : tasks) {
                if (t.state == TaskState::queued) ++s.queued;
                else if (t.state == TaskState::running) ++s.running;
            }
            s.workers = workers.size();
            s.proven_workers = static_cast<std::size_t>(
                std::count_if(workers.begin(), workers.end(), [](const auto& w) { return w.second.proven; }));
            return s;
        }

        // -- internals (mutex held) --

        using WorkerIt = typename std::map<WorkerId, WorkerRecord>::iterator;

        /// A worker's contact at `now`: deadlines applied, the worker proven, its lease renewed.
        result<WorkerIt> contact(const WorkerId& id, std::chrono::steady_clock::time_point now) {
            expire(now);
            auto it = proven(id);
            if (!it) return it.error();
            (*it)->second.lease = now + options.worker_lease;
            return it;
        }

        result<WorkerIt> proven(const WorkerId& id) {
            auto it = workers.find(id);
            if (it == workers.end() || !it->second.proven)
                return fail(errc::proof_failed, "worker " + id + " has not proven possession of its platform keys");
            return it;
        }

        /// The worker's running task `tid`, or `errc::cancelled` (and the worker is freed)
        /// when it was abandoned or timed out.
        result<Task*> current_task(typename std::map<WorkerId, WorkerRecord>::value_type& w, TaskId tid) {
            if (w.second.current != tid)
                return fail(errc::cancelled, "task " + std::to_string(tid) + " is not running on worker " + w.first +
                                                  ": stop it");
            auto t = tasks.find(tid);
            if (t == tasks.end() || t->second.state != TaskState::running) {
                if (t != tasks.end()) tasks.erase(t);
                w.second.current.reset();
                return fail(errc::cancelled, "task " + std::to_string(tid) +
                                                  " was cancelled or timed out: stop it");
            }
            return &t->second;
        }

        void forget_dedup(Task& task) {
            if (task.dedup_key) {
                in_flight.erase(*task.dedup_key);
                task.dedup_key.reset();
            }
        }

        /// Sends the final update to every client and closes their channels.
        void finish(Task& task, Update u) {
            forget_dedup(task);
            for (Subscriber& s : task.subscribers) {
                (void)s.channel->try_send(u);   // a slot was kept free for it
                s.channel->close();
            }
            task.subscribers.clear();
        }

        void drop_worker(WorkerIt it) {
            if (it->second.current) requeue(*it->second.current);
            workers.erase(it);
        }

        /// Puts a running task back at the head of its queue (its worker vanished).
        void requeue(TaskId tid) {
            auto t = tasks.find(tid);
            if (t == tasks.end()) return;
            if (t->second.state == TaskState::abandoned) {
                tasks.erase(t);
                return;
            }
            t->second.state = TaskState::queued;
            t->second.worker.clear();
            queues[t->second.platform].push_front(tid);
            ++counters.requeued;
        }

        /// Deadlines: execution timeouts, then worker leases.
        void expire(std::chrono::steady_clock::time_point now) {
            for (auto& [tid, task] : tasks) {
                if (task.state == TaskState::running && now >= task.deadline) {
                    Update u;
                    u.kind = Update::Kind::failed;
                    u.error = fail(errc::timed_out, "the action exceeded its execution timeout");
                    finish(task, std::move(u));
                    task.state = TaskState::abandoned;   // the worker is told at its next contact
                    ++counters.timed_out;
                }
            }
            for (auto it = workers.begin(); it != workers.end();) {
                if (now >= it->second.lease) {
                    auto dead = it++;
                    drop_worker(dead);
                } else {
                    ++it;
                }
            }
        }
    };

    std::shared_ptr<State> state_;
    transport::Service<T_, Request, Reply> service_;
    std::chrono::milliseconds tick_interval_;
};

} // namespace sealpipe::execution

#endif // SEALPIPE_EXECUTION_SCHEDULER_HPP
