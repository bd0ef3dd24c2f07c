# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# Checks that every `<!-- include: FILE#TAG -->` in the given doc pages is followed by a
# ```cpp block equal to the region `// tag::TAG[]` ... `// end::TAG[]` of FILE (compiled
# code), dedented. Usage: check_includes.py SOURCE_DIR PAGE.md...
import re
import sys


def region(path, tag):
    text = open(path, encoding="utf-8").read()
    m = re.search(r"^[ \t]*// tag::%s\[\]\n(.*?)^[ \t]*// end::%s\[\]" % (re.escape(tag), re.escape(tag)),
                  text, re.S | re.M)
    if not m:
        raise SystemExit(f"{path}: no region {tag}")
    lines = m.group(1).rstrip("\n").split("\n")
    indent = min(len(l) - len(l.lstrip()) for l in lines if l.strip())
    return "\n".join(l[indent:] for l in lines)


def main():
    root, pages = sys.argv[1], sys.argv[2:]
    checked = 0
    for page in pages:
        text = open(page, encoding="utf-8").read()
        for m in re.finditer(r"<!-- include: (\S+)#(\S+) -->\n```cpp\n(.*?)\n```", text, re.S):
            path, tag, block = m.groups()
            if region(f"{root}/{path}", tag) != block:
                raise SystemExit(f"{page}: the block after 'include: {path}#{tag}' differs from the code")
            checked += 1
        if text.count("<!-- include:") != len(re.findall(r"<!-- include: (\S+)#(\S+) -->\n```cpp\n", text)):
            raise SystemExit(f"{page}: an include marker is not followed by a ```cpp block")
    print(f"{checked} included blocks match their code")
    if checked == 0:
        raise SystemExit("no include found")


main()
