// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// Fuzz target: the storage provider reading documents it did not write. The input is split
// at NUL bytes into a backend config, a result, a status, a queued job and a key-rotation
// statement, stored as they are next to the fixed key's public key; every provider operation
// must return a value or an error, never crash, and a result that verifies must be signed by
// the fixed key and name its job. The seed corpus holds documents signed by that key.

#include <sealpipe/sqooler/provider.hpp>

#include <cstdint>
#include <cstdlib>
#include <map>

namespace {

using namespace sealpipe;
using namespace sealpipe::jose;
using namespace sealpipe::sqooler;

/// Documents in a map (the folder is the part before the last '/').
class MemoryDocuments {
public:
    result<std::optional<std::string>> get(const std::string& path) {
        auto it = docs_.find(path);
        if (it == docs_.end()) return std::optional<std::string>();
        return std::optional<std::string>(it->second);
    }
    result<void> put(const std::string& path, std::string_view text) {
        docs_[path] = std::string(text);
        return {};
    }
    result<bool> put_if_absent(const std::string& path, std::string_view text) {
        return docs_.emplace(path, std::string(text)).second;
    }
    result<bool> put_if_unchanged(const std::string& path, std::string_view expected, std::string_view text) {
        auto it = docs_.find(path);
        if (it == docs_.end() || it->second != expected) return false;
        it->second = std::string(text);
        return true;
    }
    result<bool> move(const std::string& from, const std::string& to) {
        auto it = docs_.find(from);
        if (it == docs_.end()) return false;
        std::string text = std::move(it->second);
        docs_.erase(it);
        docs_[to] = std::move(text);
        return true;
    }
    result<std::vector<std::string>> list(const std::string& folder) {
        std::vector<std::string> out;
        const std::string prefix = folder + "/";
        for (auto it = docs_.lower_bound(prefix); it != docs_.end() && it->first.starts_with(prefix); ++it) {
            const std::string name = it->first.substr(prefix.size());
            if (name.find('/') == std::string::npos) out.push_back(name);
        }
        return out;
    }

private:
    std::map<std::string, std::string> docs_;
};

const PrivateJwk& fixed_key() {
    static const auto key = [] {
        std::array<Byte, 32> seed{};
        seed.fill(0x42);
        return PrivateJwk::from_key("fuzz", Ed25519PrivateKey::from_raw(seed).value()).value();
    }();
    return key;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string parts[5];
    for (auto& part : parts) {
        const auto nul = text.find('\0');
        part = std::string(text.substr(0, nul));
        if (nul == std::string_view::npos) {
            text = {};
            break;
        }
        text.remove_prefix(nul + 1);
    }
    Provider p(MemoryDocuments{});
    auto& d = p.documents();
    (void)d.put("backends/public_keys/fuzz", fixed_key().public_jwk().to_json());
    (void)d.put("backends/configs/b", parts[0]);
    (void)d.put("results/b/j", parts[1]);
    (void)d.put("status/b/j", parts[2]);
    (void)d.put("jobs/queued/b/j", parts[3]);
    (void)d.put("backends/key_rotations/fuzz", parts[4]);

    (void)p.get_config("b");
    (void)p.verify_config("b");
    (void)p.get_public_key("b");
    (void)p.get_result("b", "j");
    if (auto v = p.verify_result("b", "j"); v && (v->kid() != "fuzz" || v->payload().job_id != "j")) std::abort();
    (void)p.get_status("b", "j");
    (void)p.verify_status("b", "j");
    (void)p.verify_rotation("fuzz");
    if (auto next = p.next_job_in_queue("b"); next && *next) (void)p.get_running_job((*next)->job_id);
    (void)p.list_backends();
    // Only the owner may update; the fixed key may or may not own what is stored.
    BackendConfig config;
    config.sign = true;
    (void)p.update_config("b", config, &fixed_key());
    (void)p.get_config("b");
    StatusMessage status;
    status.job_id = "j";
    status.status = "RUNNING";
    (void)p.upload_status("b", status, &fixed_key());
    return 0;
}
