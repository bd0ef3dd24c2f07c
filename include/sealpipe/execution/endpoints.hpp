// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The roles connected to a scheduler through a transport: `ClientEndpoint<Transport>`
// submits sealed actions and opens their events (`Execution`), `WorkerEndpoint<Transport>`
// proves its platform keys, takes work, and answers with sealed events.

#ifndef SEALPIPE_EXECUTION_ENDPOINTS_HPP
#define SEALPIPE_EXECUTION_ENDPOINTS_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/execution/client.hpp>
#include <sealpipe/execution/messages.hpp>
#include <sealpipe/execution/scheduler.hpp>
#include <sealpipe/execution/worker.hpp>
#include <sealpipe/keys/key.hpp>
#include <sealpipe/keys/proof.hpp>
#include <sealpipe/transport/concepts.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace sealpipe::execution {

namespace detail {

/// The alternative `A` of a scheduler reply, or a protocol error (a transport that mixed
/// up replies).
template <class A, class Reply>
result<A> expect(result<Reply>&& r, std::string_view request) {
    if (!r) return std::move(r).error().context(request);
    if (auto* a = std::get_if<A>(&*r)) return std::move(*a);
    return fail(errc::malformed_input, std::string(request) + ": the scheduler answered with another kind of reply");
}

} // namespace detail

/// What a client learns from an event of its action, after opening it.
struct OpenedEvent {
    bool final = false;     ///< the completion event (the last one)
    Plaintext plaintext;    ///< what the worker sealed, authenticated
};

/** One action of a `ClientEndpoint` in flight: the sealed action and the client's
    subscription at the scheduler. Destroying it cancels the action (when no other client
    waits for the same deduplicated action). Move-only. */
template <class Transport>
class Execution {
    static_assert((transport::check_transport<Transport>(), true));   // reports the first missing part

public:
    /** The next event, opened, waiting until `deadline`.
        @par Errors the scheduler's `failed` update (`errc::timed_out`, the worker's reason
        for rejecting the action, ...), `errc::authentication_failed` (an event that is
        not from the worker of this action, or altered in transit), `errc::timed_out`
        (nothing before the deadline), `errc::cancelled` (after the final event). */
    [[nodiscard]] result<OpenedEvent> next(transport::Deadline deadline) {
        auto u = subscription_.next(deadline);
        if (!u) return u.error();
        switch (u->kind) {
        case Update::Kind::execution_event: {
            auto p = action_.open_execution_event(u->event);
            if (!p) return std::move(p).error().context("execution event");
            return OpenedEvent{false, std::move(*p)};
        }
        case Update::Kind::completion_event: {
            auto p = action_.open_completion_event(u->event);
            if (!p) return std::move(p).error().context("completion event");
            return OpenedEvent{true, std::move(*p)};
        }
        case Update::Kind::failed: break;
        }
        return std::move(u->error).context("the action failed");
    }

    /// The sealed action (its bytes are what the scheduler saw).
    [[nodiscard]] const PendingAction& action() const noexcept { return action_; }
    /// The scheduler's number for it (shared by deduplicated clients).
    [[nodiscard]] TaskId task() const noexcept { return subscription_.task(); }
    /// Withdraws this client (idempotent).
    void cancel() noexcept { subscription_.cancel(); }

private:
    template <class>
    friend class ClientEndpoint;
    Execution(PendingAction a, typename Scheduler<transport::checked_t<Transport>>::Subscription s)
        : action_(std::move(a)), subscription_(std::move(s)) {}
    PendingAction action_;
    typename Scheduler<transport::checked_t<Transport>>::Subscription subscription_;
};

/** The client role (`Client`) connected to a scheduler through `Transport`. */
template <class Transport>
class ClientEndpoint {
    static_assert((transport::check_transport<Transport>(), true));   // reports the first missing part

public:
    ClientEndpoint(Client client, typename Scheduler<transport::checked_t<Transport>>::Connection connection)
        : client_(std::move(client)), connection_(std::move(connection)) {}

    /** Seals `plaintext` for the workers of `platform_key` (as `Client::seal`) and submits
        it, waiting for the scheduler until `deadline`.
        @par Errors those of `Client::seal` and `Scheduler::submit`, `errc::timed_out`
        (the scheduler did not answer: back-pressure), `errc::cancelled` (it shut down). */
    [[nodiscard]] result<Execution<transport::checked_t<Transport>>> execute(const keys::AnyPublicKey& platform_key, ByteView plaintext,
                                                       AdditionalData additional_data, NoncePolicy policy,
                                                       transport::Deadline deadline) const {
        auto action = client_.seal(platform_key, plaintext, std::move(additional_data), policy);
        if (!action) return action.error();
        auto subscription = detail::expect<typename Scheduler<transport::checked_t<Transport>>::Subscription>(
            connection_.call(request::Submit{action->bytes()}, deadline), "submit");
        if (!subscription) return subscription.error();
        return Execution<transport::checked_t<Transport>>(std::move(*action), std::move(*subscription));
    }

    [[nodiscard]] const Client& client() const noexcept { return client_; }

private:
    Client client_;
    typename Scheduler<transport::checked_t<Transport>>::Connection connection_;
};

/// An action a `WorkerEndpoint` received, verified and opened.
struct ReceivedAction {
    TaskId task = 0;
    OpenedAction action;
};

/** The worker role (`Worker`) connected to a scheduler through `Transport` under the name
    `id`. Use from one thread at a time. */
template <class Transport>
class WorkerEndpoint {
    static_assert((transport::check_transport<Transport>(), true));   // reports the first missing part

public:
    WorkerEndpoint(Worker worker, WorkerId id, typename Scheduler<transport::checked_t<Transport>>::Connection connection)
        : worker_(std::move(worker)), id_(std::move(id)), connection_(std::move(connection)) {}

    /** Announces every platform key and proves possession of each against the scheduler's
        challenge. Call it first, and again after `errc::proof_failed` (e.g. a lost lease).
        @par Errors `errc::proof_failed` (refused), `errc::timed_out`, `errc::cancelled`,
        and those of `Scheduler::synchronize`. */
    [[nodiscard]] result<void> synchronize(transport::Deadline deadline) const {
        const auto announced = worker_.platform_public_keys();
        auto challenge =
            detail::expect<Challenge>(connection_.call(request::Synchronize{id_, announced}, deadline), "synchronize");
        if (!challenge) return challenge.error();
        if (challenge->ephemeral_public_keys.size() != announced.size())
            return fail(errc::malformed_input, "synchronize: the challenge does not name one key per platform key");
        std::vector<keys::VerificationZeros> proofs;
        for (std::size_t i = 0; i < announced.size(); ++i) {
            auto ephemeral = keys::AnyPublicKey::from_der(challenge->ephemeral_public_keys[i]);
            if (!ephemeral) return std::move(ephemeral).error().context("the scheduler's ephemeral key");
            auto proof = worker_.prove_possession(announced[i], *ephemeral);
            if (!proof) return proof.error();
            proofs.push_back(*proof);
        }
        auto done = detail::expect<std::monostate>(connection_.call(request::Prove{id_, std::move(proofs)}, deadline),
                                                   "prove");
        if (!done) return done.error();
        return {};
    }

    /** Takes the oldest action queued for this worker's keys, if any, and opens it at time
        `now`. An action that does not verify or open is rejected at the scheduler (its
        clients receive the reason) and returned as that error, with the task number.
        @par Errors those of `Worker::open` (prefixed "task N"), of `Scheduler::next_action`,
        `errc::timed_out`, `errc::cancelled`. */
    [[nodiscard]] result<std::optional<ReceivedAction>> next_action(transport::Deadline deadline,
                                                      std::chrono::system_clock::time_point now =
                                                          std::chrono::system_clock::now()) const {
        auto assignment = detail::expect<std::optional<Assignment>>(
            connection_.call(request::NextAction{id_}, deadline), "next action");
        if (!assignment) return assignment.error();
        if (!*assignment) return std::optional<ReceivedAction>();
        const Assignment& a = **assignment;
        auto opened = worker_.open(a.action, now);
        if (!opened) {
            Error reason = opened.error();
            (void)connection_.call(request::Reject{id_, a.task, reason}, deadline);
            return std::move(reason).context("task " + std::to_string(a.task));
        }
        return std::optional<ReceivedAction>(ReceivedAction{a.task, std::move(*opened)});
    }

    /** Seals `plaintext` as an execution event of `job` and sends it to its clients.
        @par Errors `errc::cancelled` (the action was cancelled or timed out: stop it),
        `errc::timed_out`, `errc::io_error` (no randomness). */
    [[nodiscard]] result<void> progress(const ReceivedAction& job, ByteView plaintext, transport::Deadline deadline) const {
        auto e = job.action.responder.execution_event(plaintext);
        if (!e) return e.error();
        return report(job, e->encode(), false, deadline);
    }

    /** Seals `plaintext` as the completion event of `job` and sends it; the worker is free.
        @par Errors as `progress`. */
    [[nodiscard]] result<void> complete(const ReceivedAction& job, ByteView plaintext, transport::Deadline deadline) const {
        auto e = job.action.responder.completion_event(plaintext);
        if (!e) return e.error();
        return report(job, e->encode(), true, deadline);
    }

    /** Renews the lease, while running `job` if given.
        @par Errors `errc::cancelled` (that action was cancelled or timed out: stop it),
        `errc::proof_failed` (the lease ran out: synchronize again), `errc::timed_out`. */
    [[nodiscard]] result<void> heartbeat(const ReceivedAction* job, transport::Deadline deadline) const {
        std::optional<TaskId> task;
        if (job) task = job->task;
        auto r = detail::expect<std::monostate>(connection_.call(request::Heartbeat{id_, task}, deadline), "heartbeat");
        if (!r) return r.error();
        return {};
    }

    [[nodiscard]] const WorkerId& id() const noexcept { return id_; }
    [[nodiscard]] const Worker& worker() const noexcept { return worker_; }

private:
    result<void> report(const ReceivedAction& job, Bytes event, bool final, transport::Deadline deadline) const {
        auto r = detail::expect<std::monostate>(
            connection_.call(request::Report{id_, job.task, std::move(event), final}, deadline),
            final ? "complete" : "execution event");
        if (!r) return r.error();
        return {};
    }

    Worker worker_;
    WorkerId id_;
    typename Scheduler<transport::checked_t<Transport>>::Connection connection_;
};

} // namespace sealpipe::execution

#endif // SEALPIPE_EXECUTION_ENDPOINTS_HPP
