// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// A storage backend written outside the library: objects in a std::map. It runs the library's
// own StorageBackend conformance suite (sealpipe/testing/), then carries an encrypted DAG.
// Built as a Boost.Test program: run it, or with --log_level=message to see each step.

#define BOOST_TEST_MODULE custom_backend
#include <sealpipe/dag.hpp>
#include <sealpipe/encoding.hpp>
#include <sealpipe/storage/basic_store.hpp>
#include <sealpipe/storage/gc.hpp>
#include <sealpipe/testing/backend_laws.hpp>

#include <boost/mpl/list.hpp>
#include <boost/test/unit_test.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace example {

using namespace sealpipe;
using storage::ObjectInfo;
using storage::ObjectVisitor;
using storage::PutItem;
using storage::Reference;
using storage::WriteClock;
using storage::WriteTime;

// tag::backend[]
/** Objects in a `std::map`, behind a mutex. Copies are handles on the same map (the conformance
    suite opens several handles on one storage). */
class MapBackend {
public:
    explicit MapBackend(std::string name = "map") : state_(std::make_shared<State>()) { state_->name = std::move(name); }

    [[nodiscard]] result<void> put(const Reference& r, ByteView data) {
        std::lock_guard lock(state_->mutex);
        state_->objects.insert_or_assign(r, Entry{to_bytes(data), WriteClock::now()});
        return {};
    }
    [[nodiscard]] result<Bytes> get(const Reference& r) const {
        std::lock_guard lock(state_->mutex);
        auto it = state_->objects.find(r);
        if (it == state_->objects.end()) return fail(errc::object_not_found, "object " + r.to_hex() + " is not stored");
        return it->second.data;
    }
    [[nodiscard]] result<bool> contains(const Reference& r) const {
        std::lock_guard lock(state_->mutex);
        return state_->objects.contains(r);
    }
    [[nodiscard]] result<bool> touch(const Reference& r) {
        std::lock_guard lock(state_->mutex);
        auto it = state_->objects.find(r);
        if (it == state_->objects.end()) return false;
        it->second.written = WriteClock::now();
        return true;
    }
    [[nodiscard]] result<bool> remove(const Reference& r) {
        std::lock_guard lock(state_->mutex);
        return state_->objects.erase(r) > 0;
    }
    /// Atomic with respect to puts: the check and the erase happen under one lock.
    [[nodiscard]] result<bool> remove_if_written_before(const Reference& r, WriteTime cutoff) {
        std::lock_guard lock(state_->mutex);
        auto it = state_->objects.find(r);
        if (it == state_->objects.end() || it->second.written >= cutoff) return false;
        state_->objects.erase(it);
        return true;
    }
    [[nodiscard]] result<void> put_many(std::span<const PutItem> items) {
        for (const auto& i : items)
            if (auto p = put(i.reference, i.data); !p) return p;
        return {};
    }
    [[nodiscard]] result<std::vector<std::optional<Bytes>>> get_many(std::span<const Reference> refs) const {
        std::vector<std::optional<Bytes>> out;
        for (const auto& r : refs) {
            auto g = get(r);
            out.push_back(g ? std::optional<Bytes>(std::move(*g)) : std::nullopt);
        }
        return out;
    }
    [[nodiscard]] result<std::vector<bool>> contains_many(std::span<const Reference> refs) const {
        std::vector<bool> out;
        for (const auto& r : refs) out.push_back(*contains(r));
        return out;
    }
    /// Visits a snapshot, so that the visitor may call back into the backend.
    [[nodiscard]] result<void> enumerate(const ObjectVisitor& visit) const {
        std::vector<ObjectInfo> snapshot;
        {
            std::lock_guard lock(state_->mutex);
            for (const auto& [r, e] : state_->objects) snapshot.push_back({r, e.written});
        }
        for (const auto& info : snapshot)
            if (!visit(info)) break;
        return {};
    }

    /// For the conformance suite: flips one byte of a stored object, as a failing medium would.
    void flip_a_byte(const Reference& r) {
        std::lock_guard lock(state_->mutex);
        auto& d = state_->objects.at(r).data;
        d[d.size() / 2] ^= 0x01;
    }

private:
    struct Entry {
        Bytes data;
        WriteTime written;
    };
    struct State {
        std::string name;
        std::mutex mutex;
        std::map<Reference, Entry> objects;
    };
    std::shared_ptr<State> state_;
};

static_assert(storage::StorageBackend<MapBackend>);
// end::backend[]

// tag::fixture[]
/// What the conformance suite needs from a backend (sealpipe/testing/backend_laws.hpp).
struct MapFixture {
    static constexpr const char* name = "map";
    static constexpr bool multi_process = false;   // the map lives in one process
    using backend_type = MapBackend;

    MapBackend backend;
    result<MapBackend> open() { return backend; }   // another handle on the same map
    void tamper(const Reference& r) { backend.flip_a_byte(r); }
};
using Fixtures = boost::mpl::list<MapFixture>;
// end::fixture[]

} // namespace example

// tag::laws[]
// Every law Memory, Directory, Sqlite and Redis obey, for this backend too.
SEALPIPE_TESTING_BACKEND_LAWS(map_backend_laws, example::Fixtures)
// end::laws[]

BOOST_AUTO_TEST_CASE(an_encrypted_dag_in_a_map) {
    using namespace sealpipe;
    using Aead = aead::AesGcmSiv<256>;
    // tag::use[]
    // BasicStore builds the backend in place from its constructor's arguments: the way to use
    // a backend that cannot be moved, and a shorter one for any other.
    storage::BasicStore<example::MapBackend> store(std::in_place, "my map");
    encoding::Pipeline<encoding::SimpleLzw, Aead> pipeline({}, Aead::Key::generate().value());
    dag::Writer writer(pipeline, store);
    auto link = dag::TreeWriter(writer).put_bytes(as_bytes("objects in a std::map, encrypted")).value();
    dag::Reader reader(pipeline, store);
    auto back = dag::TreeReader(reader).get_bytes(link, 1 << 20).value();
    // end::use[]
    BOOST_TEST_MESSAGE("stored as " << link.to_string());
    BOOST_TEST(std::string(as_chars(back)) == "objects in a std::map, encrypted");
    BOOST_TEST(storage::check_reachable(store, link.reference).has_value());
}
