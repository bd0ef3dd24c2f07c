// Copyright (c) 2026 The sealpipe authors.
// Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
//
// The sealpipe tool's dispatcher: finds the command, parses its options, runs it, and maps
// the result onto the conventions of doc/cli.md.

#include "cli.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace sealpipe::cli {

namespace {

std::vector<Command>& registry() {
    static std::vector<Command> commands;
    return commands;
}

std::string joined(const std::vector<std::string_view>& words) {
    std::string s;
    for (auto w : words) {
        if (!s.empty()) s += ' ';
        s += w;
    }
    return s;
}

std::string usage_of(const Command& c) {
    std::string u = "usage: sealpipe " + joined(c.words);
    for (const auto& o : c.options) {
        std::string part = "--" + std::string(o.name);
        if (!o.value_name.empty()) part += " " + std::string(o.value_name);
        if (o.repeatable) part += "...";
        u += o.required ? " " + part : " [" + part + "]";
    }
    if (!c.positional_usage.empty()) u += " " + std::string(c.positional_usage);
    u += "\n\n" + std::string(c.summary) + "\n";
    if (!c.options.empty()) {
        u += "\noptions:\n";
        for (const auto& o : c.options) {
            std::string left = "  --" + std::string(o.name);
            if (!o.value_name.empty()) left += " " + std::string(o.value_name);
            if (left.size() < 28) left.resize(28, ' ');
            else left += "  ";
            u += left + std::string(o.help) + "\n";
        }
    }
    if (!c.details.empty()) u += "\n" + std::string(c.details) + "\n";
    return u;
}

std::string overview() {
    std::string u =
        "usage: sealpipe COMMAND [OPTIONS]\n"
        "       sealpipe help [COMMAND]\n"
        "       sealpipe --version\n\ncommands:\n";
    auto commands = registry();
    std::sort(commands.begin(), commands.end(),
              [](const Command& a, const Command& b) { return a.words < b.words; });
    for (const auto& c : commands) {
        std::string left = "  " + joined(c.words);
        if (left.size() < 28) left.resize(28, ' ');
        else left += "  ";
        u += left + std::string(c.summary) + "\n";
    }
    u += "\nExit codes: 0 success, 1 verification failed, 2 bad usage or malformed input.\n";
    return u;
}

/// The command whose words are the longest prefix of `words`; how many words it used.
const Command* find_command(const std::vector<std::string_view>& words, std::size_t& used) {
    const Command* best = nullptr;
    used = 0;
    for (const auto& c : registry()) {
        if (c.words.size() > words.size() || c.words.size() <= used) continue;
        if (std::equal(c.words.begin(), c.words.end(), words.begin())) {
            best = &c;
            used = c.words.size();
        }
    }
    return best;
}

bool is_group(std::string_view word) {
    return std::any_of(registry().begin(), registry().end(),
                       [&](const Command& c) { return !c.words.empty() && c.words[0] == word; });
}

std::string group_usage(std::string_view word) {
    std::string u = "usage: sealpipe " + std::string(word) + " SUBCOMMAND ...\n\nsubcommands:\n";
    for (const auto& c : registry())
        if (c.words[0] == word) {
            std::string left = "  " + joined(c.words);
            if (left.size() < 28) left.resize(28, ' ');
            else left += "  ";
            u += left + std::string(c.summary) + "\n";
        }
    return u;
}

result<Args> parse(const Command& c, const std::vector<std::string_view>& rest) {
    Args args;
    bool options_done = false;
    for (std::size_t i = 0; i < rest.size(); ++i) {
        const std::string_view a = rest[i];
        if (!options_done && a == "--") {
            options_done = true;
            continue;
        }
        if (!options_done && a.starts_with("--")) {
            std::string_view name = a.substr(2);
            std::optional<std::string_view> inline_value;
            if (auto eq = name.find('='); eq != std::string_view::npos) {
                inline_value = name.substr(eq + 1);
                name = name.substr(0, eq);
            }
            const auto it = std::find_if(c.options.begin(), c.options.end(),
                                         [&](const Option& o) { return o.name == name; });
            if (it == c.options.end())
                return fail(usage_error, "unknown option --" + std::string(name) + " for '" + joined(c.words) + "'");
            auto& slot = args.values_[std::string(name)];
            if (!slot.empty() && !it->repeatable)
                return fail(usage_error, "option --" + std::string(name) + " given more than once");
            if (it->value_name.empty()) {
                if (inline_value) return fail(usage_error, "option --" + std::string(name) + " takes no value");
                slot.emplace_back();
            } else if (inline_value) {
                slot.emplace_back(*inline_value);
            } else {
                if (i + 1 >= rest.size())
                    return fail(usage_error, "option --" + std::string(name) + " needs a value (" +
                                                  std::string(it->value_name) + ")");
                slot.emplace_back(rest[++i]);
            }
            continue;
        }
        args.positional_.emplace_back(a);
    }
    for (const auto& o : c.options)
        if (o.required && !args.has(o.name))
            return fail(usage_error, "missing required option --" + std::string(o.name));
    if (args.positional_.size() < c.min_positional || args.positional_.size() > c.max_positional) {
        if (c.max_positional == 0)
            return fail(usage_error, "'" + joined(c.words) + "' takes no positional argument");
        return fail(usage_error, "'" + joined(c.words) + "' expects " +
                                      (c.min_positional == c.max_positional
                                           ? std::to_string(c.min_positional)
                                           : std::to_string(c.min_positional) + " or more") +
                                      " argument(s): " + std::string(c.positional_usage));
    }
    return args;
}

int report(const Error& e) {
    std::fprintf(stderr, "sealpipe: error: %s\n", printable(e.message()).c_str());
    return exit_code_for(e);
}

bool write_all(int fd, ByteView b) {
    while (!b.empty()) {
        const ssize_t n = ::write(fd, b.data(), b.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        b = b.subspan(static_cast<std::size_t>(n));
    }
    return true;
}

bool is_help(std::string_view a) { return a == "--help" || a == "-h"; }

} // namespace

void register_command(Command c) { registry().push_back(std::move(c)); }

std::optional<std::string> Args::get(std::string_view name) const {
    auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) return std::nullopt;
    return it->second.front();
}

const std::string& Args::required(std::string_view name) const { return values_.find(name)->second.front(); }

std::vector<std::string> Args::all(std::string_view name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

result<Bytes> Io::read_stdin(std::size_t limit) {
    Bytes data;
    Byte buf[65536];
    for (;;) {
        const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(errc::io_error, "reading standard input failed");
        }
        if (n == 0) break;
        if (data.size() + static_cast<std::size_t>(n) > limit)
            return fail(errc::size_limit_exceeded,
                        "standard input is larger than " + std::to_string(limit) + " bytes");
        data.insert(data.end(), buf, buf + n);
    }
    return data;
}

InPlaceBuffer::~InPlaceBuffer() {
    if (data_ == nullptr) return;
    wipe(MutableByteView(data_, touched_));
    ::munmap(data_, capacity_);
}

void InPlaceBuffer::reserve(std::size_t n) {
    constexpr std::size_t page = 4096, huge = std::size_t{2} << 20;
    if (n <= capacity_) return;
    const std::size_t want = (std::max(n, capacity_ * 2) + page - 1) / page * page;
    void* p = data_ == nullptr ? ::mmap(nullptr, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                               : ::mremap(data_, capacity_, want, MREMAP_MAYMOVE);
    if (p == MAP_FAILED) throw std::bad_alloc();
    if (want >= huge) ::madvise(p, want, MADV_HUGEPAGE);   // advice only
    data_ = static_cast<Byte*>(p);
    capacity_ = want;
}

result<MutableByteView> Io::read_stdin_in_place(std::size_t room, std::size_t limit) {
    std::size_t size = 0;
    struct stat st {};
    // A regular file: its size up front, one buffer, no growth.
    if (::fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode)) {
        const off_t at = ::lseek(STDIN_FILENO, 0, SEEK_CUR);
        const auto left = static_cast<std::size_t>(st.st_size - (at > 0 && at <= st.st_size ? at : 0));
        if (left > limit)
            return fail(errc::size_limit_exceeded, "standard input is larger than " + std::to_string(limit) + " bytes");
        in_place_.reserve(left + room + 1);   // + 1: EOF is seen without growing
    }
    for (;;) {
        if (in_place_.capacity() - size < room + 1) in_place_.reserve(std::max<std::size_t>(size + room + 1, 1 << 20));
        const std::size_t chunk = std::min<std::size_t>(in_place_.capacity() - size - room, std::size_t{1} << 30);
        const ssize_t n = ::read(STDIN_FILENO, in_place_.data() + size, chunk);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(errc::io_error, "reading standard input failed");
        }
        if (n == 0) break;
        size += static_cast<std::size_t>(n);
        in_place_.touched(size);
        if (size > limit)
            return fail(errc::size_limit_exceeded, "standard input is larger than " + std::to_string(limit) + " bytes");
    }
    in_place_data_ = in_place_.data();
    return MutableByteView(in_place_.data(), size);
}

MutableByteView Io::grow_in_place(std::size_t n) {
    in_place_.reserve(n);
    in_place_data_ = in_place_.data();
    return MutableByteView(in_place_.data(), n);
}

MutableByteView Io::output_buffer(std::size_t n) {
    out_place_.reserve(n);
    out_place_.touched(n);
    return MutableByteView(out_place_.data(), n);
}

result<std::string> Io::read_stdin_text(std::size_t limit) {
    auto b = read_stdin(limit);
    if (!b) return b.error();
    return std::string(as_chars(*b));
}

bool Io::stdout_is_terminal() const { return ::isatty(STDOUT_FILENO) == 1; }
bool Io::stderr_is_terminal() const { return ::isatty(STDERR_FILENO) == 1; }

result<Bytes> read_file(const std::string& path, std::size_t limit) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!f) return fail(errc::io_error, "cannot open " + path + ": " + std::strerror(errno));
    Bytes data;
    Byte buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
        if (data.size() + n > limit)
            return fail(errc::size_limit_exceeded, path + " is larger than " + std::to_string(limit) + " bytes");
        data.insert(data.end(), buf, buf + n);
    }
    if (std::ferror(f.get())) return fail(errc::io_error, "cannot read " + path);
    return data;
}

result<std::string> read_text_file(const std::string& path, std::size_t limit) {
    auto b = read_file(path, limit);
    if (!b) return b.error();
    std::string s(as_chars(*b));
    wipe(*b);
    return s;
}

result<void> write_file(const std::string& path, ByteView data) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "wb"), &std::fclose);
    if (!f) return fail(errc::io_error, "cannot create " + path + ": " + std::strerror(errno));
    if (!data.empty() && std::fwrite(data.data(), 1, data.size(), f.get()) != data.size())
        return fail(errc::io_error, "cannot write " + path);
    if (std::fclose(f.release()) != 0) return fail(errc::io_error, "cannot write " + path);
    return {};
}

result<Bytes> hex_option(const Args& args, std::string_view name) {
    auto v = args.get(name);
    if (!v) return Bytes{};
    auto b = hex_decode(*v);
    if (!b) return std::move(b.error()).context("--" + std::string(name));
    return b;
}

std::string mib(std::uint64_t bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
    return buf;
}

std::string duration(double seconds) {
    char buf[32];
    const auto s = static_cast<long long>(seconds + 0.5);
    if (s >= 3600) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
    return buf;
}

ProgressLine::ProgressLine(bool enabled, std::string verb)
    : enabled_(enabled), verb_(std::move(verb)), start_(std::chrono::steady_clock::now()) {}

ProgressLine::~ProgressLine() { end(); }

bool ProgressLine::due() {
    if (!enabled_) return false;
    const auto now = std::chrono::steady_clock::now();
    if (shown_ && now - last_ < std::chrono::milliseconds(100)) return false;
    last_ = now;
    return true;
}

void ProgressLine::show(const std::string& line) {
    std::fprintf(stderr, "\r%s\033[K", printable(line).c_str());
    std::fflush(stderr);
    shown_ = true;
}

void ProgressLine::note(const std::string& text) {
    if (shown_) std::fputs("\r\033[K", stderr);
    std::fprintf(stderr, "%s\n", printable(text).c_str());
    shown_ = false;
}

void ProgressLine::summary(const std::string& text) {
    if (!enabled_) return;
    show(text + " in " + duration(seconds()));
    end();
}

double ProgressLine::seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressLine::end() {
    if (shown_) std::fputc('\n', stderr);
    shown_ = false;
}

std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    auto escape = [&](unsigned char c) {
        static constexpr char digits[] = "0123456789abcdef";
        out += "\\x";
        out += digits[c >> 4];
        out += digits[c & 15];
    };
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f) escape(c);
            else out += static_cast<char>(c);
            ++i;
            continue;
        }
        // One UTF-8 sequence: its length from the lead byte, then continuation bytes, no
        // overlong form, no surrogate, nothing above U+10FFFF, and no C1 control (U+0080..U+009F).
        const std::size_t n = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0;
        bool ok = n != 0 && i + n <= text.size();
        std::uint32_t cp = n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
        for (std::size_t k = 1; ok && k < n; ++k) {
            const auto d = static_cast<unsigned char>(text[i + k]);
            ok = (d & 0xc0) == 0x80;
            cp = cp << 6 | (d & 0x3f);
        }
        ok = ok && !(n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) && !(n == 4 && (cp < 0x10000 || cp > 0x10ffff)) &&
             !(cp >= 0x80 && cp <= 0x9f);
        if (!ok) {
            escape(c);
            ++i;
            continue;
        }
        out.append(text.substr(i, n));
        i += n;
    }
    return out;
}

result<std::uint64_t> uint_option(const Args& args, std::string_view name, std::uint64_t fallback) {
    auto v = args.get(name);
    if (!v) return fallback;
    std::uint64_t out = 0;
    const auto* end = v->data() + v->size();
    auto [p, ec] = std::from_chars(v->data(), end, out);
    if (ec != std::errc() || p != end || v->empty())
        return fail(usage_error, "--" + std::string(name) + ": expected a non-negative integer, got '" + *v + "'");
    return out;
}

int run(int argc, char** argv) {
    std::vector<std::string_view> words(argv + 1, argv + argc);
    Io io;
    auto emit = [&](std::string_view text) {
        write_all(STDOUT_FILENO, as_bytes(text));
        return 0;
    };
    if (words.empty()) {
        std::fputs(overview().c_str(), stderr);
        return 2;
    }
    if (words[0] == "--version" || words[0] == "version")
        return emit("sealpipe " SEALPIPE_VERSION_STRING "\n");
    if (is_help(words[0])) return emit(overview());
    if (words[0] == "help") {
        std::vector<std::string_view> topic(words.begin() + 1, words.end());
        if (topic.empty()) return emit(overview());
        std::size_t used = 0;
        const Command* c = find_command(topic, used);
        if (c && used == topic.size()) return emit(usage_of(*c));
        if (topic.size() == 1 && is_group(topic[0])) return emit(group_usage(topic[0]));
        return report(Error(usage_error, "unknown command '" + std::string(topic[0]) + "'"));
    }

    std::size_t used = 0;
    const Command* c = find_command(words, used);
    if (!c) {
        if (is_group(words[0])) {
            if (words.size() > 1 && is_help(words[1])) return emit(group_usage(words[0]));
            return report(Error(usage_error, words.size() > 1
                                                  ? "unknown subcommand '" + std::string(words[0]) + " " +
                                                        std::string(words[1]) + "'"
                                                  : "'" + std::string(words[0]) + "' needs a subcommand"));
        }
        return report(Error(usage_error, "unknown command '" + std::string(words[0]) + "'"));
    }
    std::vector<std::string_view> rest(words.begin() + static_cast<std::ptrdiff_t>(used), words.end());
    if (std::any_of(rest.begin(), rest.end(), is_help)) return emit(usage_of(*c));

    auto args = parse(*c, rest);
    if (!args) return report(args.error());
    result<void> r = [&]() -> result<void> {
        try {
            return c->run(*args, io);
        } catch (const boost::system::system_error& e) {
            return Error(e.code(), e.what());
        } catch (const std::bad_alloc&) {
            return Error(errc::size_limit_exceeded, "out of memory");
        } catch (const std::exception& e) {
            return Error(errc::internal, e.what());
        }
    }();
    if (!r) return report(r.error());
    if (!write_all(STDOUT_FILENO, io.output_view())) {
        std::fprintf(stderr, "sealpipe: error: writing standard output failed\n");
        return 2;
    }
    return 0;
}

} // namespace sealpipe::cli
