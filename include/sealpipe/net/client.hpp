// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `RemoteClient`: the client role (execution/client.hpp) talking to a scheduler over gRPC
// with Bonanza's `Execute` and `WaitExecution` (doc/execution.md, "Over the network").

#ifndef SEALPIPE_NET_CLIENT_HPP
#define SEALPIPE_NET_CLIENT_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/execution/client.hpp>
#include <sealpipe/execution/endpoints.hpp>
#include <sealpipe/execution/messages.hpp>
#include <sealpipe/keys/key.hpp>
#include <sealpipe/net/detail/convert.hpp>
#include <sealpipe/net/detail/execute_stream.hpp>
#include <sealpipe/net/options.hpp>

#include <bonanza/remoteexecution/remoteexecution.grpc.pb.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace sealpipe::net {

/** One action followed over an `Execute` (or `WaitExecution`) stream. `next()` returns its
    execution events, each once, opened, then the completion event. Destroying it closes the
    stream: the scheduler cancels the action after its grace period unless another client
    follows it. Move-only. */
class RemoteExecution {
public:
    /** The next event, opened; waits for the scheduler.
        @par Errors the stream's status as `status_error` gives it (the action failed, was
        rejected by the worker, cancelled, or the scheduler cannot be reached: the message
        names the gRPC code), `errc::authentication_failed` (an event that is not from a
        worker of this action, or altered), `errc::malformed_input` (a completion without
        an event), `errc::cancelled` (after the completion event), `errc::timed_out` (the
        call's deadline passed), `errc::size_limit_exceeded` (more than
        `ChannelOptions::max_idle_stream_messages` messages without a new event within one
        minute). */
    [[nodiscard]] result<execution::OpenedEvent> next() {
        if (done_) return fail(errc::cancelled, "the operation has already completed");
        ::bonanza::remoteexecution::ExecuteResponse r;
        while (reader_->Read(&r)) {
            auto e = stream_.feed(r, action_);
            if (stream_.completed()) {
                done_ = true;
                (void)finish();
            }
            if (e) return std::move(*e);
            // A scheduler repeats the stage as a keepalive (at most once a second); one that
            // sends more than the limit within a minute without news streams without end.
            const auto now = std::chrono::steady_clock::now();
            if (now - idle_window_ > idle_window_length_) {
                idle_window_ = now;
                idle_messages_ = 0;
            }
            if (++idle_messages_ > max_idle_messages_) {
                done_ = true;
                context_->TryCancel();
                (void)finish();
                return fail(errc::size_limit_exceeded,
                            "the scheduler sent " + std::to_string(idle_messages_) +
                                " messages within a minute without a new event; the stream was ended");
            }
        }
        done_ = true;
        const ::grpc::Status s = finish();
        if (s.ok()) return fail(errc::malformed_input, "the scheduler ended the stream without a completion");
        return status_error(s);
    }

    /// The operation's name (for `RemoteClient::wait_execution`), once the scheduler said it.
    [[nodiscard]] const std::string& name() const noexcept { return stream_.name(); }
    /// Whether the last stage the scheduler reported was `executing`.
    [[nodiscard]] bool running() const noexcept { return stream_.running(); }
    /// The sealed action.
    [[nodiscard]] const execution::PendingAction& action() const noexcept { return action_; }
    /// Gives up the stream at once (the scheduler sees a client going away).
    void cancel() { context_->TryCancel(); }

    RemoteExecution(RemoteExecution&&) noexcept = default;
    RemoteExecution& operator=(RemoteExecution&&) noexcept = default;
    ~RemoteExecution() {
        if (reader_ && !finished_) {
            context_->TryCancel();
            (void)reader_->Finish();
        }
    }

private:
    friend class RemoteClient;
    RemoteExecution(execution::PendingAction a, std::unique_ptr<::grpc::ClientContext> c,
                    std::unique_ptr<::grpc::ClientReader<::bonanza::remoteexecution::ExecuteResponse>> r,
                    std::size_t max_idle_messages, std::chrono::milliseconds idle_window)
        : action_(std::move(a)), context_(std::move(c)), reader_(std::move(r)), max_idle_messages_(max_idle_messages),
          idle_window_length_(idle_window) {}

    ::grpc::Status finish() {
        if (finished_) return status_;
        finished_ = true;
        status_ = reader_->Finish();
        return status_;
    }

    execution::PendingAction action_;
    std::unique_ptr<::grpc::ClientContext> context_;
    std::unique_ptr<::grpc::ClientReader<::bonanza::remoteexecution::ExecuteResponse>> reader_;
    detail::ExecuteStream stream_;
    std::size_t max_idle_messages_;
    std::chrono::milliseconds idle_window_length_;
    std::size_t idle_messages_ = 0;
    std::chrono::steady_clock::time_point idle_window_ = std::chrono::steady_clock::now();
    bool done_ = false, finished_ = false;
    ::grpc::Status status_;
};

/** The client role connected to a scheduler over gRPC. Thread-safe: each `execute` opens
    its own stream on the shared channel. */
class RemoteClient {
public:
    /** @par Errors those of `make_channel`. */
    [[nodiscard]] static result<RemoteClient> connect(execution::Client client, const ChannelOptions& options) {
        auto channel = make_channel(options);
        if (!channel) return channel.error();
        return RemoteClient(std::move(client), std::move(*channel), options);
    }

    /** Seals `plaintext` for the workers of `platform_key` (as `Client::seal`) and starts
        `Execute` with `priority` (lower runs sooner). The stream may last as long as the
        action; `call_deadline` bounds it (by default `ChannelOptions::stream_deadline` from
        now).
        @par Errors those of `Client::seal`; stream failures surface from
        `RemoteExecution::next`. */
    [[nodiscard]] result<RemoteExecution> execute(
        const keys::AnyPublicKey& platform_key, ByteView plaintext, execution::AdditionalData additional_data,
        execution::NoncePolicy policy = execution::NoncePolicy::zero, std::int32_t priority = 0,
        std::optional<std::chrono::system_clock::time_point> call_deadline = std::nullopt) const {
        auto action = client_.seal(platform_key, plaintext, std::move(additional_data), policy);
        if (!action) return action.error();
        return execute_sealed(std::move(*action), priority, call_deadline);
    }

    /** Starts `Execute` for an action sealed earlier. @par Errors none here; see `next`. */
    [[nodiscard]] result<RemoteExecution> execute_sealed(
        execution::PendingAction action, std::int32_t priority = 0,
        std::optional<std::chrono::system_clock::time_point> call_deadline = std::nullopt) const {
        ::bonanza::remoteexecution::ExecuteRequest request;
        if (!detail::parse(action.bytes(), *request.mutable_action()))
            return fail(errc::internal, "the sealed action does not parse as bonanza.encryptedaction.Action");
        request.set_priority(priority);
        auto context = std::make_unique<::grpc::ClientContext>();
        context->set_deadline(call_deadline.value_or(std::chrono::system_clock::now() + stream_deadline_));
        auto reader = stub_->Execute(context.get(), request);
        return RemoteExecution(std::move(action), std::move(context), std::move(reader), max_idle_stream_messages_,
                               idle_stream_window_);
    }

    /** Follows the operation `name`, started earlier for `action` (`WaitExecution`), until
        `call_deadline` (by default `ChannelOptions::stream_deadline` from now).
        @par Errors none here; `next` gives `errc::object_not_found` (NOT_FOUND) for an
        unknown name. */
    [[nodiscard]] result<RemoteExecution> wait_execution(
        const std::string& name, execution::PendingAction action,
        std::optional<std::chrono::system_clock::time_point> call_deadline = std::nullopt) const {
        ::bonanza::remoteexecution::WaitExecutionRequest request;
        request.set_name(name);
        auto context = std::make_unique<::grpc::ClientContext>();
        context->set_deadline(call_deadline.value_or(std::chrono::system_clock::now() + stream_deadline_));
        auto reader = stub_->WaitExecution(context.get(), request);
        return RemoteExecution(std::move(action), std::move(context), std::move(reader), max_idle_stream_messages_,
                               idle_stream_window_);
    }

    [[nodiscard]] const execution::Client& client() const noexcept { return client_; }
    [[nodiscard]] const std::shared_ptr<::grpc::Channel>& channel() const noexcept { return channel_; }

private:
    RemoteClient(execution::Client c, std::shared_ptr<::grpc::Channel> ch, const ChannelOptions& options)
        : client_(std::move(c)), channel_(std::move(ch)), stream_deadline_(options.stream_deadline),
          max_idle_stream_messages_(options.max_idle_stream_messages), idle_stream_window_(options.idle_stream_window),
          stub_(::bonanza::remoteexecution::Execution::NewStub(channel_)) {}
    execution::Client client_;
    std::shared_ptr<::grpc::Channel> channel_;
    std::chrono::seconds stream_deadline_;
    std::size_t max_idle_stream_messages_;
    std::chrono::milliseconds idle_stream_window_;
    std::shared_ptr<::bonanza::remoteexecution::Execution::Stub> stub_;
};

} // namespace sealpipe::net

#endif // SEALPIPE_NET_CLIENT_HPP
