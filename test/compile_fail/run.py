#!/usr/bin/env python3
# Copyright (c) 2026 The sealpipe authors. Distributed under the Boost Software License,
# Version 1.0 (see LICENSE_1_0.txt).
"""Runs one compile-fail case.

usage: run.py COMPILE_COMMANDS SOURCE [EXPECT]

Compiles SOURCE with the command CMake recorded for it in COMPILE_COMMANDS, checking syntax and
semantics only (-fsyntax-only: parsing and template instantiation are what a type rule is
checked by; code generation would only cost time). With EXPECT (a regular expression), the
compilation must fail, its output must match EXPECT, and the compiler must report exactly one
error: one diagnostic per mistake, no cascade. Without it, the compilation must succeed.

The compiler runs directly rather than through the build tool, so cases need no lock on the
build tree and run in parallel with each other and with the other tests.
"""
import json
import os
import re
import shlex
import subprocess
import sys


def command_for(commands_path, source):
    with open(commands_path, encoding="utf-8") as f:
        entries = json.load(f)
    wanted = os.path.realpath(source)
    for entry in entries:
        path = os.path.join(entry["directory"], entry["file"])
        if os.path.realpath(path) == wanted:
            args = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
            return entry["directory"], args
    sys.exit(f"run.py: {source} is not in {commands_path}")


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    commands_path, source = sys.argv[1], sys.argv[2]
    expect = sys.argv[3] if len(sys.argv) == 4 else None
    directory, args = command_for(commands_path, source)
    # Drop the object file: nothing is generated.
    if "-o" in args:
        i = args.index("-o")
        del args[i:i + 2]
    args.append("-fsyntax-only")
    run = subprocess.run(args, cwd=directory, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, errors="replace")
    out = run.stdout
    name = os.path.basename(source)
    if expect is None:
        if run.returncode != 0:
            sys.exit(f"{name} must compile, but:\n{out}")
        print(f"{name}: compiles")
        return
    if run.returncode == 0:
        sys.exit(f"{name} compiled, but it must not")
    if not re.search(expect, out):
        sys.exit(f"{name}: the compiler's output does not say '{expect}':\n{out}")
    errors = re.findall(r"(?:^|\n)[^\n]*error: ", out)
    if len(errors) != 1:
        sys.exit(f"{name}: {len(errors)} errors where one diagnostic was expected:\n{out}")
    print(f"{name}: refused with one diagnostic matching '{expect}'")


if __name__ == "__main__":
    main()
