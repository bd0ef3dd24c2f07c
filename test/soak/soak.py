# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# Soak test: long-running load on one SQLite store and one directory store, with a process
# killed with SIGKILL every few seconds. Run by scripts/soak, not by the default test run.
#
# Eight workers (four per store) loop: put a tree (new or already stored), get a recorded root
# and compare it with its tree, or collect garbage keeping every recorded root. A root is
# recorded only when `store put` printed it. A killer sends SIGKILL to one running tool process
# every few seconds. At the end:
#   - every recorded root passes `store check`, and a sample of them restores identically;
#   - no get of a recorded root failed other than by being killed;
#   - memory and file descriptors are flat: per command, the median peak RSS and open
#     descriptors of the last fifth of the run are within 25% (and 4 descriptors) of the first
#     fifth's, and the store does not keep growing beyond what the kept roots hold.
# Prints a summary and exits 1 on any failure.
import argparse
import base64
import filecmp
import json
import os
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def tree_equal(a, b):
    c = filecmp.dircmp(a, b)
    if c.left_only or c.right_only or c.diff_files or c.funny_files:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, c.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(tree_equal(os.path.join(a, d), os.path.join(b, d)) for d in c.common_dirs)


def make_tree(path, rng):
    """A small tree: a few directories, files from empty to 3 MiB (chunked), text and random."""
    os.makedirs(path)
    for d in range(rng.randint(1, 4)):
        sub = os.path.join(path, "d%d" % d)
        os.makedirs(sub)
        for f in range(rng.randint(1, 12)):
            size = rng.choice([0, 10, 1000, 50_000, 300_000, 1_200_000, 3_000_000])
            data = rng.randbytes(size) if rng.random() < 0.5 else (b"line %d\n" % f) * (size // 8)
            with open(os.path.join(sub, "f%d" % f), "wb") as out:
                out.write(data)


class Soak:
    def __init__(self, tool, work, minutes, seed):
        self.tool, self.work, self.deadline = tool, work, time.time() + minutes * 60
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.roots = {}                       # store URI -> {link: tree}
        self.running = {}                     # pid -> (command, store)
        self.samples = []                     # (time, command, peak RSS KiB, max fds)
        self.failures = []
        self.counts = {}
        self.start = time.time()
        self.encoders = os.path.join(work, "encoders.json")
        with open(self.encoders, "w") as f:
            key = base64.b64encode(bytes(range(32))).decode()
            f.write(json.dumps([{"zstdCompressing": {"level": 3}}, {"encrypting": {"encryptionKey": key}}]))
        self.stores = ["sqlite:" + os.path.join(work, "store.sqlite"), "dir:" + os.path.join(work, "objects")]
        for s in self.stores:
            self.roots[s] = {}
        os.makedirs(os.path.join(work, "out"))
        self.trees = []
        for i in range(16):
            t = os.path.join(work, "trees", "t%d" % i)
            make_tree(t, self.rng)
            self.trees.append(t)

    def count(self, what):
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + 1

    def tool_run(self, command, store, args):
        """Runs the tool; samples its open descriptors while it runs; returns (code, out, err)."""
        p = subprocess.Popen([self.tool, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        with self.lock:
            self.running[p.pid] = (command, store)
        outs = {}
        drains = [threading.Thread(target=lambda n=n, f=f: outs.__setitem__(n, f.read()))
                  for n, f in (("out", p.stdout), ("err", p.stderr))]
        for t in drains:
            t.start()
        fds = 0
        while True:
            pid, status, usage = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            try:
                fds = max(fds, len(os.listdir("/proc/%d/fd" % p.pid)))
            except OSError:
                pass
            time.sleep(0.05)
        for t in drains:
            t.join()
        p.stdout.close()
        p.stderr.close()
        code = os.waitstatus_to_exitcode(status)
        p.returncode = code   # reaped here, with its resource usage
        with self.lock:
            self.running.pop(p.pid, None)
            if code == 0:
                self.samples.append((time.time(), command, usage.ru_maxrss, fds))
        return code, outs["out"], outs["err"]

    def worker(self, index):
        store = self.stores[index % 2]
        rng = random.Random(index)
        while time.time() < self.deadline:
            with self.lock:
                known = list(self.roots[store].items())
            choice = rng.random()
            if choice < 0.45 or not known:
                tree = rng.choice(self.trees)
                code, out, err = self.tool_run("put", store, ["store", "put", "--store", store,
                                                              "--encoders", self.encoders, tree])
                if code == 0:
                    link = out.decode().strip()
                    with self.lock:
                        self.roots[store][link] = tree
                    self.count("put")
                elif code == -signal.SIGKILL:
                    self.count("put killed")
                else:
                    # A put racing a collection may fail (and says so); it must not print a root.
                    self.count("put failed")
                    if out:
                        self.failures.append("put failed yet printed %r: %s" % (out, err.decode()))
            elif choice < 0.9:
                link, tree = rng.choice(known)
                dest = os.path.join(self.work, "out", "%d-%d" % (index, rng.getrandbits(48)))
                code, out, err = self.tool_run("get", store, ["store", "get", "--store", store, "--encoders",
                                                              self.encoders, "--out", dest, link])
                if code == 0:
                    self.count("get")
                    if not tree_equal(tree, dest):
                        self.failures.append("get of %s restored a different tree" % link)
                elif code == -signal.SIGKILL:
                    self.count("get killed")
                    # The restored tree appears under its name only whole (a rename): killed
                    # after it, the tree is there and complete; before it, it is absent.
                    if os.path.exists(dest):
                        self.count("get killed after its rename")
                        if not tree_equal(tree, dest):
                            self.failures.append("a killed get left an incomplete %s" % dest)
                else:
                    self.failures.append("get of recorded root %s in %s failed: %s" % (link, store, err.decode()))
                subprocess.run(["rm", "-rf", dest])
            else:
                keep = []
                for link in [link for link, _ in known]:
                    keep += ["--keep", link.split(".")[0]]
                code, out, err = self.tool_run("gc", store, ["store", "gc", "--store", store, "--grace", "120", *keep])
                if code == 0:
                    self.count("gc")
                elif code == -signal.SIGKILL:
                    self.count("gc killed")
                else:
                    self.failures.append("gc of %s failed: %s" % (store, err.decode()))

    def killer(self):
        while time.time() < self.deadline:
            time.sleep(self.rng.uniform(2, 5))
            with self.lock:
                pids = list(self.running)
            if pids:
                try:
                    os.kill(self.rng.choice(pids), signal.SIGKILL)
                    self.count("kills")
                except ProcessLookupError:
                    pass

    def store_size(self, store):
        path = store.split(":", 1)[1]
        if os.path.isfile(path):
            return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
        return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)

    def run(self):
        threads = [threading.Thread(target=self.worker, args=(i,)) for i in range(8)]
        threads.append(threading.Thread(target=self.killer))
        sizes = []
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            time.sleep(10)
            sizes.append([self.store_size(s) for s in self.stores])
        self.report(sizes)

    def report(self, sizes):
        elapsed = time.time() - self.start
        print("soak: %.1f minutes, %s" % (elapsed / 60, ", ".join("%s %d" % kv for kv in sorted(self.counts.items()))))
        # Every recorded root is whole.
        checked = 0
        for store, roots in self.roots.items():
            for link in roots:
                p = subprocess.run([self.tool, "store", "check", "--store", store, link.split(".")[0]],
                                   capture_output=True)
                checked += 1
                if p.returncode != 0:
                    self.failures.append("store check %s in %s: %s" % (link, store, p.stderr.decode()))
            for link, tree in list(roots.items())[:5]:
                dest = os.path.join(self.work, "final")
                p = subprocess.run([self.tool, "store", "get", "--store", store, "--encoders", self.encoders,
                                    "--out", dest, link], capture_output=True)
                if p.returncode != 0 or not tree_equal(tree, dest):
                    self.failures.append("final get of %s in %s failed" % (link, store))
                subprocess.run(["rm", "-rf", dest])
        print("soak: %d recorded roots, every one checked with 'store check'" % checked)
        partial = [n for n in os.listdir(os.path.join(self.work, "out")) if n.startswith(".sealpipe-partial-")]
        print("soak: %d partial restores left by gets killed before their rename (SIGKILL cannot be "
              "cleaned up after; they never take the destination's name)" % len(partial))
        # Flat memory and descriptors: first fifth against last fifth, per command.
        span = max(elapsed, 1)
        for command in ("put", "get", "gc"):
            first = [s for s in self.samples if s[1] == command and s[0] - self.start < span / 5]
            last = [s for s in self.samples if s[1] == command and s[0] - self.start > span * 4 / 5]
            if len(first) < 3 or len(last) < 3:
                continue
            rss0, rss1 = statistics.median(s[2] for s in first), statistics.median(s[2] for s in last)
            fd0, fd1 = statistics.median(s[3] for s in first), statistics.median(s[3] for s in last)
            print("soak: %-3s peak RSS median %6.1f -> %6.1f MiB, open descriptors median %d -> %d (%d, %d runs)"
                  % (command, rss0 / 1024, rss1 / 1024, fd0, fd1, len(first), len(last)))
            if rss1 > rss0 * 1.25 + 4096:
                self.failures.append("%s: peak memory grew from %d to %d KiB" % (command, rss0, rss1))
            if fd1 > fd0 + 4:
                self.failures.append("%s: open descriptors grew from %d to %d" % (command, fd0, fd1))
        if sizes:
            n = max(1, len(sizes) // 5)
            for i, store in enumerate(self.stores):
                early = max(s[i] for s in sizes[:n])
                late = max(s[i] for s in sizes[-n:])
                print("soak: %s size, max of the first and last fifth: %.1f -> %.1f MiB"
                      % (store.split(":")[0], early / 2**20, late / 2**20))
        # The collector's own descriptors and memory (this process) stay flat too.
        print("soak: driver peak RSS %.1f MiB" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
        for f in self.failures[:20]:
            print("soak: FAILURE: " + f)
        print("soak: %s" % ("passed" if not self.failures else "%d failures" % len(self.failures)))
        return not self.failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="sealpipe-soak-") as work:
        s = Soak(args.tool, work, args.minutes, args.seed)
        s.run()
        sys.exit(0 if not s.failures else 1)


if __name__ == "__main__":
    main()
