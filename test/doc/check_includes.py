# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# Checks that every code block in README.md and doc/ that says where it comes from
#   <!-- include: path/to/file.cpp#tag -->
#   ```cpp
#   ...
#   ```
# is exactly the region between "// tag::tag[]" and "// end::tag[]" of that compiled file
# (dedented), so the documentation cannot drift from code that builds and runs.
import pathlib
import re
import sys
import textwrap

root = pathlib.Path(sys.argv[1])
write = "--write" in sys.argv[2:]   # refreshes every block from its code instead of checking
marker = re.compile(r"<!-- include: ([^#\s]+)#([\w-]+) -->\n```\w*\n(.*?)```", re.S)
failures, checked = [], 0
def refresh(doc: pathlib.Path) -> None:
    def block(m: re.Match) -> str:
        src = root / m.group(1)
        region = re.search(rf"[ \t]*// tag::{re.escape(m.group(2))}\[\]\n(.*?)[ \t]*// end::{re.escape(m.group(2))}\[\]",
                           src.read_text(), re.S) if src.exists() else None
        if not region:
            return m.group(0)
        return f"<!-- include: {m.group(1)}#{m.group(2)} -->\n```cpp\n{textwrap.dedent(region.group(1))}```"
    doc.write_text(marker.sub(block, doc.read_text()))


for doc in [root / "README.md", *sorted((root / "doc").rglob("*.md"))]:
    if write:
        refresh(doc)
    text = doc.read_text()
    for m in marker.finditer(text):
        path, tag, shown = m.group(1), m.group(2), m.group(3)
        src = root / path
        if not src.exists():
            failures.append(f"{doc.name}: {path} does not exist")
            continue
        region = re.search(rf"[ \t]*// tag::{re.escape(tag)}\[\]\n(.*?)[ \t]*// end::{re.escape(tag)}\[\]",
                           src.read_text(), re.S)
        if not region:
            failures.append(f"{doc.name}: no region '{tag}' in {path}")
            continue
        expected = textwrap.dedent(region.group(1))
        if expected.strip() != shown.strip():
            failures.append(f"{doc.name}: block from {path}#{tag} differs from the code")
        checked += 1
    if "<!-- include:" in text and len(marker.findall(text)) != text.count("<!-- include:"):
        failures.append(f"{doc.name}: an include marker is not followed by a code block")
for f in failures:
    print("FAIL", f)
print(f"{checked - len([f for f in failures if 'differs' in f])} passed, {len(failures)} failed")
sys.exit(1 if failures or checked == 0 else 0)
