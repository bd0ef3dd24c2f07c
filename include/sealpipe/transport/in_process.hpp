// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `InProcess`: the transport for a scheduler, clients and workers in one process (threads),
// with bounded queues that block until a deadline or refuse at once when full.

#ifndef SEALPIPE_TRANSPORT_IN_PROCESS_HPP
#define SEALPIPE_TRANSPORT_IN_PROCESS_HPP

#include <sealpipe/error.hpp>
#include <sealpipe/transport/concepts.hpp>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace sealpipe::transport {

/** The in-process transport: channels are mutex-protected bounded queues. A full queue
    makes `send` wait until there is room or the deadline passes (`errc::timed_out`, the
    back-pressure signal), and `try_send` fail at once. */
struct InProcess {
    template <class M>
    class Channel {
    public:
        explicit Channel(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}
        Channel(const Channel&) = delete;
        Channel& operator=(const Channel&) = delete;

        /** Waits for room until `deadline`. @par Errors `errc::timed_out` (still full: the
            receiver is slower than the sender), `errc::cancelled` (closed). */
        [[nodiscard]] result<void> send(M m, Deadline deadline) {
            std::unique_lock lock(mutex_);
            if (!not_full_.wait_until(lock, deadline, [&] { return closed_ || queue_.size() < capacity_; }))
                return full();
            return push(lock, std::move(m));
        }
        /// Never waits. @par Errors as `send`.
        [[nodiscard]] result<void> try_send(M m) {
            std::unique_lock lock(mutex_);
            if (!closed_ && queue_.size() >= capacity_) return full();
            return push(lock, std::move(m));
        }
        /** Waits for a message until `deadline`. @par Errors `errc::timed_out`,
            `errc::cancelled` (closed and drained). */
        [[nodiscard]] result<M> receive(Deadline deadline) {
            std::unique_lock lock(mutex_);
            if (!not_empty_.wait_until(lock, deadline, [&] { return closed_ || !queue_.empty(); }))
                return fail(errc::timed_out, "channel: no message before the deadline");
            return pop(lock);
        }
        /// Never waits. @par Errors as `receive`.
        [[nodiscard]] result<M> try_receive() {
            std::unique_lock lock(mutex_);
            if (queue_.empty() && !closed_) return fail(errc::timed_out, "channel: empty");
            return pop(lock);
        }
        /// Refuses further sends and wakes every waiter; queued messages can still be received.
        void close() {
            {
                std::lock_guard lock(mutex_);
                closed_ = true;
            }
            not_full_.notify_all();
            not_empty_.notify_all();
        }
        [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
        [[nodiscard]] std::size_t size() const {
            std::lock_guard lock(mutex_);
            return queue_.size();
        }
        [[nodiscard]] bool closed() const {
            std::lock_guard lock(mutex_);
            return closed_;
        }

    private:
        Error full() const {
            return fail(errc::timed_out, "channel: full (" + std::to_string(capacity_) + " messages): back-pressure");
        }
        result<void> push(std::unique_lock<std::mutex>& lock, M m) {
            if (closed_) return fail(errc::cancelled, "channel: closed");
            queue_.push_back(std::move(m));
            lock.unlock();
            not_empty_.notify_one();
            return {};
        }
        result<M> pop(std::unique_lock<std::mutex>& lock) {
            if (queue_.empty()) return fail(errc::cancelled, "channel: closed");
            M m = std::move(queue_.front());
            queue_.pop_front();
            lock.unlock();
            not_full_.notify_one();
            return m;
        }

        const std::size_t capacity_;
        mutable std::mutex mutex_;
        std::condition_variable not_full_, not_empty_;
        std::deque<M> queue_;
        bool closed_ = false;
    };

    template <class M>
    [[nodiscard]] static std::shared_ptr<Channel<M>> make_channel(std::size_t capacity) {
        return std::make_shared<Channel<M>>(capacity);
    }
};

static_assert(Transport<InProcess>);

} // namespace sealpipe::transport

#endif // SEALPIPE_TRANSPORT_IN_PROCESS_HPP
