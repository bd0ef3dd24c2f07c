// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Tests for sealpipe/dag/node.hpp and link.hpp: node layout, parameters inside the encoded
// payload, validation before decoding, a DAG of thousands of objects, walk budgets.
#include <sealpipe/dag/node.hpp>

#include "support/dag.hpp"
#include "support/vectors.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

using namespace sealpipe;
using test::MapStore;
using test::SivLikeCodec;

namespace {
using test::contains;
} // namespace

BOOST_AUTO_TEST_SUITE(dag_node)

BOOST_AUTO_TEST_CASE(parameters_travel_inside_the_encrypted_payload) {
    SivLikeCodec codec;
    MapStore store;
    // tag::write[]
    dag::Writer writer(codec, store);   // any ObjectCodec, any ObjectStore
    auto a = writer.write({}, as_bytes("leaf a")).value();
    auto b = writer.write({}, as_bytes("leaf b")).value();
    dag::ChildSet set;                  // sorts and de-duplicates children
    set.add(b);
    set.add(a);
    set.add(a);
    auto root = writer.write(set.links(), as_bytes("root body")).value();
    // root.to_string() is "<reference hex>.<decoding parameters hex>"
    // end::write[]
    BOOST_TEST(set.size() == 2u);
    BOOST_TEST(root.parameters.size() == 16u);
    BOOST_TEST(root.reference.degree() == 2u);
    BOOST_TEST(root.reference.height() == 1u);

    // The stored root holds the children's references in plaintext, but neither their
    // parameters nor the body.
    const Bytes& stored = store.objects.at(root.reference);
    BOOST_TEST(contains(stored, a.reference.bytes()));
    BOOST_TEST(!contains(stored, a.parameters));
    BOOST_TEST(!contains(stored, b.parameters));
    BOOST_TEST(!contains(stored, as_bytes("root body")));

    // tag::read[]
    dag::Reader reader(codec, store);
    auto node = reader.read(root).value();   // fetched, validated, then decoded
    for (std::size_t i = 0; i < node.degree(); ++i) {
        dag::Link child = node.child(i);      // reference + parameters from the payload
        (void)child;
    }
    // end::read[]
    BOOST_TEST(as_chars(node.body()) == "root body");
    const auto first = std::min(a, b, [](auto& x, auto& y) { return x.reference < y.reference; });
    BOOST_TEST((node.child(0) == first));
    BOOST_TEST(as_chars(reader.read(node.child(1)).value().body()).starts_with("leaf "));
}

BOOST_AUTO_TEST_CASE(link_text_round_trip) {
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    auto l = writer.write({}, as_bytes("x")).value();
    const std::string text = l.to_string();
    BOOST_TEST(text.size() == 80u + 1u + 32u);
    BOOST_TEST(text[80] == '.');
    BOOST_TEST((dag::Link::parse(text).value() == l));
    BOOST_TEST(!dag::Link::parse(text.substr(0, 80)).has_value());
    BOOST_TEST(!dag::Link::parse("zz." + text.substr(81)).has_value());
    // A link with empty parameters (no encryption) prints with a bare dot.
    test::IdentityCodec id;
    dag::Writer plain(id, store);
    auto p = plain.write({}, as_bytes("y")).value();
    BOOST_TEST(p.to_string().back() == '.');
    BOOST_TEST((dag::Link::parse(p.to_string()).value() == p));
}

BOOST_AUTO_TEST_CASE(writer_rejects_bad_children) {
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    auto a = writer.write({}, as_bytes("a")).value();
    auto b = writer.write({}, as_bytes("b")).value();
    std::vector<dag::Link> unsorted = a.reference < b.reference ? std::vector{b, a} : std::vector{a, b};
    BOOST_TEST((writer.write(unsorted, as_bytes("p")).error() == errc::unsorted_children));
    BOOST_TEST((writer.write(std::vector{a, a}, as_bytes("p")).error() == errc::duplicate_children));
    dag::Link wrong = a;
    wrong.parameters.pop_back();
    BOOST_TEST((writer.write(std::vector{wrong}, as_bytes("p")).error() == errc::invalid_argument));
}

BOOST_AUTO_TEST_CASE(reader_validates_before_decoding) {
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    auto leaf = writer.write({}, as_bytes("secret leaf")).value();
    dag::Reader reader(codec, store);

    // Any single changed byte of the stored object is caught by validation (object_corrupt),
    // before the codec sees it.
    const Bytes original = store.objects.at(leaf.reference);
    for (std::size_t i = 0; i < original.size(); ++i) {
        store.objects[leaf.reference] = original;
        store.objects[leaf.reference][i] ^= 0x01;
        BOOST_TEST((reader.read(leaf).error() == errc::object_corrupt));
    }
    store.objects[leaf.reference] = original;
    // A truncated or extended object too.
    store.objects[leaf.reference].push_back(0);
    BOOST_TEST((reader.read(leaf).error() == errc::object_corrupt));
    store.objects[leaf.reference] = original;

    // Wrong parameters fail authentication; missing objects are reported as such.
    dag::Link bad = leaf;
    bad.parameters[0] ^= 1;
    BOOST_TEST((reader.read(bad).error() == errc::authentication_failed));
    bad.parameters.resize(3);
    BOOST_TEST((reader.read(bad).error() == errc::invalid_argument));
    store.objects.erase(leaf.reference);
    BOOST_TEST((reader.read(leaf).error() == errc::object_not_found));
}

BOOST_AUTO_TEST_CASE(a_dag_of_thousands_of_objects_round_trips) {
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    // Level 0: 3000 leaves; each higher level groups a pseudo-random number of nodes of the
    // level below (with some shared between parents), up to one root.
    std::vector<std::pair<dag::Link, std::string>> level;
    for (int i = 0; i < 3000; ++i) {
        std::string body = "leaf " + std::to_string(i);
        level.emplace_back(writer.write({}, as_bytes(body)).value(), body);
    }
    std::map<object::Reference, std::string> expected;
    for (auto& [l, b] : level) expected[l.reference] = b;
    std::uint32_t x = 12345;
    auto next = [&x] { return x = x * 1103515245u + 12345u, (x >> 8); };
    int depth = 0;
    while (level.size() > 1) {
        std::vector<std::pair<dag::Link, std::string>> up;
        for (std::size_t i = 0; i < level.size();) {
            const std::size_t n = 1 + next() % 40;
            dag::ChildSet set;
            for (std::size_t j = i; j < std::min(level.size(), i + n); ++j) set.add(level[j].first);
            if (i > 0) set.add(level[next() % i].first);   // share a child with an earlier parent
            std::string body = "node " + std::to_string(depth) + "/" + std::to_string(i);
            auto l = writer.write(set.links(), as_bytes(body)).value();
            expected[l.reference] = body;
            up.emplace_back(l, body);
            i += n;
        }
        level = std::move(up);
        ++depth;
    }
    BOOST_TEST(store.objects.size() > 3000u);
    BOOST_TEST(depth >= 2);

    // Walk everything from the root and compare every body.
    dag::Reader reader(codec, store);
    BOOST_TEST(reader.check_walk_budget(level[0].first.reference).has_value());
    std::vector<dag::Link> todo{level[0].first};
    std::set<object::Reference> seen;
    while (!todo.empty()) {
        dag::Link l = todo.back();
        todo.pop_back();
        if (!seen.insert(l.reference).second) continue;
        auto node = reader.read(l);
        BOOST_REQUIRE(node.has_value());
        BOOST_TEST(std::string(as_chars(node->body())) == expected.at(l.reference));
        for (std::size_t i = 0; i < node->degree(); ++i) todo.push_back(node->child(i));
    }
    BOOST_TEST(seen.size() == expected.size());
}

BOOST_AUTO_TEST_CASE(walk_budget_uses_the_parents_size) {
    SivLikeCodec codec;
    MapStore store;
    dag::Writer writer(codec, store);
    dag::Link l = writer.write({}, Bytes(1000, 1)).value();
    for (int i = 0; i < 5; ++i) l = writer.write(std::vector{l}, Bytes(1000, 2)).value();
    BOOST_TEST(l.reference.max_parents_total_size() >= 4000u);
    dag::Reader roomy(codec, store);
    BOOST_TEST(roomy.check_walk_budget(l.reference).has_value());
    dag::Reader tight(codec, store, {.max_walk_bytes = 3000});
    BOOST_TEST((tight.check_walk_budget(l.reference).error() == errc::size_limit_exceeded));
}

BOOST_AUTO_TEST_SUITE_END()
