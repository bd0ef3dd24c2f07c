// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The untrusted scheduler (doc/protocol.md, "Scheduler services" and "Over the network"):
// `Scheduler<Transport>` routes actions to workers by platform public key after a proof of
// possession, orders them by priority then age, deduplicates identical zero-nonce actions in
// flight, enforces execution timeouts, fails or requeues the action of a vanished worker and
// cancels actions whose clients went away. It speaks two worker protocols over the same state:
// the step-by-step one of the in-process endpoints and Bonanza's `Synchronize` (one call that
// reports and asks). It reads nothing but routing data and AdditionalData.

#ifndef SEALPIPE_EXECUTION_SCHEDULER_HPP
#define SEALPIPE_EXECUTION_SCHEDULER_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/constant_time.hpp>
#include <sealpipe/core/hex.hpp>
#include <sealpipe/core/random.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/execution/messages.hpp>
#include <sealpipe/keys/ecdh.hpp>
#include <sealpipe/keys/key.hpp>
#include <sealpipe/keys/proof.hpp>
#include <sealpipe/transport/concepts.hpp>
#include <sealpipe/transport/rpc.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
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

/** The status codes of gRPC (google.rpc.Code) with which the scheduler ends an action or
    refuses a call; the numbers are the wire values. */
enum class StatusCode : std::int32_t {
    ok = 0, cancelled = 1, unknown = 2, invalid_argument = 3, deadline_exceeded = 4, not_found = 5,
    already_exists = 6, permission_denied = 7, resource_exhausted = 8, failed_precondition = 9, aborted = 10,
    out_of_range = 11, unimplemented = 12, internal = 13, unavailable = 14, data_loss = 15, unauthenticated = 16,
};

/// A status (google.rpc.Status without details): why an action failed.
struct Status {
    StatusCode code = StatusCode::ok;
    std::string message;
};

/// Limits and durations of a scheduler.
struct SchedulerOptions {
    /// A worker that does not contact the scheduler for this long has vanished: its action
    /// is requeued or fails (`max_attempts`).
    std::chrono::nanoseconds worker_lease = std::chrono::seconds(30);
    /** How many times an action may be handed to a worker that then vanishes: after that
        many, it fails with `StatusCode::unavailable`. 1 is Bonanza's behaviour (fail at once);
        0 requeues without limit. */
    std::size_t max_attempts = 3;
    /** How long an action whose last client went away stays (a client may come back with
        `attach`), and how long a finished operation can still be attached to. Zero cancels
        at once and keeps nothing; Bonanza waits about a minute. */
    std::chrono::nanoseconds client_grace{0};
    /// The longest execution timeout `submit` accepts (Duration's maximum by default).
    std::chrono::nanoseconds max_execution_timeout = std::chrono::nanoseconds::max();
    /** Time allowed past an action's execution timeout before the scheduler fails it
        itself (`StatusCode::deadline_exceeded`): room for the worker's own `TIMED_OUT`
        report to arrive first. */
    std::chrono::nanoseconds timeout_grace{0};
    /// How often the ephemeral keys that workers prove their platform keys against change.
    std::chrono::nanoseconds verification_key_rotation = std::chrono::hours(1);
    /// (`synchronize_worker`) The longest an idle worker's call is held waiting for work.
    std::chrono::nanoseconds idle_poll = std::chrono::seconds(60);
    /// (`synchronize_worker`) When an executing worker reports next.
    std::chrono::nanoseconds executing_poll = std::chrono::seconds(2);
    /** (`synchronize_worker`) How often a task is sent again to a worker that reports
        another one (or none) before the task fails with `StatusCode::internal`. */
    std::size_t max_resends = 5;
    /** After the scheduler starts, an unknown platform key is `errc::backend_unavailable`
        (workers may still be connecting) rather than `errc::unknown_platform_key`. */
    std::chrono::nanoseconds startup_grace{0};
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
        completion_event,  ///< `event` holds the encoded completion Event (purpose 3), or is
                           ///< empty when the worker sent none; final
        failed,            ///< `error` and `status` say why; final
    };
    Kind kind = Kind::failed;
    Bytes event;
    Error error;
    Status status;   ///< for `failed`: the gRPC status a network client receives
};

/// Where an operation stands, as a client joining it first learns.
struct Stage {
    bool running = false;   ///< a worker has it (else it is queued, or finished)
    Bytes last_event;       ///< the latest execution event, if any
    std::optional<Update> final;   ///< set when it has finished
};

/// Bonanza's worker protocol: what a worker reports in `Scheduler::synchronize_worker`.
struct WorkerReport {
    enum class Kind { idle, rejected, executing, completed };
    Kind kind = Kind::idle;
    std::string task_uuid;   ///< the task it means (all but idle)
    Bytes event;             ///< executing: latest execution event; completed: completion event (may be empty)
    Status reason;           ///< rejected: why
};

/// A worker's `Synchronize` call, decoded (SPEC: SynchronizeRequest).
struct WorkerSync {
    WorkerId worker;                    ///< the canonical form of its worker_id map
    std::vector<Bytes> platform_keys;   ///< PKIX DER, sorted bytewise
    std::vector<Bytes> verification_zeros;   ///< one per key; empty until challenged
    std::optional<WorkerReport> report;      ///< current_state (required)
    bool prefer_being_idle = false;
    /// The caller's own deadline: an idle worker's call is not held past it (nor past
    /// `SchedulerOptions::idle_poll`).
    std::optional<std::chrono::steady_clock::time_point> wait_until;
};

/// The scheduler's answer to a `WorkerSync` (SPEC: SynchronizeResponse).
struct WorkerDirective {
    enum class Kind {
        carry_on,     ///< no desired state
        verify,       ///< prove the keys against `verification_keys` (one per curve)
        idle,         ///< stop what you run, stay idle
        execute,      ///< run `action`
    };
    Kind kind = Kind::carry_on;
    std::vector<Bytes> verification_keys;
    std::string task_uuid;
    Bytes action;
    std::chrono::nanoseconds effective_timeout{};
    std::chrono::system_clock::time_point queued_at{};
    /// When the worker should call next (wall clock, as the wire carries it).
    std::chrono::system_clock::time_point next_synchronization_at{};
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
    std::size_t proofs_failed = 0, vanished = 0, resent = 0, sync_calls = 0, clients_gone = 0;
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

    /// What a subscription's owner asked to be called when its channel changes.
    struct Notifier {
        std::mutex mutex;
        std::function<void()> call;
        void fire() {
            std::function<void()> c;
            {
                std::lock_guard lock(mutex);
                c = call;
            }
            if (c) c();
        }
    };

public:
    /// How a parked `synchronize_worker_async` call is answered.
    using SyncDone = std::function<void(result<WorkerDirective>)>;

    /** A client's handle on a submitted action. Destroying it (or `cancel()`) withdraws the
        client; when no client is left the action is removed from its queue or its worker
        is told to stop. Move-only. */
    class Subscription {
    public:
        Subscription(Subscription&& o) noexcept
            : state_(std::move(o.state_)), task_(o.task_), id_(o.id_), channel_(std::move(o.channel_)),
              notifier_(std::move(o.notifier_)), name_(std::move(o.name_)), stage_(std::move(o.stage_)) {
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
                notifier_ = std::move(o.notifier_);
                name_ = std::move(o.name_);
                stage_ = std::move(o.stage_);
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

        /** Asks for `call` to be made whenever an update may be waiting (for servers that
            do not hold a thread per client): once now, then after each update the scheduler
            queues for this client, including the last. It runs on the thread of whichever
            scheduler call produced the update, never under the scheduler's lock, and may be
            spurious: read with `try_next()` until it says there is nothing. Replaces an
            earlier call; an empty `call` stops them. */
        void on_update(std::function<void()> call) {
            if (!notifier_) return;
            {
                std::lock_guard lock(notifier_->mutex);
                notifier_->call = call;
            }
            if (call) call();
        }

        /// The action this subscription follows (shared by deduplicated clients).
        [[nodiscard]] TaskId task() const noexcept { return task_; }
        /// The operation's name (a random UUID, shared by deduplicated clients), for `attach`.
        [[nodiscard]] const std::string& name() const noexcept { return name_; }
        /// Where the operation stood when this client joined it.
        [[nodiscard]] const Stage& initial_stage() const noexcept { return stage_; }
        /** Where the operation stands now: queued or running, and its latest execution event
            (what a network stream repeats as a keepalive). A finished or cancelled operation
            reads as it was when this client joined it. */
        [[nodiscard]] Stage stage() const {
            if (auto s = state_.lock()) {
                if (auto live = s->stage(task_)) return *live;
            }
            return stage_;
        }

        /// Withdraws this client (idempotent).
        void cancel() noexcept {
            if (auto s = state_.lock()) {
                s->withdraw(task_, id_);
                s->run_deferred();
            }
            state_.reset();
        }

    private:
        friend class Scheduler;
        Subscription(std::weak_ptr<State> s, TaskId t, std::uint64_t id, std::shared_ptr<Channel> c,
                     std::shared_ptr<Notifier> n, std::string name, Stage stage)
            : state_(std::move(s)), task_(t), id_(id), channel_(std::move(c)), notifier_(std::move(n)),
              name_(std::move(name)), stage_(std::move(stage)) {}
        std::weak_ptr<State> state_;
        TaskId task_ = 0;
        std::uint64_t id_ = 0;
        std::shared_ptr<Channel> channel_;
        std::shared_ptr<Notifier> notifier_;
        std::string name_;
        Stage stage_;
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

    /// Refuses further requests: `run()` returns once the queued ones are answered; worker
    /// calls waiting for work return.
    void shutdown() {
        service_.close();
        stop_waiting();
    }

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
    [[nodiscard]] result<Subscription> submit(ByteView action_bytes) { return settled(state_->submit(state_, action_bytes, 0)); }

    /** As `submit`, in the priority class `priority` (lower runs sooner; within a class, the
        oldest first). @par Errors as `submit`, and `errc::invalid_argument` for a timeout
        above `SchedulerOptions::max_execution_timeout`, `errc::backend_unavailable` for an
        unknown platform key during `SchedulerOptions::startup_grace`. */
    [[nodiscard]] result<Subscription> submit(ByteView action_bytes, std::int32_t priority) {
        return settled(state_->submit(state_, action_bytes, priority));
    }

    /** Joins the live or recently finished operation `name` (Bonanza's WaitExecution).
        @par Errors `errc::object_not_found` (no such operation, or finished longer than
        `client_grace` ago). */
    [[nodiscard]] result<Subscription> attach(std::string_view name) { return settled(state_->attach(state_, name)); }

    // --- workers ------------------------------------------------------------------------

    /** Registers (or re-registers) a worker announcing platform public keys (PKIX DER,
        X25519 or P-256; Ed25519 keys are announced converted) and returns the challenge.
        Until it proves every key, the worker receives nothing.
        @par Errors `errc::invalid_argument` (no keys, duplicates), `errc::invalid_key`
        (not a PKIX key, or a type other than X25519 and P-256). */
    [[nodiscard]] result<Challenge> synchronize(const WorkerId& worker, std::vector<Bytes> platform_keys) {
        return settled(state_->synchronize(worker, std::move(platform_keys)));
    }

    /** Checks the worker's verification zeros, one per announced key in order (compared
        in constant time). A single wrong proof refuses the worker, which must synchronize
        again. @par Errors `errc::proof_failed`, `errc::invalid_argument` (no challenge
        pending, wrong count). */
    [[nodiscard]] result<void> prove(const WorkerId& worker, std::span<const keys::VerificationZeros> proofs) {
        return settled(state_->prove(worker, proofs));
    }

    /** The oldest queued action among the worker's platform keys, if any. Renews the lease.
        @par Errors `errc::proof_failed` (not proven), `errc::invalid_argument` (still
        running an action). */
    [[nodiscard]] result<std::optional<Assignment>> next_action(const WorkerId& worker) {
        return settled(state_->next_action(worker));
    }

    /** Renews the worker's lease. @par Errors `errc::cancelled` when `task` was cancelled
        or timed out: the worker must stop it; `errc::proof_failed` (unknown worker, e.g.
        after its lease ran out). */
    [[nodiscard]] result<void> heartbeat(const WorkerId& worker, std::optional<TaskId> task) {
        return settled(state_->heartbeat(worker, task));
    }

    /** Forwards an execution event (encoded Event) to every client of `task`.
        @par Errors `errc::malformed_input` (not an Event), and those of `heartbeat`. */
    [[nodiscard]] result<void> execution_event(const WorkerId& worker, TaskId task, ByteView event) {
        return settled(state_->report(worker, task, event, false));
    }

    /** Forwards the completion event to every client of `task` and frees the worker.
        @par Errors as `execution_event`. */
    [[nodiscard]] result<void> complete(const WorkerId& worker, TaskId task, ByteView event) {
        return settled(state_->report(worker, task, event, true));
    }

    /** The worker could not verify, decrypt or parse the action (Bonanza's
        `CurrentState.Rejected`): every client receives a `failed` update carrying `reason`,
        and the worker is free. @par Errors as `heartbeat`. */
    [[nodiscard]] result<void> reject(const WorkerId& worker, TaskId task, Error reason) {
        return settled(state_->reject(worker, task, std::move(reason)));
    }

    /** Bonanza's worker protocol, one call: checks the worker's proofs of possession (any
        missing or wrong one gives nothing but `WorkerDirective::Kind::verify`), applies its
        report, and answers what it should do next. An idle (or just finished) worker's call
        waits for work until `SchedulerOptions::idle_poll` or `shutdown()`; an executing
        worker's report never waits.
        @par Errors `errc::invalid_argument` (no keys, keys not sorted or repeated, a key that
        is not X25519 or P-256 PKIX, no report), `errc::conflict` (another call with the same
        worker is in progress: RESOURCE_EXHAUSTED on the wire). */
    [[nodiscard]] result<WorkerDirective> synchronize_worker(WorkerSync sync) {
        struct Slot {
            std::mutex mutex;
            std::condition_variable answered;
            std::optional<result<WorkerDirective>> answer;
        };
        auto slot = std::make_shared<Slot>();
        auto give_up = std::chrono::steady_clock::now() + state_->options.idle_poll;
        if (sync.wait_until && *sync.wait_until < give_up) give_up = *sync.wait_until;
        const std::uint64_t ticket = synchronize_worker_async(std::move(sync), [slot](result<WorkerDirective> r) {
            {
                std::lock_guard lock(slot->mutex);
                slot->answer.emplace(std::move(r));
            }
            slot->answered.notify_all();
        });
        std::unique_lock lock(slot->mutex);
        if (!slot->answered.wait_until(lock, give_up, [&] { return slot->answer.has_value(); })) {
            lock.unlock();
            abandon_wait(ticket);   // answers idle, unless work came meanwhile
            lock.lock();
            slot->answered.wait(lock, [&] { return slot->answer.has_value(); });
        }
        return std::move(*slot->answer);
    }

    /** `synchronize_worker` without holding the calling thread, for servers that do not keep
        a thread per call. `done` receives the answer exactly once: before this returns when
        it is known at once; otherwise the call is parked, and `done` runs later on the thread
        that ends the wait (a `submit` or requeue that brings work, `tick()` once the wait's
        bound has passed, `stop_waiting()`, or `abandon_wait`), never under the scheduler's
        lock. Returns the parked call's ticket, or 0 when `done` has already run. The wait is
        bounded by `SchedulerOptions::idle_poll` and `WorkerSync::wait_until`: call `tick()`
        by `next_wait_deadline()` for it to end on time. */
    std::uint64_t synchronize_worker_async(WorkerSync sync, SyncDone done) {
        std::uint64_t parked = 0;
        auto r = state_->synchronize_worker(std::move(sync), done, parked);
        state_->run_deferred();
        if (parked == 0) done(std::move(r));
        return parked;
    }

    /// The caller of a parked `synchronize_worker_async` went away: its `done` receives an
    /// idle directive now, unless it was answered already (then nothing happens).
    void abandon_wait(std::uint64_t ticket) {
        state_->abandon_wait(ticket);
        state_->run_deferred();
    }

    /// When the earliest bound of a parked worker call passes (none: nothing is parked).
    [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> next_wait_deadline() const {
        return state_->next_wait_deadline();
    }

    /// Applies deadlines now: timed-out actions fail, vanished workers' actions are requeued
    /// or fail, orphaned actions are cancelled after their grace period, parked worker calls
    /// past their bound are answered idle.
    void tick() {
        state_->tick();
        state_->run_deferred();
    }

    /// Wakes every worker call waiting for work and makes later ones return at once (the
    /// server is stopping). Also refuses further requests through `connect()`.
    void stop_waiting() {
        state_->stop_waiting();
        state_->run_deferred();
    }

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
    /// Makes the calls the last operation deferred until the scheduler's lock was released.
    template <class R>
    R settled(R&& r) {
        state_->run_deferred();
        return std::forward<R>(r);
    }

    static result<Reply> wrap(result<void>&& r) {
        if (!r) return std::move(r).error();
        return Reply(std::in_place_type<std::monostate>);
    }

    struct Subscriber {
        std::uint64_t id;
        std::shared_ptr<Channel> channel;
        std::shared_ptr<Notifier> notifier;
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

    using SteadyTime = std::chrono::steady_clock::time_point;
    /// A platform queue: (priority, task number), so that lower priorities and then older
    /// tasks come first.
    using Queue = std::set<std::pair<std::int32_t, TaskId>>;

    struct Task {
        TaskId id = 0;
        std::string uuid;   // the worker's name for it (task_uuid)
        std::string name;   // the clients' name for it (operation name)
        Bytes action;
        Bytes platform;
        std::int32_t priority = 0;
        std::chrono::nanoseconds timeout{};
        std::chrono::system_clock::time_point queued_at{};
        std::optional<Bytes> dedup_key;
        std::vector<Subscriber> subscribers;
        TaskState state = TaskState::queued;
        WorkerId worker;
        SteadyTime deadline{};
        std::size_t attempts = 0;   // times handed to a worker
        std::size_t resends = 0;    // times sent again to a worker that reported something else
        Bytes last_event;
        std::optional<SteadyTime> orphaned_since;   // no client left (client_grace)
    };

    struct WorkerRecord {
        std::vector<Bytes> keys;
        std::vector<keys::AnyPublicKey> public_keys;
        std::vector<keys::AnyPrivateKey> ephemerals;   // the challenge pending (step-by-step protocol)
        bool proven = false;
        SteadyTime lease{};
        std::optional<TaskId> current;
    };

    /// The ephemeral key of one curve that workers prove against (shared by all, rotated).
    struct Ephemeral {
        keys::AnyPrivateKey key;
        Bytes public_der;
        SteadyTime created{};
    };

    /// A finished operation, kept `client_grace` for `attach`.
    struct Finished {
        Update final;
        SteadyTime until{};
    };

    struct State {
        State(SchedulerOptions o, TimeSource c) : options(o), clock(std::move(c)), started(clock()) {}

        SchedulerOptions options;
        TimeSource clock;
        SteadyTime started;
        mutable std::mutex mutex;
        bool stopping = false;
        /// Idle workers' calls held until work comes, by ticket (oldest first).
        struct Waiter {
            WorkerId worker;
            std::chrono::steady_clock::time_point give_up;
            SyncDone done;
        };
        std::map<std::uint64_t, Waiter> waiting;
        std::uint64_t next_ticket = 1;
        /// Calls to make once the mutex is released (`run_deferred`): answers to parked
        /// workers and subscribers' notifications.
        std::vector<std::function<void()>> deferred;
        std::map<TaskId, Task> tasks;
        std::map<Bytes, Queue, BytesLess> queues;          // by platform key PKIX DER
        std::map<Bytes, TaskId, BytesLess> in_flight;       // zero-nonce Action bytes → task
        std::map<std::string, TaskId, std::less<>> by_name;
        std::map<std::string, TaskId, std::less<>> by_uuid;
        std::map<std::string, Finished, std::less<>> finished;
        std::deque<std::pair<SteadyTime, std::string>> finished_order;   // oldest first: expiry in O(1)
        std::map<WorkerId, WorkerRecord> workers;
        std::set<WorkerId, std::less<>> syncing;            // synchronize_worker calls in progress
        std::set<TaskId> orphans;                            // tasks without a client, in their grace period
        std::array<std::optional<Ephemeral>, 2> ephemerals;  // [0] X25519, [1] P-256
        std::map<Bytes, keys::VerificationZeros, BytesLess> expected_zeros;   // (ephemeral ‖ platform key) → zeros
        TaskId next_task = 1;
        std::uint64_t next_subscriber = 1;
        SchedulerStats counters;

        // -- clients --

        result<Subscription> submit(const std::shared_ptr<State>& self, ByteView bytes, std::int32_t priority) {
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
            if (t->to_chrono() > options.max_execution_timeout)
                return fail(errc::invalid_argument,
                            "the execution timeout of " + std::to_string(t->seconds) +
                                " s exceeds the scheduler's maximum of " +
                                std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                   options.max_execution_timeout).count()) + " s");

            std::unique_lock lock(mutex);
            const auto now = clock();
            expire(now);
            auto queue = queues.find(action->platform_pkix_public_key);
            if (queue == queues.end()) {
                if (now - started < options.startup_grace)
                    return fail(errc::backend_unavailable, "no worker has proven possession of this platform key "
                                                            "yet (the scheduler has just started)");
                return fail(errc::unknown_platform_key, "no worker has proven possession of this platform key");
            }

            auto channel = T_::template make_channel<Update>(std::max<std::size_t>(options.client_queue_capacity, 3));
            auto notifier = std::make_shared<Notifier>();
            const std::uint64_t sid = next_subscriber++;
            const bool zero_nonce = action->nonce.size() == 12 &&
                                    std::all_of(action->nonce.begin(), action->nonce.end(), [](Byte b) { return b == 0; });
            if (zero_nonce) {
                if (auto it = in_flight.find(to_bytes(bytes)); it != in_flight.end()) {
                    Task& task = tasks.at(it->second);
                    task.subscribers.push_back(Subscriber{sid, channel, notifier});
                    task.orphaned_since.reset();
                    orphans.erase(task.id);
                    ++counters.deduplicated;
                    return Subscription(self, task.id, sid, std::move(channel), std::move(notifier), task.name,
                                        stage_of(task));
                }
            }
            if (queue->second.size() >= options.max_queued_per_platform)
                return fail(errc::timed_out, "the platform queue is full (" +
                                                  std::to_string(options.max_queued_per_platform) +
                                                  " actions): back-pressure, retry later");
            auto uuid = random_uuid();
            auto name = random_uuid();
            if (!uuid || !name) return fail(errc::io_error, "no randomness for an operation name");
            Task task;
            task.id = next_task++;
            task.uuid = std::move(*uuid);
            task.name = std::move(*name);
            task.action = to_bytes(bytes);
            task.platform = action->platform_pkix_public_key;
            task.priority = priority;
            task.timeout = t->to_chrono();
            task.queued_at = std::chrono::system_clock::now();
            if (zero_nonce) {
                task.dedup_key = task.action;
                in_flight.emplace(task.action, task.id);
            }
            task.subscribers.push_back(Subscriber{sid, channel, notifier});
            queue->second.emplace(priority, task.id);
            const TaskId id = task.id;
            by_name.emplace(task.name, id);
            by_uuid.emplace(task.uuid, id);
            std::string op = task.name;
            tasks.emplace(id, std::move(task));
            wake_waiters();
            lock.unlock();
            return Subscription(self, id, sid, std::move(channel), std::move(notifier), std::move(op), Stage{});
        }

        result<Subscription> attach(const std::shared_ptr<State>& self, std::string_view name) {
            std::lock_guard lock(mutex);
            expire(clock());
            auto channel = T_::template make_channel<Update>(std::max<std::size_t>(options.client_queue_capacity, 3));
            auto notifier = std::make_shared<Notifier>();
            const std::uint64_t sid = next_subscriber++;
            if (auto it = by_name.find(name); it != by_name.end()) {
                Task& task = tasks.at(it->second);
                task.subscribers.push_back(Subscriber{sid, channel, notifier});
                task.orphaned_since.reset();
                orphans.erase(task.id);
                return Subscription(self, task.id, sid, std::move(channel), std::move(notifier), task.name,
                                    stage_of(task));
            }
            if (auto it = finished.find(name); it != finished.end()) {
                (void)channel->try_send(it->second.final);
                channel->close();
                Stage stage;
                stage.final = it->second.final;
                return Subscription(self, 0, sid, std::move(channel), std::move(notifier), std::string(name),
                                    std::move(stage));
            }
            return fail(errc::object_not_found, "no operation named " + std::string(name));
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
            ++counters.clients_gone;
            if (options.client_grace > std::chrono::nanoseconds::zero()) {
                task.orphaned_since = clock();   // cancelled by expire() unless a client comes back
                orphans.insert(task.id);
                return;
            }
            cancel(it);
        }

        // -- workers: the step-by-step protocol --

        result<Challenge> synchronize(const WorkerId& id, std::vector<Bytes> platform_keys) {
            if (platform_keys.empty()) return fail(errc::invalid_argument, "a worker must announce a platform key");
            WorkerRecord rec;
            Challenge challenge;
            std::lock_guard lock(mutex);
            const auto now = clock();
            for (std::size_t i = 0; i < platform_keys.size(); ++i) {
                for (std::size_t j = 0; j < i; ++j)
                    if (platform_keys[i] == platform_keys[j])
                        return fail(errc::invalid_argument, "a platform key is announced twice");
                auto pub = platform_key(platform_keys[i]);
                if (!pub) return pub.error();
                auto eph = ephemeral(pub->template is<keys::X25519>(), now);
                if (!eph) return eph.error();
                challenge.ephemeral_public_keys.push_back((*eph)->public_der);
                rec.ephemerals.push_back((*eph)->key);
                rec.public_keys.push_back(std::move(*pub));
            }
            rec.keys = std::move(platform_keys);
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
                auto expected = zeros_for(w.ephemerals[i], w.public_keys[i]);
                ok = expected.has_value() && constant_time_equal(*expected, proofs[i]) && ok;
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
            Task* task = take(id, w, now);
            if (!task) return std::optional<Assignment>();
            return std::optional<Assignment>(Assignment{task->id, task->action, task->platform, task->timeout});
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
            deliver(**t, (*it)->second, event, final);
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
            u.status = Status{StatusCode::invalid_argument, "Action rejected by worker: " + reason.message()};
            u.error = std::move(reason);
            finish(**t, std::move(u));
            (*it)->second.current.reset();
            erase_task(tid);
            return {};
        }

        // -- workers: Bonanza's Synchronize --

        /// The answer, or (`parked` set to its ticket) nothing yet: `done` is kept and called later.
        result<WorkerDirective> synchronize_worker(WorkerSync q, SyncDone& done, std::uint64_t& parked) {
            parked = 0;
            const auto wall = std::chrono::system_clock::now();
            if (q.platform_keys.empty()) return fail(errc::invalid_argument, "the worker announces no public keys");
            if (q.verification_zeros.size() != q.platform_keys.size())
                return fail(errc::invalid_argument, "one verification_zeros per public key is expected");
            std::vector<keys::AnyPublicKey> pubs;
            for (std::size_t i = 0; i < q.platform_keys.size(); ++i) {
                if (i > 0 && !bytes_less(q.platform_keys[i - 1], q.platform_keys[i]))
                    return fail(errc::invalid_argument, "the public keys are not sorted bytewise, or repeat");
                auto pub = platform_key(q.platform_keys[i]);
                if (!pub) return fail(errc::invalid_argument, pub.error().message());
                pubs.push_back(std::move(*pub));
            }
            if (!q.report) return fail(errc::invalid_argument, "the request has no current_state");

            std::unique_lock lock(mutex);
            if (!syncing.insert(q.worker).second)
                return fail(errc::conflict, "another Synchronize call of worker " + q.worker + " is in progress");
            struct Leave {
                State& s;
                const WorkerId& id;
                bool parked = false;   // the call stays in progress until its wait ends
                ~Leave() {
                    if (!parked) s.syncing.erase(id);   // under the mutex: every return holds it
                }
            } leave{*this, q.worker};
            ++counters.sync_calls;
            auto now = clock();
            expire(now);

            // Proofs: any missing or wrong one gives nothing but the challenge, one key per
            // curve in the order the curves first appear.
            bool ok = true;
            WorkerDirective challenge;
            challenge.kind = WorkerDirective::Kind::verify;
            challenge.next_synchronization_at = wall;
            bool listed[2] = {false, false};
            for (std::size_t i = 0; i < pubs.size(); ++i) {
                const bool x = pubs[i].template is<keys::X25519>();
                auto eph = ephemeral(x, now);
                if (!eph) return eph.error();
                if (!listed[x ? 0 : 1]) {
                    listed[x ? 0 : 1] = true;
                    challenge.verification_keys.push_back((*eph)->public_der);
                }
                auto expected = cached_zeros(**eph, q.platform_keys[i], pubs[i]);
                ok = expected.has_value() && constant_time_equal(*expected, q.verification_zeros[i]) && ok;
            }
            if (!ok) {
                ++counters.proofs_failed;
                return challenge;
            }

            auto wit = workers.find(q.worker);
            if (wit != workers.end() && wit->second.keys != q.platform_keys) {
                drop_worker(wit);   // another worker kind under the same name
                wit = workers.end();
            }
            if (wit == workers.end()) {
                WorkerRecord rec;
                rec.keys = q.platform_keys;
                rec.public_keys = std::move(pubs);
                rec.proven = true;
                wit = workers.emplace(q.worker, std::move(rec)).first;
                for (const Bytes& k : q.platform_keys) queues.try_emplace(k);
            }
            wit->second.proven = true;
            wit->second.ephemerals.clear();
            wit->second.lease = now + options.worker_lease;

            const WorkerReport& r = *q.report;
            WorkerRecord& w = wit->second;
            Task* current = nullptr;
            if (w.current) {
                auto t = tasks.find(*w.current);
                if (t != tasks.end()) current = &t->second;
            }
            const bool reports_current = current && r.kind != WorkerReport::Kind::idle && r.task_uuid == current->uuid;

            if (current && !reports_current) {
                // It reports another task, or none: send it its task again, a bounded number of times.
                if (current->state == TaskState::running) {
                    if (++current->resends > options.max_resends) {
                        fail_task(*current, StatusCode::internal,
                                  "the worker kept reporting another task than the one it was sent");
                        w.current.reset();
                        erase_task(current->id);
                    } else {
                        ++counters.resent;
                        return execute_directive(*current, wall);
                    }
                } else {   // abandoned or timed out meanwhile
                    w.current.reset();
                    erase_task(current->id);
                }
            } else if (reports_current) {
                Task& task = *current;
                if (task.state != TaskState::running) {   // cancelled or timed out: stop it
                    w.current.reset();
                    erase_task(task.id);
                    return WorkerDirective{WorkerDirective::Kind::idle, {}, {}, {}, {}, {}, wall};
                }
                switch (r.kind) {
                case WorkerReport::Kind::executing: {
                    if (!r.event.empty() && r.event != task.last_event) {
                        if (auto e = Event::decode(r.event); !e) return fail(errc::invalid_argument, e.error().message());
                        deliver(task, w, r.event, false);
                    }
                    // Report again well within the lease, whatever the two options say.
                    WorkerDirective d;
                    d.next_synchronization_at = wall + executing_poll();
                    return d;
                }
                case WorkerReport::Kind::completed:
                    if (!r.event.empty())
                        if (auto e = Event::decode(r.event); !e) return fail(errc::invalid_argument, e.error().message());
                    deliver(task, w, r.event, true);
                    break;
                case WorkerReport::Kind::rejected: {
                    Status s = r.reason;
                    if (s.code == StatusCode::ok) s.code = StatusCode::unknown;
                    s.message = "Action rejected by worker: " + s.message;
                    fail_task(task, s.code, std::move(s.message));
                    w.current.reset();
                    erase_task(task.id);
                    break;
                }
                case WorkerReport::Kind::idle: break;   // not reached: idle reports no task
                }
            } else if (r.kind == WorkerReport::Kind::executing) {
                // An executing report of a task it does not run (finished, cancelled, or from before
                // a restart): stop it.
                return WorkerDirective{WorkerDirective::Kind::idle, {}, {}, {}, {}, {}, wall};
            }

            // Idle now: hand it work, or hold the call until work comes (bounded).
            if (q.prefer_being_idle)
                return WorkerDirective{WorkerDirective::Kind::idle, {}, {}, {}, {}, {}, wall};
            now = clock();
            auto& me = workers.at(q.worker);   // proven above; a call in progress keeps it
            me.lease = now + options.worker_lease;
            if (Task* t = take(q.worker, me, now)) return execute_directive(*t, std::chrono::system_clock::now());
            auto give_up = std::chrono::steady_clock::now() + options.idle_poll;
            if (q.wait_until && *q.wait_until < give_up) give_up = *q.wait_until;
            if (stopping || give_up <= std::chrono::steady_clock::now()) return idle_directive();
            parked = next_ticket++;
            waiting.emplace(parked, Waiter{q.worker, give_up, std::move(done)});
            leave.parked = true;
            return idle_directive();
        }

        void tick() {
            std::lock_guard lock(mutex);
            expire(clock());
            const auto now = std::chrono::steady_clock::now();
            for (auto it = waiting.begin(); it != waiting.end();)
                it = now >= it->second.give_up ? end_wait(it, idle_directive()) : std::next(it);
        }

        void stop_waiting() {
            std::lock_guard lock(mutex);
            stopping = true;
            wake_waiters();
        }

        /// Answers a parked call now, as idle (its caller went away); nothing if it was answered.
        void abandon_wait(std::uint64_t ticket) {
            std::lock_guard lock(mutex);
            if (auto it = waiting.find(ticket); it != waiting.end()) end_wait(it, idle_directive());
        }

        /// When the oldest deadline of a parked call passes, if any is parked.
        std::optional<std::chrono::steady_clock::time_point> next_wait_deadline() const {
            std::lock_guard lock(mutex);
            std::optional<std::chrono::steady_clock::time_point> t;
            for (const auto& [ticket, w] : waiting)
                if (!t || w.give_up < *t) t = w.give_up;
            return t;
        }

        /// Makes the calls deferred while the mutex was held.
        void run_deferred() {
            std::vector<std::function<void()>> calls;
            {
                std::lock_guard lock(mutex);
                if (deferred.empty()) return;
                calls.swap(deferred);
            }
            for (auto& c : calls) c();
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

        static bool bytes_less(const Bytes& a, const Bytes& b) noexcept {
            return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
        }

        static result<std::string> random_uuid() {
            std::array<Byte, 16> b{};
            if (auto r = SystemRng{}.fill(MutableByteView(b.data(), b.size())); !r) return r.error();
            b[6] = static_cast<Byte>((b[6] & 0x0f) | 0x40);   // version 4
            b[8] = static_cast<Byte>((b[8] & 0x3f) | 0x80);   // RFC 4122 variant
            const std::string h = hex_encode(ByteView(b.data(), b.size()));
            return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
                   h.substr(20);
        }

        /// An announced platform key: PKIX DER of an X25519 or P-256 key.
        static result<keys::AnyPublicKey> platform_key(ByteView der) {
            auto pub = keys::AnyPublicKey::from_der(der);
            if (!pub) return std::move(pub.error()).context("announced platform key");
            if (!pub->is<keys::X25519>() && !pub->is<keys::P256>())
                return fail(errc::invalid_key, "announced platform key: expected X25519 or P-256, got " +
                                                    std::string(pub->type_name()));
            return pub;
        }

        /// The current ephemeral key of a curve, made or rotated as needed.
        result<const Ephemeral*> ephemeral(bool x25519, SteadyTime now) {
            auto& slot = ephemerals[x25519 ? 0 : 1];
            if (!slot || now - slot->created >= options.verification_key_rotation) {
                auto g = keys::AnyPrivateKey::generate(x25519 ? "x25519" : "p256");
                if (!g) return g.error();
                Bytes der = g->public_key().to_der();
                slot = Ephemeral{std::move(*g), std::move(der), now};
                expected_zeros.clear();
            }
            return &*slot;
        }

        static result<keys::VerificationZeros> zeros_for(const keys::AnyPrivateKey& eph, const keys::AnyPublicKey& pub) {
            auto secret = keys::ecdh(eph, pub);
            if (!secret) return secret.error();
            return keys::verification_zeros(*secret);
        }

        /// The zeros a worker holding `pub` must send against `eph`, computed once per key pair.
        result<keys::VerificationZeros> cached_zeros(const Ephemeral& eph, const Bytes& der,
                                                     const keys::AnyPublicKey& pub) {
            Bytes k = eph.public_der;
            k.insert(k.end(), der.begin(), der.end());
            if (auto it = expected_zeros.find(k); it != expected_zeros.end()) return it->second;
            auto z = zeros_for(eph.key, pub);
            if (!z) return z.error();
            if (expected_zeros.size() >= 4096) expected_zeros.clear();   // bounded, whatever workers send
            expected_zeros.emplace(std::move(k), *z);
            return z;
        }

        std::optional<Stage> stage(TaskId id) const {
            std::lock_guard lock(mutex);
            auto it = tasks.find(id);
            if (it == tasks.end()) return std::nullopt;
            return stage_of(it->second);
        }

        Stage stage_of(const Task& task) const {
            Stage s;
            s.running = task.state == TaskState::running;
            s.last_event = task.last_event;
            return s;
        }

        /// The best queued task for worker `id`: lowest priority class, then oldest. Marks it
        /// running and tells its clients.
        Task* take(const WorkerId& id, WorkerRecord& w, SteadyTime now) {
            Queue* best = nullptr;
            for (const Bytes& k : w.keys) {
                auto& q = queues[k];
                if (!q.empty() && (!best || *q.begin() < *best->begin())) best = &q;
            }
            if (!best) return nullptr;
            Task& task = tasks.at(best->begin()->second);
            best->erase(best->begin());
            task.state = TaskState::running;
            task.worker = id;
            task.resends = 0;
            ++task.attempts;
            // A timeout near Duration's 10,000-year maximum must not overflow the clock.
            const auto allowed = task.timeout > std::chrono::nanoseconds::max() - options.timeout_grace
                                     ? std::chrono::nanoseconds::max()
                                     : task.timeout + options.timeout_grace;
            const auto room = SteadyTime::max() - now;
            task.deadline = allowed >= room ? SteadyTime::max() : now + allowed;
            w.current = task.id;
            return &task;
        }

        static WorkerDirective idle_directive() {
            return WorkerDirective{WorkerDirective::Kind::idle, {}, {}, {}, {}, {}, std::chrono::system_clock::now()};
        }

        /// Ends a parked call with `r` (its answer is sent once the mutex is released).
        typename std::map<std::uint64_t, Waiter>::iterator end_wait(typename std::map<std::uint64_t, Waiter>::iterator it,
                                                                    result<WorkerDirective> r) {
            syncing.erase(it->second.worker);
            if (auto w = workers.find(it->second.worker); w != workers.end()) w->second.lease = clock() + options.worker_lease;
            deferred.push_back([done = std::move(it->second.done), r = std::move(r)]() mutable { done(std::move(r)); });
            return waiting.erase(it);
        }

        /// Hands queued work to parked workers, oldest call first (all of them idle when stopping).
        void wake_waiters() {
            if (waiting.empty()) return;
            const auto now = clock();
            for (auto it = waiting.begin(); it != waiting.end();) {
                auto w = workers.find(it->second.worker);
                if (stopping || w == workers.end()) {
                    it = end_wait(it, idle_directive());
                } else if (Task* t = take(it->second.worker, w->second, now)) {
                    it = end_wait(it, execute_directive(*t, std::chrono::system_clock::now()));
                } else {
                    ++it;
                }
            }
        }

        /// Tells a subscriber's owner, once the mutex is released, that its channel changed.
        void notify(const Subscriber& s) {
            if (s.notifier) deferred.push_back([n = s.notifier] { n->fire(); });
        }

        /// Run `task`, and report by the executing poll (well within the lease).
        WorkerDirective execute_directive(const Task& task, std::chrono::system_clock::time_point wall) const {
            WorkerDirective d;
            d.kind = WorkerDirective::Kind::execute;
            d.task_uuid = task.uuid;
            d.action = task.action;
            d.effective_timeout = task.timeout;
            d.queued_at = task.queued_at;
            d.next_synchronization_at = wall + executing_poll();
            return d;
        }

        std::chrono::system_clock::duration executing_poll() const {
            return std::chrono::duration_cast<std::chrono::system_clock::duration>(
                std::min(options.executing_poll, options.worker_lease / 2));
        }

        /// An event of the running `task` from its worker `w`: to every client; the
        /// completion event also ends the task and frees the worker.
        void deliver(Task& task, WorkerRecord& w, ByteView event, bool final) {
            Update u;
            u.kind = final ? Update::Kind::completion_event : Update::Kind::execution_event;
            u.event = to_bytes(event);
            if (final) {
                finish(task, std::move(u));
                w.current.reset();
                erase_task(task.id);
            } else {
                task.last_event = u.event;
                for (Subscriber& s : task.subscribers) {
                    // Keep one slot free for the final update: progress is best effort.
                    if (s.channel->size() + 1 >= s.channel->capacity() || !s.channel->try_send(u)) ++counters.dropped_progress;
                    else notify(s);
                }
            }
        }

        /// A worker's contact at `now`: deadlines applied, the worker proven, its lease renewed.
        result<WorkerIt> contact(const WorkerId& id, SteadyTime now) {
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
                if (t != tasks.end()) erase_task(tid);
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

        /// Removes a task and its names (its operation may live on in `finished`).
        void erase_task(TaskId tid) {
            auto t = tasks.find(tid);
            if (t == tasks.end()) return;
            forget_dedup(t->second);
            by_name.erase(t->second.name);
            by_uuid.erase(t->second.uuid);
            orphans.erase(tid);
            tasks.erase(t);
        }

        /// Sends the final update to every client and closes their channels; keeps it for
        /// `attach` during `client_grace`. The task stays until its worker is told.
        void finish(Task& task, Update u) {
            forget_dedup(task);
            by_name.erase(task.name);
            if (options.client_grace > std::chrono::nanoseconds::zero()) {
                const auto until = clock() + options.client_grace;
                finished.insert_or_assign(task.name, Finished{u, until});
                finished_order.emplace_back(until, task.name);
            }
            for (Subscriber& s : task.subscribers) {
                (void)s.channel->try_send(u);   // a slot was kept free for it
                s.channel->close();
                notify(s);
            }
            task.subscribers.clear();
        }

        void fail_task(Task& task, StatusCode code, std::string message) {
            Update u;
            u.kind = Update::Kind::failed;
            switch (code) {
            case StatusCode::deadline_exceeded: u.error = fail(errc::timed_out, message); break;
            case StatusCode::cancelled: u.error = fail(errc::cancelled, message); break;
            case StatusCode::unavailable: u.error = fail(errc::backend_unavailable, message); break;
            case StatusCode::internal: u.error = fail(errc::internal, message); break;
            default: u.error = fail(errc::invalid_argument, message); break;
            }
            u.status = Status{code, std::move(message)};
            finish(task, std::move(u));
        }

        /// No client is left: the task leaves its queue, or its worker is told to stop.
        void cancel(typename std::map<TaskId, Task>::iterator it) {
            Task& task = it->second;
            ++counters.cancelled;
            if (!task.subscribers.empty() || options.client_grace > std::chrono::nanoseconds::zero())
                fail_task(task, StatusCode::cancelled, "no client waits for the action any more");
            forget_dedup(task);
            if (task.state == TaskState::queued) {
                queues[task.platform].erase({task.priority, task.id});
                erase_task(task.id);
            } else {
                task.state = TaskState::abandoned;   // its worker is told at its next contact
            }
        }

        void drop_worker(WorkerIt it) {
            if (it->second.current) requeue(*it->second.current);
            workers.erase(it);
        }

        /// The worker running `tid` vanished: the task goes back to its queue (at its place:
        /// it is older than what came after it), or fails after `max_attempts` runs.
        void requeue(TaskId tid) {
            auto t = tasks.find(tid);
            if (t == tasks.end()) return;
            Task& task = t->second;
            if (task.state == TaskState::abandoned) {
                erase_task(tid);
                return;
            }
            ++counters.vanished;
            if (options.max_attempts != 0 && task.attempts >= options.max_attempts) {
                fail_task(task, StatusCode::unavailable, "the worker running the action went away");
                erase_task(tid);
                return;
            }
            task.state = TaskState::queued;
            task.worker.clear();
            queues[task.platform].emplace(task.priority, tid);
            ++counters.requeued;
            wake_waiters();
        }

        /// Deadlines: execution timeouts, orphaned actions, finished operations, worker leases.
        void expire(SteadyTime now) {
            // Running tasks are those of the workers (a vanished worker's task is requeued):
            // the work here grows with the workers and the orphans, not with the queues.
            for (auto& [id, w] : workers) {
                if (!w.current) continue;
                auto t = tasks.find(*w.current);
                if (t == tasks.end()) continue;
                Task& task = t->second;
                if (task.state == TaskState::running && now >= task.deadline) {
                    fail_task(task, StatusCode::deadline_exceeded, "the action exceeded its execution timeout");
                    task.state = TaskState::abandoned;   // the worker is told at its next contact
                    ++counters.timed_out;
                }
            }
            std::vector<TaskId> due;
            for (TaskId tid : orphans) {
                const Task& task = tasks.at(tid);
                if (task.state != TaskState::abandoned && now - *task.orphaned_since >= options.client_grace)
                    due.push_back(tid);
            }
            for (TaskId tid : due) {
                orphans.erase(tid);
                cancel(tasks.find(tid));
            }
            while (!finished_order.empty() && now >= finished_order.front().first) {
                auto it = finished.find(finished_order.front().second);
                if (it != finished.end() && now >= it->second.until) finished.erase(it);
                finished_order.pop_front();
            }
            for (auto it = workers.begin(); it != workers.end();) {
                // A worker whose call is held right now (long-poll) has not gone.
                if (now >= it->second.lease && !syncing.contains(it->first)) {
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
