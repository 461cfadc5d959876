#!/usr/bin/env python3
"""The module graph of every crate in the workspace, and its cycles.

    python3 scripts/module-graph.py            # edges and cycles, every crate
    python3 scripts/module-graph.py --cycles   # only the cycles (exit 1 if any)
    python3 scripts/module-graph.py --crates   # how the crates depend on each other

An edge `a -> b` means a file of module `a` names module `b` (a `use`, or a
path such as `crate::b::f` or `super::b::f`), where `a` and `b` are siblings:
children of the same module. Edges between siblings are what make a layer
structure or break it; a cycle among siblings is a pair of modules that cannot
be understood one before the other. Tests (`*_tests.rs`, `mod tests`) are left
out: a test may reach anywhere.

It reads the source text (no compiler), which is enough for this code base's
style: `use` trees with braces, `crate::`, `super::` and `self::` paths.
"""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def crates():
    """(name, src dir) of the root package and each member under crates/."""
    found = [("keydesk", ROOT / "src")]
    for manifest in sorted(ROOT.glob("crates/*/Cargo.toml")):
        name = tomllib.loads(manifest.read_text())["package"]["name"]
        found.append((name, manifest.parent / "src"))
    return found


def strip_tests_and_comments(text):
    """The code without comments, string contents and `#[cfg(test)] mod … { … }`."""
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+\w+\s*\{", text):
        if m.start() < i:
            continue
        out.append(text[i : m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def module_files(src):
    """Module path (tuple) -> file, following `mod x;` from lib.rs/main.rs."""
    files = {}

    def visit(path, file):
        files[path] = file
        code = strip_tests_and_comments(file.read_text())
        declared = [m.group(1) for m in re.finditer(r"^\s*(?:#\[[^\]]*\]\s*)*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;", code, re.M)]
        # Older versions declared the TUI's modules through a macro.
        for m in re.finditer(r"internal_modules!\(([^)]*)\)", code):
            declared += [n.strip() for n in m.group(1).split(",") if n.strip()]
        for name in declared:
            if name.endswith("_tests") or name == "tests":
                continue
            base = file.parent if file.name in ("lib.rs", "main.rs", "mod.rs") else file.with_suffix("")
            for candidate in (base / f"{name}.rs", base / name / "mod.rs"):
                if candidate.exists():
                    visit(path + (name,), candidate)
                    break

    for top in ("lib.rs", "main.rs"):
        if (src / top).exists():
            visit((), src / top)
    return files


def expand_use(tree):
    """`a::{b, c::{d, e}}` -> [a::b, a::c::d, a::c::e] (paths as lists)."""
    tree = re.sub(r"\s+", "", tree)
    depth, start, parts = 0, 0, []
    brace = tree.find("{")
    if brace < 0:
        return [tree.split("::")]
    prefix = tree[:brace].rstrip(":").split("::") if brace else []
    inner = tree[brace + 1 : tree.rfind("}")]
    for i, ch in enumerate(inner):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    return [prefix + p for part in parts if part for p in expand_use(part)]


def references(module, code):
    """Absolute module paths (tuples) that `code`, in `module`, names."""
    paths = []
    for m in re.finditer(r"\buse\s+([^;]+);", code):
        paths.extend(expand_use(m.group(1)))
    for m in re.finditer(r"\b((?:crate|super|self)(?:::\w+)+)", code):
        paths.append(m.group(1).split("::"))
    out = []
    for p in paths:
        p = [x.split(" as ")[0] for x in p if x]
        if not p:
            continue
        if p[0] == "crate":
            out.append(tuple(p[1:]))
        elif p[0] in ("super", "self"):
            base = list(module)
            while p and p[0] in ("super", "self"):
                if p[0] == "super" and base:
                    base.pop()
                p = p[1:]
            out.append(tuple(base + p))
    return out


def edges(src):
    files = module_files(src)
    modules = set(files)
    found = set()
    for module, file in files.items():
        code = strip_tests_and_comments(file.read_text())
        for target in references(module, code):
            # The longest module prefix of the path is what it names.
            while target and target not in modules:
                target = target[:-1]
            if not target or target == module:
                continue
            # Lift both to the children of their nearest common ancestor.
            common = 0
            while common < min(len(module), len(target)) and module[common] == target[common]:
                common += 1
            if common == len(module) or common == len(target):
                continue  # a module and its own descendant or ancestor
            a, b = module[: common + 1], target[: common + 1]
            found.add((a, b))
    return found


def cycles(edge_set):
    """Strongly connected components with more than one module (Tarjan)."""
    graph = {}
    for a, b in edge_set:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index, low, stack, on, out = {}, {}, [], set(), []

    def strong(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def name(path):
    return "::".join(path) or "(root)"


def crate_graph():
    for manifest in [ROOT / "Cargo.toml"] + sorted(ROOT.glob("crates/*/Cargo.toml")):
        data = tomllib.loads(manifest.read_text())
        deps = [d for d in data.get("dependencies", {}) if d.startswith("keydesk")]
        print(f"{data['package']['name']} -> {', '.join(deps) or '(none)'}")


def main():
    if "--crates" in sys.argv:
        crate_graph()
        return 0
    only_cycles = "--cycles" in sys.argv
    any_cycle = False
    for crate, src in crates():
        found = edges(src)
        found_cycles = cycles(found)
        any_cycle |= bool(found_cycles)
        print(f"# {crate}: {len(module_files(src))} modules, {len(found)} edges, {len(found_cycles)} cycles")
        if not only_cycles:
            for a, b in sorted(found):
                print(f"  {name(a)} -> {name(b)}")
        for component in found_cycles:
            print(f"  cycle: {' <-> '.join(name(m) for m in component)}")
    return 1 if only_cycles and any_cycle else 0


if __name__ == "__main__":
    sys.exit(main())
