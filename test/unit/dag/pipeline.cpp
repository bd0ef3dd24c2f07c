// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/dag/adapters.hpp: DAGs through real encoder pipelines and verified
// stores, end to end.
#include <sealpipe/storage/write_session.hpp>

#include <sealpipe/dag.hpp>
#include <sealpipe/encoding.hpp>
#include <sealpipe/storage.hpp>

#include "support/vectors.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <thread>

using namespace sealpipe;

namespace {
using Aead = aead::AesGcmSiv<256>;
using Chain = encoding::DeterministicPipeline<encoding::SimpleLzw, Aead>;

Aead::Key key_of(Byte b) { return Aead::Key::from(Bytes(32, b)).value(); }

using test::contains;
} // namespace

BOOST_AUTO_TEST_SUITE(dag_pipeline)

BOOST_AUTO_TEST_CASE(files_through_a_real_pipeline_and_a_verified_store) {
    Chain pipeline({}, key_of(1));
    storage::MemoryStore store;
    dag::Writer writer(pipeline, store);   // a pipeline and a store plug in directly
    BOOST_TEST(writer.parameters_size() == 16u);   // the AES-GCM-SIV tag

    dag::TreeWriter tree(writer, {.chunk_bytes = 4096, .fan_out = 16});
    const std::string secret = "the quick brown fox jumps over the lazy dog ";
    Bytes data;
    for (int i = 0; i < 4000; ++i) append(data, as_bytes(secret + std::to_string(i)));
    auto link = tree.put_bytes(data).value();
    BOOST_TEST(link.reference.height() >= 2u);

    // Nothing the store holds reveals the plaintext.
    std::size_t objects_seen = 0;
    auto seen = store.backend().enumerate([&](const storage::ObjectInfo& info) {
        ++objects_seen;
        auto bytes = store.get(info.reference).value();
        BOOST_TEST(!contains(bytes, as_bytes("quick brown fox")));
        return true;
    });
    BOOST_TEST(seen.has_value());
    BOOST_TEST(objects_seen > 10u);

    dag::Reader reader(pipeline, store);
    BOOST_TEST(dag::TreeReader(reader).get_bytes(link, data.size()).value() == data);

    // The same data under the same key gives the same root (deduplication) ...
    auto again = tree.put_bytes(data).value();
    BOOST_TEST((again == link));
    // ... and under another key a different one, which the first key cannot read.
    Chain other({}, key_of(2));
    dag::Writer other_writer(other, store);
    auto other_link = dag::TreeWriter(other_writer).put_bytes(data).value();
    BOOST_TEST((other_link.reference != link.reference));
    BOOST_TEST((reader.read(other_link).error() == errc::authentication_failed));
}

BOOST_AUTO_TEST_CASE(reachability_without_a_key_and_corruption_on_read) {
    Chain pipeline({}, key_of(3));
    storage::MemoryStore store;
    storage::WriteSession objects(store);
    dag::Writer writer(pipeline, objects);
    auto link = dag::TreeWriter(writer, {.chunk_bytes = 100, .fan_out = 4}).put_bytes(test::pattern(2000)).value();

    // The store walks the plaintext references alone.
    const storage::Reference root = link.reference;
    auto reach = storage::check_reachable(store, root);
    BOOST_REQUIRE(reach.has_value());
    BOOST_TEST(reach->objects >= 20u + 5u);

    // Removing one object is noticed by the store and by the reader.
    dag::Reader reader(pipeline, objects);
    auto node = reader.read(link).value();
    const storage::Reference child = node.child(0).reference;
    BOOST_TEST(store.backend().remove(child).value());
    BOOST_TEST((storage::check_reachable(store, root).error() == errc::object_not_found));
    BOOST_TEST((dag::TreeReader(reader).get_bytes(link, 1 << 20).error() == errc::object_not_found));
}

BOOST_AUTO_TEST_CASE(randomized_pipelines_work_without_deduplication) {
    using Gcm = aead::AesGcm<aead::Nonce12, 256>;
    encoding::RandomizedPipeline<encoding::SimpleLzw, Gcm> pipeline({}, Gcm::Key::from(Bytes(32, 4)).value());
    storage::MemoryStore store;
    storage::WriteSession objects(store);
    dag::Writer writer(pipeline, objects);
    BOOST_TEST(writer.parameters_size() == 28u);   // nonce and tag
    const Bytes data = test::pattern(10'000);
    auto a = dag::TreeWriter(writer, {.chunk_bytes = 1000}).put_bytes(data).value();
    auto b = dag::TreeWriter(writer, {.chunk_bytes = 1000}).put_bytes(data).value();
    BOOST_TEST((a.reference != b.reference));
    dag::Reader reader(pipeline, objects);
    BOOST_TEST(dag::TreeReader(reader).get_bytes(a, 1 << 20).value() == data);
    BOOST_TEST(dag::TreeReader(reader).get_bytes(b, 1 << 20).value() == data);
}

BOOST_AUTO_TEST_CASE(commit_finds_objects_removed_since_they_were_put) {
    // A garbage collection that runs while a tree is being stored, with a grace period
    // shorter than the put, removes objects the root will need: commit says so, and a
    // TreeWriter then hands out no root.
    Chain pipeline({}, key_of(5));
    storage::MemoryStore store;
    storage::WriteSession objects(store);
    dag::Writer writer(pipeline, objects);
    auto leaf = writer.write({}, as_bytes("leaf")).value();
    auto root = writer.write(std::vector{leaf}, as_bytes("root")).value();
    BOOST_TEST(store.backend().remove(leaf.reference).value());
    auto c = writer.commit();
    BOOST_REQUIRE(!c.has_value());
    BOOST_TEST((c.error() == errc::object_not_found));
    BOOST_TEST(c.error().message().find(hex_encode(leaf.reference.bytes())) != std::string::npos);
    BOOST_TEST(writer.commit().has_value());   // what was checked is forgotten
    (void)root;

    // The same through put_bytes: a store that loses every third object it is given.
    struct Losing {
        storage::MemoryStore& s;
        int n = 0;
        result<void> put(const storage::Reference& k, ByteView d) {
            if (auto r = s.put(k, d); !r) return r;
            if (++n % 3 == 0) (void)s.remove(k);
            return {};
        }
        result<Bytes> get(const storage::Reference& k) { return s.get(k); }
    } losing{store};
    storage::WriteSession lossy(losing);
    dag::Writer lossy_writer(pipeline, lossy);
    auto r = dag::TreeWriter(lossy_writer, {.chunk_bytes = 100}).put_bytes(test::pattern(1000, 6));
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error() == errc::object_not_found));
}

BOOST_AUTO_TEST_CASE(batched_puts_are_written_in_order_by_the_commit) {
    Chain pipeline({}, key_of(6));
    storage::MemoryStore store;
    storage::WriteSession objects(store, {.batch_objects = 64});
    dag::Writer writer(pipeline, objects);
    auto leaf = writer.write({}, as_bytes("leaf")).value();
    BOOST_TEST(store.backend().size() == 0u);   // batched
    dag::Reader reader(pipeline, objects);
    BOOST_TEST(as_chars(reader.read(leaf).value().body()) == "leaf");   // a read writes the batch first
    BOOST_TEST(store.backend().size() == 1u);
    auto link = dag::TreeWriter(writer, {.chunk_bytes = 100}).put_bytes(test::pattern(3000, 7)).value();
    BOOST_TEST(storage::check_reachable(store, link.reference).has_value());

    // Counting what is new: 30 distinct chunks and the file node, once; nothing the second time.
    storage::MemoryStore fresh;
    storage::WriteSession counting(fresh, {.batch_objects = 8, .count_new = true});
    dag::Writer counting_writer(pipeline, counting);
    Bytes repeated = test::pattern(3000, 8);
    append(repeated, ByteView(repeated).first(1000));   // ten chunks again
    (void)dag::TreeWriter(counting_writer, {.chunk_bytes = 100}).put_bytes(repeated).value();
    BOOST_TEST(counting.new_objects() == fresh.backend().size());
    BOOST_TEST(counting.new_objects() == 31u);
    std::uint64_t bytes = 0;
    (void)fresh.backend().enumerate([&](const storage::ObjectInfo& info) {
        bytes += fresh.backend().get(info.reference).value().size();
        return true;
    });
    BOOST_TEST(counting.new_bytes() == bytes);
    (void)dag::TreeWriter(counting_writer, {.chunk_bytes = 100}).put_bytes(repeated).value();
    BOOST_TEST(counting.new_objects() == 31u);
}

BOOST_AUTO_TEST_CASE(repair_rewrites_objects_stored_corrupt) {
    Chain pipeline({}, key_of(7));
    storage::MemoryStore store;
    storage::WriteSession objects(store);
    dag::Writer writer(pipeline, objects);
    const Bytes data = test::pattern(1000, 8);
    auto link = dag::TreeWriter(writer, {.chunk_bytes = 100}).put_bytes(data).value();
    const storage::Reference root = link.reference;
    // One byte of one chunk flips in the medium.
    dag::Reader reader(pipeline, objects);
    const storage::Reference chunk = reader.read(link).value().child(0).reference;
    Bytes bad = store.backend().get(chunk).value();
    bad.back() ^= 1;
    BOOST_TEST(store.backend().remove(chunk).value());
    BOOST_TEST(store.backend().put(chunk, bad).has_value());
    BOOST_TEST((storage::check_reachable(store, root).error() == errc::object_corrupt));
    // Putting the same data again refreshes the stored objects, corrupt or not ...
    BOOST_TEST((dag::TreeWriter(writer, {.chunk_bytes = 100}).put_bytes(data).value() == link));
    BOOST_TEST((storage::check_reachable(store, root).error() == errc::object_corrupt));
    // ... and with repair, reads them back and rewrites the corrupt one.
    storage::WriteSession repairing(store, {.repair = true});
    dag::Writer repair_writer(pipeline, repairing);
    BOOST_TEST((dag::TreeWriter(repair_writer, {.chunk_bytes = 100}).put_bytes(data).value() == link));
    BOOST_TEST(repairing.repaired() == 1u);
    BOOST_TEST(storage::check_reachable(store, root).has_value());
}

BOOST_AUTO_TEST_CASE(background_batches_keep_their_order_and_report_failures) {
    Chain pipeline({}, key_of(9));
    // A store that records the order of its batches, is slow, and can be made to fail.
    struct Recording {
        storage::MemoryStore& s;
        std::vector<std::vector<storage::Reference>> batches;
        std::atomic<bool> fail{false};
        std::atomic<int> in_flight{0}, most_in_flight{0};
        result<void> put(const storage::Reference& k, ByteView d) { return s.put(k, d); }
        result<Bytes> get(const storage::Reference& k) { return s.get(k); }
        result<std::vector<bool>> contains_many(std::span<const storage::Reference> keys) { return s.contains_many(keys); }
        result<void> put_many(std::span<const storage::PutItem> items) {
            const int now = ++in_flight;
            most_in_flight = std::max(most_in_flight.load(), now);
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
            std::vector<storage::Reference> refs;
            for (const auto& i : items) refs.push_back(i.reference);
            batches.push_back(std::move(refs));
            --in_flight;
            if (fail) return fail_with();
            return s.put_many(items);
        }
        static Error fail_with() { return Error(errc::io_error, "disk on fire"); }
    };
    storage::MemoryStore store;
    Recording recording{store};
    {
        storage::WriteSession objects(recording, {.batch_objects = 4, .background = true});
        dag::Writer writer(pipeline, objects);
        auto link = dag::TreeWriter(writer, {.chunk_bytes = 100}).put_bytes(test::pattern(5000, 9)).value();
        BOOST_TEST_REQUIRE(objects.commit().has_value());
        BOOST_TEST(storage::check_reachable(store, link.reference).has_value());
        BOOST_TEST(recording.most_in_flight.load() == 1, "one batch in flight at a time");
        // Children reach the store before the parents that name them.
        std::set<storage::Reference> stored;
        for (const auto& batch : recording.batches)
            for (const auto& r : batch) {
                auto data = store.get(r).value();
                for (auto c : object::ContentsView::from_data(r, data).value().children())
                    BOOST_TEST(stored.contains(c));
                stored.insert(r);
            }
    }
    // A failed background batch is reported by the next call, and by the commit.
    recording.fail = true;
    storage::WriteSession failing(recording, {.batch_objects = 2, .background = true});
    dag::Writer writer(pipeline, failing);
    auto r = dag::TreeWriter(writer, {.chunk_bytes = 100}).put_bytes(test::pattern(3000, 10));
    if (r) {
        auto c = failing.commit();
        BOOST_TEST_REQUIRE(!c.has_value());
        BOOST_TEST(c.error().message().find("disk on fire") != std::string::npos);
    } else {
        BOOST_TEST(r.error().message().find("disk on fire") != std::string::npos);
    }
}

BOOST_AUTO_TEST_SUITE_END()
