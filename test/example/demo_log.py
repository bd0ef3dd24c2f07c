# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# `scripts/demo > log 2>&1` keeps the demo's whole output: runs example/demo.sh with stdout
# and stderr on one log file, as that redirection does, and checks that every step the
# script announces is in the log, in order, from the first line on.
# Usage: demo_log.py DEMO_SCRIPT BUILD_DIR
import re
import subprocess
import sys
import tempfile


def main():
    script, build = sys.argv[1], sys.argv[2]
    # net_step: the steps across processes, shown when the tool has the network commands.
    networked = subprocess.run([f"{build}/tools/sealpipe", "help", "scheduler", "serve"],
                               capture_output=True).returncode == 0
    with open(script) as f:
        steps = [title for kind, title in re.findall(r'^(step|net_step) "(.*)"$', f.read(), re.MULTILINE)
                 if kind == "step" or networked]
    assert len(steps) > 10, f"{script}: expected the demo's steps, found {steps}"
    with tempfile.TemporaryFile() as log:
        p = subprocess.run(["bash", script, build], stdin=subprocess.DEVNULL, stdout=log, stderr=log, timeout=300)
        log.seek(0)
        text = log.read().decode(errors="replace")
    if p.returncode != 0:
        sys.exit(f"demo.sh exited with {p.returncode}:\n{text}")
    headers = [line[3:] for line in text.splitlines() if line.startswith("== ")]
    if not text.startswith("\n== " + steps[0]) or headers != steps or not text.endswith("demo finished\n"):
        sys.exit("the log lost part of the demo: expected the steps\n  " + "\n  ".join(steps) +
                 "\nin order, from the first line; the log holds\n  " + "\n  ".join(headers) +
                 f"\nand begins with {text[:120]!r}")
    print(f"{len(steps)} steps, {len(text.splitlines())} lines, all in the log")


if __name__ == "__main__":
    main()
