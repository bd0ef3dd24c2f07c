# Copyright (c) 2026 The sealpipe authors.
# Distributed under the Boost Software License, Version 1.0 (see LICENSE_1_0.txt).
#
# Repository-wide checks that need no compiler, one per CTest test:
#   references  the repository stands alone: no file names a specification outside it, and
#               every relative link in README.md and doc/ reaches a file (and, for a link
#               into a Markdown page, a heading) that exists here;
#   licence     every source file carries the licence line near its top;
#   umbrellas   each area's umbrella header includes every public header of its area, or
#               names the ones it leaves out in its opening comment; sealpipe.hpp does the
#               same for the areas.
# Usage: check_repository.py ROOT references|licence|umbrellas
import pathlib
import re
import subprocess
import sys

root = pathlib.Path(sys.argv[1]).resolve()
check = sys.argv[2]
failures: list[str] = []
checked = 0


def repository_files() -> list[str]:
    """Tracked and new (not ignored) files; without git, every file outside build trees."""
    try:
        out = subprocess.run(["git", "-C", str(root), "ls-files", "--cached", "--others", "--exclude-standard"],
                             capture_output=True, text=True, check=True).stdout
        return sorted(f for f in set(out.splitlines()) if (root / f).is_file())
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", "build"}
        return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                      if p.is_file() and not skip.intersection(p.relative_to(root).parts))


# --- references ---------------------------------------------------------------------------
# Names of the documents the project was written from, which are not part of it. They are
# spelled in pieces so that this file does not match itself.
FOREIGN = ["SPEC" + ".md", "CLI" + ".md", "../" + "shared"]
LINK = re.compile(r"(?<!!)\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def slug(text: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`|\*\*|__", "", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)   # a link in a heading keeps its text
    text = text.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(page: pathlib.Path) -> set[str]:
    seen: dict[str, int] = {}
    result: set[str] = set()
    fenced = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        m = None if fenced else HEADING.match(line)
        if not m:
            continue
        base = slug(m.group(2))
        n = seen.get(base, 0)
        seen[base] = n + 1
        result.add(base if n == 0 else f"{base}-{n}")
    result.update(re.findall(r'<a (?:name|id)="([^"]+)"', page.read_text(encoding="utf-8")))
    return result


def check_references() -> None:
    global checked
    files = repository_files()
    for rel in files:
        if rel.startswith("test/vectors/") or rel.startswith("fuzz/corpus/"):
            continue   # third-party data, kept unmodified
        try:
            text = (root / rel).read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        for name in FOREIGN:
            for number, line in enumerate(text.splitlines(), 1):
                if name in line:
                    failures.append(f"{rel}:{number}: names '{name}', which is not part of the repository")
        checked += 1
    pages = [p for p in files if p == "README.md" or (p.startswith("doc/") and p.endswith(".md"))]
    for rel in pages:
        page = root / rel
        fenced = False
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("```"):
                fenced = not fenced
            if fenced:
                continue
            for target in LINK.findall(re.sub(r"`[^`]*`", "", line)):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                    continue   # https:, mailto: ...
                path, _, anchor = target.partition("#")
                dest = (page.parent / path).resolve() if path else page
                where = f"{rel}:{number}: link '{target}'"
                if root not in dest.parents and dest != root:
                    failures.append(f"{where} leaves the repository")
                elif not dest.exists():
                    failures.append(f"{where}: {dest.relative_to(root)} does not exist")
                elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                    failures.append(f"{where}: no heading '#{anchor}' in {dest.relative_to(root)}")
                checked += 1


# --- licence ------------------------------------------------------------------------------
LICENCE = ("Copyright (c) 2026 The sealpipe authors. Distributed under the Boost Software License, "
           "Version 1.0 (see LICENSE_1_0.txt).")


def is_source(rel: str) -> bool:
    p = pathlib.PurePosixPath(rel)
    if rel.startswith(("test/vectors/", "fuzz/corpus/")):
        return False
    return (p.suffix in {".hpp", ".cpp", ".h", ".py", ".cmake", ".sh"} or p.name == "CMakeLists.txt"
            or rel.endswith((".cmake.in", ".pc.in")) or rel.startswith(("scripts/", ".ci/")))


def check_licence() -> None:
    global checked
    for rel in repository_files():
        if not is_source(rel):
            continue
        head = (root / rel).read_text(encoding="utf-8").splitlines()[:12]
        # The comment markers and line breaks do not matter, only the words.
        words = " ".join(re.sub(r"^\s*(//|#)", " ", line) for line in head)
        if LICENCE not in re.sub(r"\s+", " ", words):
            failures.append(f"{rel}: no licence line in its first 12 lines ('{LICENCE}')")
        checked += 1


# --- umbrellas ----------------------------------------------------------------------------
INCLUDE = re.compile(r"^\s*#\s*include\s*<([^>]+)>", re.M)


def opening_comment(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if line.startswith("//"):
            lines.append(line)
        elif lines and not line.strip():
            continue
        elif lines:
            break
    return "\n".join(lines)


def check_umbrellas() -> None:
    global checked
    include = root / "include"
    areas = sorted(p.name for p in (include / "sealpipe").iterdir() if p.is_dir() and p.name not in {"detail", "impl"})
    for area in areas:
        umbrella = include / "sealpipe" / f"{area}.hpp"
        headers = sorted(str(h.relative_to(include)) for h in (include / "sealpipe" / area).rglob("*.hpp")
                         if not {"detail", "impl"}.intersection(h.relative_to(include).parts))
        if not umbrella.exists():
            # An area without an umbrella (hazmat, io) must be named as such by sealpipe.hpp.
            top = (include / "sealpipe.hpp").read_text(encoding="utf-8")
            if f"sealpipe/{area}/" not in opening_comment(top):
                failures.append(f"sealpipe/{area}/ has no umbrella and sealpipe.hpp does not say why")
            checked += 1
            continue
        text = umbrella.read_text(encoding="utf-8")
        included, comment = set(INCLUDE.findall(text)), opening_comment(text)
        for h in headers:
            name = h.removeprefix(f"sealpipe/{area}/")
            if h not in included and h not in comment and f"{area}/{name}" not in comment and name not in comment:
                failures.append(f"sealpipe/{area}.hpp neither includes <{h}> nor names it in its opening comment")
            checked += 1
    top = (include / "sealpipe.hpp").read_text(encoding="utf-8")
    included = set(INCLUDE.findall(top))
    for area in areas:
        # An area that needs an optional component as a whole (net: gRPC) is named with its
        # umbrella in the opening comment instead.
        if f"<sealpipe/{area}.hpp>" in opening_comment(top):
            checked += 1
            continue
        if (include / "sealpipe" / f"{area}.hpp").exists() and f"sealpipe/{area}.hpp" not in included:
            if not any(i.startswith(f"sealpipe/{area}/") for i in included):
                failures.append(f"sealpipe.hpp does not include <sealpipe/{area}.hpp>")
            elif f"sealpipe/{area}.hpp" not in top:
                failures.append(f"sealpipe.hpp includes part of {area} without naming <sealpipe/{area}.hpp>")
        checked += 1


{"references": check_references, "licence": check_licence, "umbrellas": check_umbrellas}[check]()
for f in failures:
    print("FAIL", f)
print(f"{checked - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures or checked == 0 else 0)
