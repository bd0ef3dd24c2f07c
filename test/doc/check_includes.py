# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# Checks that every `<!-- include: path#tag -->` in doc/*.md is followed by a ```cpp block
# equal to the tagged region of the compiled source (`// tag::name[]` ... `// end::name[]`),
# with the region's common indentation removed.
import pathlib
import re
import sys
import textwrap

root = pathlib.Path(sys.argv[1])
errors = []
count = 0
for md in sorted((root / "doc").glob("**/*.md")):
    text = md.read_text()
    for m in re.finditer(r"<!-- include: (\S+)#(\S+) -->\n```cpp\n(.*?)\n```", text, re.S):
        path, tag, block = m.groups()
        count += 1
        src = (root / path).read_text()
        region = re.search(r"// tag::%s\[\]\n(.*?)\n[ \t]*// end::%s\[\]" % (re.escape(tag), re.escape(tag)), src, re.S)
        if not region:
            errors.append(f"{md.name}: {path}#{tag}: no such region")
        elif textwrap.dedent(region.group(1)) != block:
            errors.append(f"{md.name}: {path}#{tag}: the block differs from the source")
    if text.count("<!-- include:") != len(re.findall(r"<!-- include: \S+#\S+ -->\n```cpp\n", text)):
        errors.append(f"{md.name}: an include marker is not followed by a ```cpp block")
for e in errors:
    print(e)
print(f"{count} included blocks checked, {len(errors)} problems")
sys.exit(1 if errors or count == 0 else 0)
