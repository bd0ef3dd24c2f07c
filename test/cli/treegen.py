# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# Trees that a backup tool must store and restore faithfully, and a snapshot of everything a
# restore must bring back (types, permission bits, mtimes, contents, link targets), walked
# through directory descriptors so that depth and path length do not matter.
import hashlib
import os
import stat


def write(path, data, mode=0o644, mtime_ns=None, dir_fd=None):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600, dir_fd=dir_fd)
    try:
        os.write(fd, data)
        os.fchmod(fd, mode)
        if mtime_ns is not None:
            os.utime(fd, ns=(mtime_ns, mtime_ns))
    finally:
        os.close(fd)


def links(root, outside):
    """Symlinks of every kind: relative inside, relative climbing out, absolute inside and
    outside, to a directory outside, dangling, '.', and a 4000-byte target."""
    os.makedirs(os.path.join(root, "on", "a", "b", "c"))
    write(os.path.join(root, "on", "file"), b"inside\n")
    os.makedirs(outside, exist_ok=True)
    targets = {
        "on/a/b/c/rel-in": "../../../file",
        "on/a/b/c/rel-out": "../../../../../escape",
        "on/a/b/c/abs": "/etc/passwd",
        "abs-in": os.path.join(os.path.abspath(root), "on", "file"),
        "abs-out-dir": os.path.abspath(outside),
        "dangling": "no/such/thing",
        "dot": ".",
        "long": "x/" * 1999 + "y",
    }
    for name, target in targets.items():
        os.symlink(target, os.path.join(root, name))
    return targets


def odd_names(root):
    """Names with a newline, an escape sequence, invalid UTF-8, a leading dash, 255 bytes."""
    os.makedirs(root, exist_ok=True)
    names = [b"new\nline", b"\x1b[31mred", b"bad-\xff\xfe-utf8", b"-rf", b"n" * 255, b"\xc2\x9bcsi"]
    for n in names:
        write(os.path.join(os.fsencode(root), n), n)
    return names


def modes_and_times(root):
    """Files, directories and links with the permission bits and mtimes a restore must keep."""
    os.makedirs(os.path.join(root, "private", "inner"))
    os.makedirs(os.path.join(root, "shared"))
    files = {"secret": 0o600, "tool": 0o700, "script": 0o755, "readonly": 0o444, "group": 0o640,
             "setgid": 0o2755}
    for i, (name, mode) in enumerate(files.items()):
        write(os.path.join(root, name), name.encode(), mode, mtime_ns=1_234_567_890_123_456_789 + i)
    write(os.path.join(root, "private", "inner", "key"), b"k", 0o400, mtime_ns=-86_400 * 10**9)
    os.symlink("secret", os.path.join(root, "link"))
    os.utime(os.path.join(root, "link"), ns=(1, 1_000_000_007), follow_symlinks=False)
    os.chmod(os.path.join(root, "shared"), 0o1777)
    os.utime(os.path.join(root, "shared"), ns=(1, 2_000_000_000_000_000_009))
    os.chmod(os.path.join(root, "private", "inner"), 0o500)
    os.chmod(os.path.join(root, "private"), 0o700)
    os.utime(os.path.join(root, "private"), ns=(1, 1_500_000_000_000_000_001))


def sparse(path, size, data_at=()):
    """A file of `size` bytes that is a hole but for a few bytes at the given offsets."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for offset in data_at:
            os.pwrite(fd, b"data", offset)
        os.ftruncate(fd, size)
    finally:
        os.close(fd)


def huge_directory(path, count, prefix="f"):
    """`count` empty files in one directory (names of 8 to 12 bytes)."""
    os.makedirs(path, exist_ok=True)
    dfd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for i in range(count):
            os.close(os.open("%s%07d" % (prefix, i), os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=dfd))
    finally:
        os.close(dfd)


def deep(root, depth, links=0, target_bytes=1):
    """`depth` directories "d" below `root`, each with `links` symlinks of `target_bytes`, and a
    file at the bottom; built through descriptors, so the path can exceed PATH_MAX."""
    os.makedirs(root, exist_ok=True)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    target = "t" * target_bytes
    try:
        for _ in range(depth):
            for i in range(links):
                os.symlink(target, "l%d" % i, dir_fd=fd)
            os.mkdir("d", dir_fd=fd)
            nfd = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = nfd
        write("leaf", b"leaf\n", dir_fd=fd)
    finally:
        os.close(fd)


def remove(root):
    """Removes a tree of any depth, whatever its modes."""
    if not os.path.lexists(root):
        return
    if not os.path.isdir(root) or os.path.islink(root):
        os.unlink(root)
        return

    def clear(fd):
        os.fchmod(fd, 0o700)
        for name in os.listdir(fd):
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                try:
                    clear(sub)
                finally:
                    os.close(sub)
                os.rmdir(name, dir_fd=fd)
            else:
                os.unlink(name, dir_fd=fd)

    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        clear(fd)
    finally:
        os.close(fd)
    os.rmdir(root)


def snapshot(root, times=True):
    """{relative path (bytes): (type, mode, mtime_ns, content digest or link target)} of
    everything under `root`, and `root` itself as b"."."""
    out = {}

    def entry(name, st, fd):
        kind = stat.S_IFMT(st.st_mode)
        mtime = st.st_mtime_ns if times else None
        if stat.S_ISLNK(st.st_mode):
            return ("link", None, mtime, os.readlink(name, dir_fd=fd))
        if stat.S_ISREG(st.st_mode):
            f = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=fd)
            h = hashlib.sha256()
            try:
                while True:
                    b = os.read(f, 1 << 20)
                    if not b:
                        break
                    h.update(b)
            finally:
                os.close(f)
            return ("file", stat.S_IMODE(st.st_mode), mtime, h.hexdigest())
        return (kind, stat.S_IMODE(st.st_mode), mtime, None)

    def walk(fd, prefix):
        for name in sorted(os.listdir(fd), key=os.fsencode):
            rel = os.fsencode(name) if not prefix else prefix + b"/" + os.fsencode(name)
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
            if stat.S_ISDIR(st.st_mode):
                sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
                try:
                    walk(sub, rel)
                    st = os.fstat(sub)
                finally:
                    os.close(sub)
                out[rel] = ("dir", stat.S_IMODE(st.st_mode), st.st_mtime_ns if times else None, None)
            else:
                out[rel] = entry(name, st, fd)

    root = os.fsencode(root)
    st = os.lstat(root)
    if stat.S_ISDIR(st.st_mode):
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            walk(fd, b"")
        finally:
            os.close(fd)
        st = os.lstat(root)
        out[b"."] = ("dir", stat.S_IMODE(st.st_mode), st.st_mtime_ns if times else None, None)
    else:
        parent, name = os.path.split(root)
        fd = os.open(parent or b".", os.O_RDONLY | os.O_DIRECTORY)
        try:
            out[b"."] = entry(name, st, fd)
        finally:
            os.close(fd)
    return out
