// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// `StorageServer`: any storage backend served over gRPC as Bonanza's storage services
// (`bonanza.storage.object.Downloader` and `Uploader`, `bonanza.storage.dag.Uploader`,
// `bonanza.storage.tag.Resolver` and `Updater`) and sealpipe's `Maintenance` addition
// (doc/protocol.md, "Storage services"; doc/storage.md, "Over the network").

#ifndef SEALPIPE_NET_STORAGE_SERVER_HPP
#define SEALPIPE_NET_STORAGE_SERVER_HPP

#include <sealpipe/core/bytes.hpp>
#include <sealpipe/core/hash.hpp>
#include <sealpipe/error.hpp>
#include <sealpipe/keys/ed25519.hpp>
#include <sealpipe/net/detail/convert.hpp>
#include <sealpipe/net/detail/storage_messages.hpp>
#include <sealpipe/net/lease.hpp>
#include <sealpipe/net/options.hpp>
#include <sealpipe/storage/any.hpp>
#include <sealpipe/storage/verifier.hpp>
#include <sealpipe/tags/store.hpp>

#include <bonanza/storage/dag/dag.grpc.pb.h>
#include <bonanza/storage/object/object.grpc.pb.h>
#include <bonanza/storage/tag/tag.grpc.pb.h>
#include <sealpipe/storage/maintenance.grpc.pb.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace sealpipe::net {

namespace detail {
struct StorageServerProbe;
} // namespace detail

/// How a `StorageServer` serves its store.
struct StorageServerOptions {
    /// The one instance name it answers to (requests naming another are refused).
    std::string instance_name;
    /// How long a lease lasts at most. Run `store gc` with a grace period of at least this.
    std::chrono::seconds lease_ttl = std::chrono::minutes(10);
    /** The grace period the store's collections use (doc/storage.md, "Garbage collection").
        An object whose subtree was found complete, and refreshed, less than `gc_grace -
        lease_ttl` ago is taken as complete again without walking it. */
    std::chrono::seconds gc_grace = std::chrono::hours(1);
    /// DAGs one `UploadDags` call may have in flight (announced in the server's handshake).
    std::uint32_t max_unfinalized_dags = 256;
    /// Per `UploadDags` call: reference indices, and bytes of objects held, before the call
    /// is ended with `RESOURCE_EXHAUSTED`.
    std::size_t max_session_indices = 1'000'000;
    std::size_t max_session_bytes = std::size_t{64} << 20;
    /// Objects written to the backend together (one `put_many`, one transaction).
    std::size_t write_batch_objects = 1024;
    /** Whether `Maintenance.Remove` may delete objects. Off by default: every client that can
        reach the server could otherwise delete what others stored. Turn it on for a server
        that only trusted clients reach (mutual TLS, a private network) and that `store gc`
        runs through. */
    bool allow_remove = false;
    std::size_t write_batch_bytes = std::size_t{16} << 20;
};

/** A store served over gRPC. Objects are verified against their references before they are
    stored and again before they are sent; leases are `LeaseIssuer`'s; tag values live in the
    tag backend. Start with `start()`; it serves on gRPC's threads until `shutdown()`.

    @par Thread safety The services run concurrently; the backends must be shareable across
    threads (every sealpipe backend is). */
class StorageServer {
public:
    StorageServer(storage::AnyBackend objects, tags::AnyTagBackend tags, LeaseIssuer leases,
                  StorageServerOptions options = {})
        : objects_(std::move(objects)), tags_(std::move(tags)), leases_(std::move(leases)),
          options_(std::move(options)), downloader_(*this), uploader_(*this), dags_(*this), resolver_(*this),
          updater_(*this), maintenance_(*this) {}
    StorageServer(const StorageServer&) = delete;
    StorageServer& operator=(const StorageServer&) = delete;
    ~StorageServer() { shutdown(); }

    /** Listens and serves. @par Errors as `detail::build_server`. */
    [[nodiscard]] result<void> start(const ServerOptions& o) {
        auto s = detail::build_server(o, "sealpipe-storage",
                                      {&downloader_, &uploader_, &dags_, &resolver_, &updater_, &maintenance_});
        if (!s) return s.error();
        server_ = std::move(s->server);
        port_ = s->port;
        return {};
    }

    /// The port it listens on (the real one when asked for port 0).
    [[nodiscard]] int port() const noexcept { return port_; }

    /// Stops serving; calls in progress are given two seconds.
    void shutdown() {
        {
            std::lock_guard lock(mutex_);
            if (stopping_) return;
            stopping_ = true;
        }
        stopped_.notify_all();
        if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    }

    /// Blocks until `shutdown()` has been called from elsewhere.
    void wait() {
        std::unique_lock lock(mutex_);
        stopped_.wait(lock, [&] { return stopping_; });
    }

private:
    // The handlers without gRPC around them, for the fuzz targets.
    friend struct detail::StorageServerProbe;

    using Clock = std::chrono::system_clock;
    using Reference = object::Reference;
    using Status = ::grpc::Status;
    using RefSet = std::unordered_set<Reference, object::ReferenceHash>;

    // --- common checks -------------------------------------------------------------------

    Status check_namespace(const ::bonanza::storage::object::Namespace& ns) const {
        if (ns.reference_format() != ::bonanza::storage::object::ReferenceFormat::SHA256_V1)
            return Status(::grpc::INVALID_ARGUMENT, "unsupported reference format (this server stores SHA256_V1)");
        if (ns.instance_name() != options_.instance_name)
            return Status(::grpc::INVALID_ARGUMENT, "unknown instance name '" + ns.instance_name() + "'");
        return Status::OK;
    }

    static result<Reference> reference(const std::string& raw, std::string_view what = "reference") {
        auto r = Reference::from_bytes(as_bytes(raw));
        if (!r) return fail(errc::invalid_argument, std::string(what) + ": " + r.error().message());
        return r;
    }

    /// A backend failure as a status: `NOT_FOUND`, `DATA_LOSS` or `UNAVAILABLE`.
    static Status backend_status(const Error& e) {
        if (e == errc::object_not_found) return Status(::grpc::NOT_FOUND, e.message());
        if (e == errc::object_corrupt) return Status(::grpc::DATA_LOSS, e.message());
        if (e == errc::invalid_argument || e == errc::malformed_input)
            return Status(::grpc::INVALID_ARGUMENT, e.message());
        return Status(::grpc::UNAVAILABLE, "storage backend: " + e.message());
    }

    Clock::time_point lease_expiry(Clock::time_point now) const { return now + options_.lease_ttl; }

    // --- completeness ----------------------------------------------------------------------

    /// Whether `r` was found complete (and refreshed) recently enough to skip a walk.
    bool cached_complete(const Reference& r, Clock::time_point now) {
        std::lock_guard lock(cache_mutex_);
        auto it = complete_.find(r);
        return it != complete_.end() && now - it->second < options_.gc_grace - options_.lease_ttl;
    }
    void forget_complete(const Reference& r) {
        std::lock_guard lock(cache_mutex_);
        complete_.erase(r);
    }
    void remember_complete(std::span<const Reference> refs, Clock::time_point when) {
        std::lock_guard lock(cache_mutex_);
        // A bounded cache: forgetting only costs a walk.
        if (complete_.size() + refs.size() > 4'000'000) complete_.clear();
        for (const auto& r : refs) complete_[r] = when;
    }

    /** Whether `root` and everything below it are stored and match their references. Every
        object walked is written again (refreshing its write time, and restoring it should a
        collection have removed it meanwhile), so the whole subtree outlives a lease issued
        now. A corrupt copy is removed, so that an upload can replace it. */
    result<bool> ensure_complete(const Reference& root, const RefSet* known = nullptr,
                                 std::vector<Reference>* refresh_later = nullptr) {
        const auto now = Clock::now();
        if (cached_complete(root, now)) {
            // Its subtree was refreshed less than `gc_grace - lease_ttl` ago. The object
            // itself is refreshed as a put would refresh it: by the caller's next write when
            // it collects them, else now.
            if (refresh_later) {
                refresh_later->push_back(root);
                return true;
            }
            auto t = objects_.touch(root);
            if (!t) return t.error();
            if (*t) return true;
            forget_complete(root);
        }
        std::vector<Reference> stack{root}, walked;
        RefSet seen{root};
        constexpr std::size_t batch = 256;
        while (!stack.empty()) {
            std::vector<Reference> keys;
            while (!stack.empty() && keys.size() < batch) {
                keys.push_back(stack.back());
                stack.pop_back();
            }
            auto got = objects_.get_many(keys);
            if (!got) return got.error();
            std::vector<storage::PutItem> refresh;
            for (std::size_t i = 0; i < keys.size(); ++i) {
                auto& slot = (*got)[i];
                if (!slot) return false;
                auto contents = object::ContentsView::from_data(keys[i], *slot);
                if (!contents) {
                    (void)objects_.remove(keys[i]);
                    return false;
                }
                refresh.push_back({keys[i], *slot});
                for (const auto& c : contents->children()) {
                    if ((known && known->contains(c)) || cached_complete(c, now)) continue;
                    if (seen.insert(c).second) stack.push_back(c);
                }
            }
            if (auto r = objects_.put_many(refresh); !r) return r.error();
            walked.insert(walked.end(), keys.begin(), keys.end());
        }
        remember_complete(walked, now);
        return true;
    }

    // --- the object services -----------------------------------------------------------------

    ::grpc::Status download(const ::bonanza::storage::object::DownloadObjectRequest& req,
                            ::bonanza::storage::object::DownloadObjectResponse& resp) {
        if (auto s = check_namespace(req.namespace_()); !s.ok()) return s;
        auto ref = reference(req.reference());
        if (!ref) return Status(::grpc::INVALID_ARGUMENT, ref.error().message());
        auto data = objects_.get(*ref);
        if (!data) return backend_status(data.error());
        if (auto v = storage::Sha256V1Verifier::verify(*ref, *data); !v)
            return Status(::grpc::DATA_LOSS, "the stored copy is corrupt: " + v.error().message());
        resp.set_contents(reinterpret_cast<const char*>(data->data()), data->size());
        return Status::OK;
    }

    ::grpc::Status upload(const ::bonanza::storage::object::UploadObjectRequest& req,
                          ::bonanza::storage::object::UploadObjectResponse& resp) {
        if (auto s = check_namespace(req.namespace_()); !s.ok()) return s;
        auto ref = reference(req.reference());
        if (!ref) return Status(::grpc::INVALID_ARGUMENT, ref.error().message());
        const std::size_t degree = ref->degree();
        const bool has_contents = !req.contents().empty();
        if (req.want_contents_if_incomplete() && has_contents)
            return Status(::grpc::INVALID_ARGUMENT, "want_contents_if_incomplete is for requests without contents");
        if (req.want_contents_if_incomplete() && degree == 0)
            return Status(::grpc::INVALID_ARGUMENT, "want_contents_if_incomplete needs an object with children");
        if (req.outgoing_references_leases_size() != 0 &&
            static_cast<std::size_t>(req.outgoing_references_leases_size()) != degree)
            return Status(::grpc::INVALID_ARGUMENT, "expected " + std::to_string(degree) + " outgoing reference leases, got " +
                                                        std::to_string(req.outgoing_references_leases_size()));
        const auto now = Clock::now();
        std::optional<Bytes> stored;
        std::vector<Reference> children;
        if (has_contents) {
            const ByteView data = as_bytes(req.contents());
            auto contents = object::ContentsView::from_data(*ref, data);
            if (!contents)
                return Status(::grpc::INVALID_ARGUMENT, "the contents do not match the reference: " +
                                                            contents.error().message());
            children.assign(contents->children().begin(), contents->children().end());
            if (auto r = objects_.put(*ref, data); !r) return backend_status(r.error());
        } else if (degree == 0) {
            auto t = objects_.touch(*ref);
            if (!t) return backend_status(t.error());
            if (!*t) return Status(::grpc::NOT_FOUND, "object " + ref->to_hex() + " is not stored");
        } else {
            auto data = objects_.get(*ref);
            if (!data) return backend_status(data.error());
            auto contents = object::ContentsView::from_data(*ref, *data);
            if (!contents) return Status(::grpc::DATA_LOSS, "the stored copy is corrupt: " + contents.error().message());
            children.assign(contents->children().begin(), contents->children().end());
            stored = std::move(*data);
        }
        auto expiry = lease_expiry(now);
        std::vector<std::uint32_t> wanted;
        for (std::size_t i = 0; i < degree; ++i) {
            std::optional<Clock::time_point> e;
            if (static_cast<std::size_t>(req.outgoing_references_leases_size()) == degree)
                e = leases_.check(children[i], as_bytes(req.outgoing_references_leases(static_cast<int>(i))), now);
            if (!e) wanted.push_back(static_cast<std::uint32_t>(i));
            else expiry = std::min(expiry, *e);
        }
        if (!wanted.empty()) {
            auto* inc = resp.mutable_incomplete();
            if (req.want_contents_if_incomplete() && stored)
                inc->set_contents(reinterpret_cast<const char*>(stored->data()), stored->size());
            for (auto w : wanted) inc->add_want_outgoing_references_leases(w);
            return Status::OK;
        }
        if (stored) {
            // Refreshed now: the object outlives the lease under any collection whose grace
            // period is at least the lease's time to live.
            auto t = objects_.touch(*ref);
            if (!t) return backend_status(t.error());
            if (!*t) return Status(::grpc::NOT_FOUND, "object " + ref->to_hex() + " is not stored");
        }
        const Bytes lease = leases_.issue(*ref, expiry);
        resp.mutable_complete()->set_lease(reinterpret_cast<const char*>(lease.data()), lease.size());
        return Status::OK;
    }

    // --- tags ------------------------------------------------------------------------------------

    struct TagKey {
        tags::TagId id;
        keys::PublicKey<keys::Ed25519> key;
    };

    result<TagKey> tag_key(const ::bonanza::storage::tag::Key& k) const {
        auto key = keys::PublicKey<keys::Ed25519>::from_der(as_bytes(k.signature_public_key()));
        if (!key) return fail(errc::invalid_argument, "tag key: not an Ed25519 PKIX public key");
        if (k.hash().size() != 32) return fail(errc::invalid_argument, "tag key: the hash must be 32 bytes");
        return TagKey{detail::bonanza_tag_id(options_.instance_name, k), std::move(*key)};
    }

    /// Checks a signed value for `key` and stores it if newer; `complete` when a valid lease on
    /// its reference came with it.
    Status set_tag(const ::bonanza::storage::tag::Key& k, const ::bonanza::storage::tag::SignedValue& sv,
                   ByteView lease) {
        auto key = tag_key(k);
        if (!key) return Status(::grpc::INVALID_ARGUMENT, key.error().message());
        auto version = detail::check_signed_value(key->key, k.hash(), sv);
        if (!version) return Status(::grpc::INVALID_ARGUMENT, version.error().message());
        bool complete = false;
        if (!lease.empty()) {
            auto ref = Reference::from_bytes(as_bytes(sv.value().reference()));
            if (!ref || !leases_.check(*ref, lease, Clock::now()))
                return Status(::grpc::INVALID_ARGUMENT, "the lease is not valid for the tag's reference");
            complete = true;
        }
        const Bytes record = detail::tag_record(sv, complete);
        auto put = tags_.put_tag_if_newer(key->id, *version, record);
        if (!put) return backend_status(put.error());
        return Status::OK;
    }

    Status update(const ::bonanza::storage::tag::UpdateTagRequest& req) {
        if (auto st = check_namespace(req.namespace_()); !st.ok()) return st;
        return set_tag(req.key(), req.signed_value(), as_bytes(req.lease()));
    }

    Status resolve(const ::bonanza::storage::tag::ResolveTagRequest& req,
                   ::bonanza::storage::tag::ResolveTagResponse& resp) {
        if (auto s = check_namespace(req.namespace_()); !s.ok()) return s;
        auto key = tag_key(req.key());
        if (!key) return Status(::grpc::INVALID_ARGUMENT, key.error().message());
        auto record = tags_.get_tag(key->id);
        if (!record) return backend_status(record.error());
        if (!*record) return Status(::grpc::NOT_FOUND, "no value is stored for this tag");
        bool complete = false;
        if (!detail::parse_tag_record(**record, *resp.mutable_signed_value(), complete))
            return Status(::grpc::DATA_LOSS, "the stored tag record is corrupt");
        if (req.has_minimum_timestamp() &&
            detail::before(resp.signed_value().value().timestamp(), req.minimum_timestamp()))
            return Status(::grpc::NOT_FOUND, "the stored value is older than the minimum timestamp");
        if (complete) {
            auto ref = Reference::from_bytes(as_bytes(resp.signed_value().value().reference()));
            auto present = ref ? objects_.contains(*ref) : result<bool>(false);
            if (!present) return backend_status(present.error());
            complete = *present;
        }
        resp.set_complete(complete);
        return Status::OK;
    }

    // --- UploadDags -----------------------------------------------------------------------------

    using DagStream = ::grpc::ServerReaderWriter<::bonanza::storage::dag::UploadDagsResponse,
                                                 ::bonanza::storage::dag::UploadDagsRequest>;

    /** One `UploadDags` call (doc/protocol.md, "Storage services", "Whole DAGs") over a
        `Stream` with `Read(Request*)` and `Write(const Response&)`. */
    template <class Stream = DagStream>
    class DagSession {
    public:
        DagSession(StorageServer& s, Stream& stream) : s_(s), stream_(stream) {}

        Status run() {
            ::bonanza::storage::dag::UploadDagsRequest req;
            if (!stream_.Read(&req)) return Status::OK;
            if (req.type_case() != ::bonanza::storage::dag::UploadDagsRequest::kHandshake)
                return Status(::grpc::INVALID_ARGUMENT, "the first message must be the handshake");
            if (auto st = s_.check_namespace(req.handshake().namespace_()); !st.ok()) return st;
            {
                ::bonanza::storage::dag::UploadDagsResponse r;
                r.mutable_handshake()->set_maximum_unfinalized_dags_count(s_.options_.max_unfinalized_dags);
                if (!stream_.Write(r)) return Status(::grpc::CANCELLED, "the client went away");
            }
            while (stream_.Read(&req)) {
                Status st;
                switch (req.type_case()) {
                case ::bonanza::storage::dag::UploadDagsRequest::kInitiateDag: st = initiate(req.initiate_dag()); break;
                case ::bonanza::storage::dag::UploadDagsRequest::kProvideObjectContents:
                    st = provide(req.provide_object_contents());
                    break;
                default: st = Status(::grpc::INVALID_ARGUMENT, "unexpected message after the handshake");
                }
                if (!st.ok()) return st;
                if (auto f = flush_and_finalize(); !f.ok()) return f;
                if (auto w = send(); !w.ok()) return w;
            }
            if (auto f = flush_and_finalize(true); !f.ok()) return f;
            if (auto w = send(); !w.ok()) return w;
            if (unfinalized_ != 0)
                return Status(::grpc::CANCELLED, "the client ended the call with " + std::to_string(unfinalized_) +
                                                     " DAGs unfinished");
            return Status::OK;
        }

    private:
        enum class State { awaiting_contents, children_pending, done, failed };
        struct Node {
            Reference ref;
            State state = State::awaiting_contents;
            std::size_t outstanding = 0;      // children not yet done
            std::vector<std::size_t> parents{}; // nodes waiting on this one
            std::vector<std::size_t> dags{};    // DAGs whose root this is
            ::grpc::Status failure{};
        };
        struct Dag {
            std::uint64_t root_index = 0;
            std::size_t node = 0;
            bool finalized = false;
            bool queued = false; // in ready_
            std::optional<::bonanza::storage::dag::UploadDagsRequest::InitiateDag::Tag> tag;
        };

        Status write_request(std::uint64_t index, bool contents) {
            ::bonanza::storage::dag::UploadDagsResponse r;
            auto* q = r.mutable_request_object();
            q->set_lowest_reference_index(index);
            q->set_request_contents(contents);
            out_.push_back(std::move(r));
            return Status::OK;
        }

        /// Sends what one message of the client caused, coalesced into as few writes as the
        /// transport allows (all but the last are buffered).
        Status send() {
            for (std::size_t i = 0; i < out_.size(); ++i) {
                ::grpc::WriteOptions options;
                if (i + 1 < out_.size()) options.set_buffer_hint();
                if (!stream_.Write(out_[i], options)) return Status(::grpc::CANCELLED, "the client went away");
            }
            out_.clear();
            return Status::OK;
        }

        /// Assigns the next index to `ref` on behalf of `parent` (none for a root); returns
        /// the node, after sending its request.
        result<std::size_t> add_index(const Reference& ref, std::optional<std::size_t> parent, bool known_absent = false) {
            if (next_index_ >= s_.options_.max_session_indices)
                return fail(errc::size_limit_exceeded, "more than " + std::to_string(s_.options_.max_session_indices) +
                                                           " references in one call");
            const std::uint64_t index = next_index_++;
            auto it = by_ref_.find(ref);
            std::size_t n;
            bool request_contents = false;
            if (it != by_ref_.end()) {
                n = it->second;
            } else {
                n = nodes_.size();
                nodes_.push_back(Node{ref});
                by_ref_.emplace(ref, n);
                // A root found complete is refreshed with the next write (as a put of it
                // would be); a child need not be, its subtree was refreshed recently.
                std::vector<Reference> ignored;
                auto complete = known_absent ? result<bool>(false)
                                             : s_.ensure_complete(ref, &done_refs_, parent ? &ignored : &refresh_);
                if (!complete) return complete.error();
                if (*complete) {
                    nodes_[n].state = State::done;
                    done_refs_.insert(ref);
                } else {
                    request_contents = true;
                    awaiting_.emplace(index, n);
                }
            }
            if (parent) {
                if (nodes_[n].state == State::failed) fail_node(*parent, nodes_[n].failure);
                else if (nodes_[n].state != State::done) {
                    nodes_[n].parents.push_back(*parent);
                    ++nodes_[*parent].outstanding;
                }
            }
            if (auto st = write_request(index, request_contents); !st.ok())
                return fail(errc::cancelled, st.error_message());
            return n;
        }

        Status initiate(const ::bonanza::storage::dag::UploadDagsRequest::InitiateDag& m) {
            if (unfinalized_ >= s_.options_.max_unfinalized_dags)
                return Status(::grpc::INVALID_ARGUMENT, "more DAGs in flight than the handshake allows");
            auto ref = reference(m.root_reference(), "root reference");
            if (!ref) return Status(::grpc::INVALID_ARGUMENT, ref.error().message());
            Dag d;
            d.root_index = next_index_;
            if (m.has_root_tag()) d.tag = m.root_tag();
            const std::size_t id = dags_.size();
            dags_.push_back(std::move(d));
            ++unfinalized_;
            auto n = add_index(*ref, std::nullopt);
            if (!n) return to_status(n.error());
            dags_[id].node = *n;
            nodes_[*n].dags.push_back(id);
            if (nodes_[*n].state == State::done || nodes_[*n].state == State::failed) queue(id);
            return Status::OK;
        }

        Status provide(const ::bonanza::storage::dag::UploadDagsRequest::ProvideObjectContents& m) {
            auto it = awaiting_.find(m.lowest_reference_index());
            if (it == awaiting_.end())
                return Status(::grpc::INVALID_ARGUMENT, "contents for reference index " +
                                                            std::to_string(m.lowest_reference_index()) +
                                                            ", which was not requested (or was provided already)");
            const std::size_t n = it->second;
            awaiting_.erase(it);
            if (m.object_contents().empty()) {
                fail_node(n, Status(::grpc::CANCELLED, "the client abandoned object " + nodes_[n].ref.to_hex()));
                return Status::OK;
            }
            const ByteView data = as_bytes(m.object_contents());
            auto contents = object::ContentsView::from_data(nodes_[n].ref, data);
            if (!contents) {
                fail_node(n, Status(::grpc::INVALID_ARGUMENT, "object " + nodes_[n].ref.to_hex() +
                                                                  ": the contents do not match the reference: " +
                                                                  contents.error().message()));
                return Status::OK;
            }
            held_bytes_ += data.size();
            if (held_bytes_ > s_.options_.max_session_bytes)
                return Status(::grpc::RESOURCE_EXHAUSTED, "more object bytes held than the server allows per call");
            batch_.emplace_back(nodes_[n].ref, to_bytes(data));
            nodes_[n].state = State::children_pending;
            // One lookup for the children this call and the cache know nothing of.
            std::vector<Reference> unknown;
            const auto now = Clock::now();
            for (const auto& c : contents->children())
                if (!by_ref_.contains(c) && !s_.cached_complete(c, now)) unknown.push_back(c);
            RefSet absent;
            if (!unknown.empty()) {
                auto present = s_.objects_.contains_many(unknown);
                if (!present) return backend_status(present.error());
                for (std::size_t i = 0; i < unknown.size(); ++i)
                    if (!(*present)[i]) absent.insert(unknown[i]);
            }
            for (const auto& c : contents->children()) {
                auto r = add_index(c, n, absent.contains(c));
                if (!r) return to_status(r.error());
            }
            if (nodes_[n].state == State::children_pending && nodes_[n].outstanding == 0) complete_node(n);
            return Status::OK;
        }

        static Status to_status(const Error& e) {
            if (e == errc::size_limit_exceeded) return Status(::grpc::RESOURCE_EXHAUSTED, e.message());
            if (e == errc::cancelled) return Status(::grpc::CANCELLED, e.message());
            return backend_status(e);
        }

        void queue(std::size_t dag) {
            if (dags_[dag].queued || dags_[dag].finalized) return;
            dags_[dag].queued = true;
            ready_.push_back(dag);
        }

        void complete_node(std::size_t first) {
            std::vector<std::size_t> work{first};
            while (!work.empty()) {
                const std::size_t n = work.back();
                work.pop_back();
                if (nodes_[n].state != State::children_pending || nodes_[n].outstanding != 0) continue;
                nodes_[n].state = State::done;
                done_refs_.insert(nodes_[n].ref);
                newly_done_.push_back(nodes_[n].ref);
                for (auto d : nodes_[n].dags) queue(d);
                for (auto p : nodes_[n].parents) {
                    if (nodes_[p].state != State::children_pending) continue;
                    if (--nodes_[p].outstanding == 0) work.push_back(p);
                }
                nodes_[n].parents.clear();
            }
        }

        void fail_node(std::size_t first, const Status& why) {
            std::vector<std::size_t> work{first};
            while (!work.empty()) {
                const std::size_t n = work.back();
                work.pop_back();
                if (nodes_[n].state == State::failed) continue;
                nodes_[n].state = State::failed;
                nodes_[n].failure = why;
                for (auto d : nodes_[n].dags) queue(d);
                for (auto p : nodes_[n].parents) work.push_back(p);
                nodes_[n].parents.clear();
            }
        }

        /** Writes what is batched, in one backend write, then finalizes the DAGs that are
            ready. It writes when every DAG in flight is ready (the client may be waiting
            for a finalization before it sends more; any other DAG waits on contents the
            client sends unasked), when the batch is full, and at the end: so a client
            that initiates many small DAGs gets them written together, not one by one. */
        Status flush_and_finalize(bool force = false) {
            const bool all_ready = !ready_.empty() && ready_.size() == unfinalized_;
            const bool must = force || all_ready || batch_.size() >= s_.options_.write_batch_objects ||
                              held_bytes_ >= s_.options_.write_batch_bytes ||
                              refresh_.size() >= s_.options_.write_batch_objects;
            if (!must) return Status::OK;
            if (!refresh_.empty()) {
                // Roots found complete: written again with the batch, as a put refreshes them.
                auto got = s_.objects_.get_many(refresh_);
                if (!got) return backend_status(got.error());
                for (std::size_t i = 0; i < refresh_.size(); ++i)
                    if ((*got)[i]) batch_.emplace_back(refresh_[i], std::move(*(*got)[i]));
                    else {
                        // Removed since it was found complete (a collection with a shorter
                        // grace period than the server was told, or a removal).
                        s_.forget_complete(refresh_[i]);
                        fail_node(by_ref_.at(refresh_[i]),
                                  Status(::grpc::ABORTED, "object " + refresh_[i].to_hex() +
                                                              " was removed during the upload; upload it again"));
                    }
                refresh_.clear();
            }
            if (!batch_.empty()) {
                std::vector<storage::PutItem> items;
                items.reserve(batch_.size());
                for (const auto& [r, d] : batch_) items.push_back({r, d});
                if (auto w = s_.objects_.put_many(items); !w) return backend_status(w.error());
                batch_.clear();
                held_bytes_ = 0;
            }
            if (!newly_done_.empty()) {
                s_.remember_complete(newly_done_, Clock::now());
                newly_done_.clear();
            }
            for (auto id : ready_) {
                Dag& d = dags_[id];
                if (d.finalized) continue;
                d.finalized = true;
                --unfinalized_;
                Status st = nodes_[d.node].state == State::failed ? nodes_[d.node].failure : Status::OK;
                if (st.ok() && d.tag) {
                    ::bonanza::storage::tag::SignedValue sv;
                    sv.mutable_value()->set_reference(detail::ref_string(nodes_[d.node].ref));
                    *sv.mutable_value()->mutable_timestamp() = d.tag->timestamp();
                    sv.set_signature(d.tag->signature());
                    // The DAG was just found complete: the tag is too.
                    const Bytes lease = s_.leases_.issue(nodes_[d.node].ref, s_.lease_expiry(Clock::now()));
                    st = s_.set_tag(d.tag->key(), sv, lease);
                }
                ::bonanza::storage::dag::UploadDagsResponse r;
                auto* f = r.mutable_finalize_dag();
                f->set_root_reference_index(d.root_index);
                f->mutable_status()->set_code(static_cast<int>(st.error_code()));
                if (!st.ok()) f->mutable_status()->set_message(st.error_message());
                out_.push_back(std::move(r));
            }
            ready_.clear();
            return Status::OK;
        }

        StorageServer& s_;
        Stream& stream_;
        std::vector<Node> nodes_;
        std::vector<Dag> dags_;
        std::unordered_map<Reference, std::size_t, object::ReferenceHash> by_ref_;
        std::unordered_map<std::uint64_t, std::size_t> awaiting_;
        RefSet done_refs_;
        std::vector<Reference> newly_done_;
        std::vector<std::pair<Reference, Bytes>> batch_;
        std::vector<std::size_t> ready_;
        std::vector<Reference> refresh_;
        std::vector<::bonanza::storage::dag::UploadDagsResponse> out_;
        std::uint64_t next_index_ = 0;
        std::size_t unfinalized_ = 0;
        std::size_t held_bytes_ = 0;
    };

    // --- gRPC services ---------------------------------------------------------------------------

    class Downloader final : public ::bonanza::storage::object::Downloader::Service {
    public:
        explicit Downloader(StorageServer& s) : s_(s) {}
        Status DownloadObject(::grpc::ServerContext*, const ::bonanza::storage::object::DownloadObjectRequest* req,
                              ::bonanza::storage::object::DownloadObjectResponse* resp) override {
            return s_.download(*req, *resp);
        }

    private:
        StorageServer& s_;
    };

    class Uploader final : public ::bonanza::storage::object::Uploader::Service {
    public:
        explicit Uploader(StorageServer& s) : s_(s) {}
        Status UploadObject(::grpc::ServerContext*, const ::bonanza::storage::object::UploadObjectRequest* req,
                            ::bonanza::storage::object::UploadObjectResponse* resp) override {
            return s_.upload(*req, *resp);
        }

    private:
        StorageServer& s_;
    };

    class DagUploader final : public ::bonanza::storage::dag::Uploader::Service {
    public:
        explicit DagUploader(StorageServer& s) : s_(s) {}
        Status UploadDags(::grpc::ServerContext*, DagStream* stream) override {
            DagSession<> session(s_, *stream);
            return session.run();
        }

    private:
        StorageServer& s_;
    };

    class Resolver final : public ::bonanza::storage::tag::Resolver::Service {
    public:
        explicit Resolver(StorageServer& s) : s_(s) {}
        Status ResolveTag(::grpc::ServerContext*, const ::bonanza::storage::tag::ResolveTagRequest* req,
                          ::bonanza::storage::tag::ResolveTagResponse* resp) override {
            return s_.resolve(*req, *resp);
        }

    private:
        StorageServer& s_;
    };

    class Updater final : public ::bonanza::storage::tag::Updater::Service {
    public:
        explicit Updater(StorageServer& s) : s_(s) {}
        Status UpdateTag(::grpc::ServerContext*, const ::bonanza::storage::tag::UpdateTagRequest* req,
                         ::google::protobuf::Empty*) override {
            return s_.update(*req);
        }

    private:
        StorageServer& s_;
    };

    class Maintenance final : public ::sealpipe::storage::maintenance::Maintenance::Service {
    public:
        explicit Maintenance(StorageServer& s) : s_(s) {}
        /// The most object bytes one DownloadObjects answer carries.
        static constexpr std::size_t max_download_bytes = std::size_t{3} << 20;
        using Flags = ::sealpipe::storage::maintenance::FlagsResponse;

        Status Enumerate(::grpc::ServerContext* context, const ::sealpipe::storage::maintenance::EnumerateRequest* req,
                         ::grpc::ServerWriter<::sealpipe::storage::maintenance::EnumerateResponse>* writer) override {
            if (auto st = s_.check_namespace(req->namespace_()); !st.ok()) return st;
            ::sealpipe::storage::maintenance::EnumerateResponse page;
            bool gone = false;
            auto r = s_.objects_.enumerate([&](const storage::ObjectInfo& i) {
                auto* o = page.add_objects();
                o->set_reference(detail::ref_string(i.reference));
                o->set_written_micros(
                    std::chrono::duration_cast<std::chrono::microseconds>(i.written.time_since_epoch()).count());
                if (page.objects_size() >= 4096) {
                    if (context->IsCancelled() || !writer->Write(page)) {
                        gone = true;
                        return false;
                    }
                    page.Clear();
                }
                return true;
            });
            if (gone) return Status(::grpc::CANCELLED, "the client went away");
            if (!r) return backend_status(r.error());
            if (page.objects_size() > 0 && !writer->Write(page)) return Status(::grpc::CANCELLED, "the client went away");
            return Status::OK;
        }

        Status DownloadObjects(::grpc::ServerContext*, const ::sealpipe::storage::maintenance::ReferencesRequest* req,
                               ::sealpipe::storage::maintenance::DownloadObjectsResponse* resp) override {
            if (auto st = s_.check_namespace(req->namespace_()); !st.ok()) return st;
            std::vector<Reference> refs;
            std::size_t declared = 0;
            for (const auto& raw : req->references()) {
                auto r = reference(raw);
                if (!r) return Status(::grpc::INVALID_ARGUMENT, r.error().message());
                declared += r->size();
                refs.push_back(*r);
            }
            if (declared > max_download_bytes)
                return Status(::grpc::INVALID_ARGUMENT, "the objects asked for would not fit one answer");
            auto got = s_.objects_.get_many(refs);
            if (!got) return backend_status(got.error());
            for (std::size_t i = 0; i < refs.size(); ++i) {
                auto* slot = resp->add_objects();
                auto& data = (*got)[i];
                if (!data) slot->set_code(::grpc::NOT_FOUND);
                else if (!storage::Sha256V1Verifier::verify(refs[i], *data)) slot->set_code(::grpc::DATA_LOSS);
                else slot->set_contents(reinterpret_cast<const char*>(data->data()), data->size());
            }
            return Status::OK;
        }

        Status Contains(::grpc::ServerContext*, const ::sealpipe::storage::maintenance::ReferencesRequest* req,
                        Flags* resp) override {
            return each(*req, *resp, [&](std::span<const Reference> refs) { return s_.objects_.contains_many(refs); });
        }

        Status Touch(::grpc::ServerContext*, const ::sealpipe::storage::maintenance::ReferencesRequest* req,
                     Flags* resp) override {
            return each(*req, *resp, [&](std::span<const Reference> refs) -> result<std::vector<bool>> {
                std::vector<bool> out;
                for (const auto& r : refs) {
                    auto t = s_.objects_.touch(r);
                    if (!t) return t.error();
                    out.push_back(*t);
                }
                return out;
            });
        }

        Status Remove(::grpc::ServerContext*, const ::sealpipe::storage::maintenance::RemoveRequest* req,
                      Flags* resp) override {
            if (auto st = s_.check_namespace(req->namespace_()); !st.ok()) return st;
            if (!s_.options_.allow_remove)
                return Status(::grpc::PERMISSION_DENIED,
                              "this server does not remove objects (it was not started with allow_remove)");
            auto ref = reference(req->reference());
            if (!ref) return Status(::grpc::INVALID_ARGUMENT, ref.error().message());
            {
                std::lock_guard lock(s_.cache_mutex_);
                s_.complete_.clear(); // what was complete may no longer be
            }
            auto r = req->conditional()
                         ? s_.objects_.remove_if_written_before(
                               *ref, storage::WriteTime(std::chrono::duration_cast<storage::WriteClock::duration>(
                                         std::chrono::microseconds(req->written_before_micros()))))
                         : s_.objects_.remove(*ref);
            if (!r) return backend_status(r.error());
            resp->add_flags(*r);
            return Status::OK;
        }

    private:
        template <class F>
        Status each(const ::sealpipe::storage::maintenance::ReferencesRequest& req, Flags& resp, F&& f) {
            if (auto st = s_.check_namespace(req.namespace_()); !st.ok()) return st;
            std::vector<Reference> refs;
            refs.reserve(static_cast<std::size_t>(req.references_size()));
            for (const auto& raw : req.references()) {
                auto r = reference(raw);
                if (!r) return Status(::grpc::INVALID_ARGUMENT, r.error().message());
                refs.push_back(*r);
            }
            auto flags = f(std::span<const Reference>(refs));
            if (!flags) return backend_status(flags.error());
            for (bool b : *flags) resp.add_flags(b);
            return Status::OK;
        }

        StorageServer& s_;
    };

    storage::AnyBackend objects_;
    tags::AnyTagBackend tags_;
    LeaseIssuer leases_;
    StorageServerOptions options_;
    Downloader downloader_;
    Uploader uploader_;
    DagUploader dags_;
    Resolver resolver_;
    Updater updater_;
    Maintenance maintenance_;
    std::mutex cache_mutex_;
    std::unordered_map<Reference, Clock::time_point, object::ReferenceHash> complete_;
    std::unique_ptr<::grpc::Server> server_;
    int port_ = 0;
    std::mutex mutex_;
    std::condition_variable stopped_;
    bool stopping_ = false;
};

} // namespace sealpipe::net

#endif // SEALPIPE_NET_STORAGE_SERVER_HPP
