#!/usr/bin/env python3
"""The layout's rules (docs/architecture.md), checked on the sources and the
compiled objects:

1. Includes: lib/ includes only lib/ (and the generated headers); daemon/,
   cli/ and idle/ include their own folder and lib/, never each other; no circle of
   includes between the modules of a folder (a module is NAME.c with NAME.h
   and NAME-internal.h, the header only its own files share).
2. Calls point down: among the object files of one program, no two files call
   each other, directly or round a circle (a strongly connected component of
   the "calls a function defined in" graph, read with nm).
3. No source file over MAX_LINES lines.

Usage: check-layout.py SOURCE_DIR [-- NAME OBJECT...]...
Each "-- NAME OBJECT..." group is one program (or library) whose objects are
checked for circles.
"""
import os
import re
import subprocess
import sys

FOLDERS = ("lib", "daemon", "cli", "idle")
MAY_INCLUDE = {"lib": {"lib"}, "daemon": {"daemon", "lib"}, "cli": {"cli", "lib"}, "idle": {"idle", "lib"}}
GENERATED = {"consent-text.h", "varlink-interface.h", "version.h",
             # wayland-scanner's, from idle/protocols/*.xml
             "ext-idle-notify-v1-client-protocol.h", "kde-idle-client-protocol.h"}
MAX_LINES = 900
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def sources(root):
    for folder in FOLDERS:
        for name in sorted(os.listdir(os.path.join(root, folder))):
            if name.endswith((".c", ".h")):
                yield folder, name


def check_includes(root):
    where = {}
    for folder, name in sources(root):
        where.setdefault(name, set()).add(folder)
    problems = []
    for folder, name in sources(root):
        with open(os.path.join(root, folder, name), encoding="utf-8") as f:
            text = f.read()
        for inc in INCLUDE.findall(text):
            if inc in GENERATED:
                continue
            homes = where.get(inc, set())
            if not homes:
                problems.append(f"{folder}/{name}: includes \"{inc}\", which is in none of {FOLDERS}")
            elif not homes & MAY_INCLUDE[folder]:
                problems.append(f"{folder}/{name}: includes {sorted(homes)[0]}/{inc}; "
                                f"{folder}/ may include only {sorted(MAY_INCLUDE[folder])}")
        lines = text.count("\n")
        if lines > MAX_LINES:
            problems.append(f"{folder}/{name}: {lines} lines, more than {MAX_LINES}: split it by subject")
    return problems


def module_of(name):
    stem = name.rsplit(".", 1)[0]
    return stem[: -len("-internal")] if stem.endswith("-internal") else stem


def include_circles(root):
    """Circles in the graph "a file of module A includes a header of module B"."""
    problems = []
    for folder in FOLDERS:
        names = {n for f, n in sources(root) if f == folder}
        edges = {}
        for name in sorted(names):
            with open(os.path.join(root, folder, name), encoding="utf-8") as f:
                for inc in INCLUDE.findall(f.read()):
                    if inc in names and module_of(inc) != module_of(name):
                        edges.setdefault(module_of(name), set()).add(module_of(inc))
        state, path = {}, []

        def visit(v):
            state[v] = 1
            path.append(v)
            for w in sorted(edges.get(v, ())):
                if state.get(w) == 1:
                    problems.append(f"{folder}/: includes in a circle: " + " -> ".join(path[path.index(w):] + [w]))
                elif w not in state:
                    visit(w)
            path.pop()
            state[v] = 2

        for v in sorted(edges):
            if v not in state:
                visit(v)
    return problems


def symbols(obj):
    out = subprocess.run(["nm", "--defined-only", "-g", obj], capture_output=True, text=True, check=True).stdout
    defined = {line.split()[-1] for line in out.splitlines() if len(line.split()) == 3}
    out = subprocess.run(["nm", "-u", obj], capture_output=True, text=True, check=True).stdout
    used = {line.split()[-1] for line in out.splitlines() if line.split()}
    return defined, used


def source_of(obj):
    # CMake names objects after their source: .../daemon/store.c.o
    parts = obj.split(os.sep)
    return "/".join(parts[-2:])[:-2]


def circles(objects):
    """Strongly connected components of size > 1 (Tarjan), with an example call each way."""
    defs, uses = {}, {}
    for obj in objects:
        d, u = symbols(obj)
        defs[obj], uses[obj] = d, u
    owner = {}
    for obj, d in defs.items():
        for s in d:
            owner[s] = obj
    edges = {obj: {} for obj in objects}
    for obj, u in uses.items():
        for s in sorted(u):
            to = owner.get(s)
            if to and to != obj:
                edges[obj].setdefault(to, s)

    index, low, stack, on, comps = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(comp)

    sys.setrecursionlimit(10000)
    for v in objects:
        if v not in index:
            visit(v)
    out = []
    for comp in comps:
        members = set(comp)
        calls = [f"{source_of(a)} -> {source_of(b)} ({s})"
                 for a in sorted(comp) for b, s in sorted(edges[a].items()) if b in members]
        out.append("circle: " + ", ".join(sorted(source_of(c) for c in comp)) + "\n    " + "\n    ".join(calls))
    return out


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = argv[1]
    problems = check_includes(root) + include_circles(root)
    groups, cur = [], None
    for a in argv[2:]:
        if a == "--":
            cur = None
        elif cur is None:
            cur = (a, [])
            groups.append(cur)
        else:
            cur[1].append(a)
    for name, objects in groups:
        for c in circles(objects):
            problems.append(f"{name}: {c}")
    for p in problems:
        print(p)
    checked = ", ".join(f"{n} ({len(o)} objects)" for n, o in groups)
    print(f"layout: {len(problems)} problems; includes of {FOLDERS} and calls in {checked or 'no objects'} checked")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
