#!/usr/bin/env python3
"""The engine's import structure, checked: no module imports one of a higher layer, and no two
modules import each other (directly or round a circle).

Reads every `crate::…`, `super::…`, `self::…` path and every path that starts with a child
module's name, resolves it to the file that defines the item (through `mod.rs`/`lib.rs`
files that only re-export), and checks the file graph. `make test` runs it; `--self-test`
shows it catches a circle and an upward import in a made-up tree.
Usage: layers.py [SRC_DIR] [-v]   (default engine/src)
"""
import os, re, sys, tempfile

# Bottom to top; a module may import its own layer (without a circle) and those below.
LAYERS = [
    ["names", "json_text", "json_fields", "deflate", "permalink"],
    ["model"],
    ["parse"],
    ["analyze"],
    ["decide"],
    ["routeget", "explain", "selfcheck", "findings", "fixes"],
    ["topology"],
]
ITEM = re.compile(r'^\s*pub(?:\([^)]*\))?\s+(?:fn|struct|enum|type|const|static|trait|mod|use)\s+(\w+)', re.M)


def load(root):
    files = {}
    for dp, _, fn in os.walk(root):
        for f in fn:
            if not f.endswith('.rs') or 'bin' in os.path.relpath(dp, root).split(os.sep):
                continue
            parts = os.path.relpath(os.path.join(dp, f), root)[:-3].split(os.sep)
            if parts[-1] in ('mod', 'lib'):
                parts = parts[:-1]
            src = open(os.path.join(dp, f)).read()
            src = re.sub(r'//[^\n]*', '', src)
            # A test module (`cfg(test)`, or `cfg(all(test, …))`) is last in its file.
            cut = re.search(r'#\[cfg\((?:all\()?test\b[^\]]*\]\s*mod \w+', src)
            files[tuple(parts)] = src[:cut.start()] if cut else src
    return files


def reexport_only(src):
    body = re.sub(r'#!?\[[^\]]*\]', '', src)
    body = re.sub(r'(pub(\([^)]*\))?\s+)?(mod|use)\s[^;]*;', '', body)
    return not body.strip()


def resolve(files, path):
    """The file a path names: the longest module prefix, then through re-exports."""
    for n in range(len(path), -1, -1):
        mod = tuple(path[:n])
        if mod in files:
            break
    else:
        return None
    rest = path[n:]
    seen = 0
    while rest and reexport_only(files[mod]) and seen < 8:
        seen += 1
        name = rest[0]
        target = None
        for m in re.finditer(r'pub(?:\([^)]*\))? use (\w+)::(\{[^}]*\}|\*|\w+)', files[mod]):
            child, names = m.group(1), m.group(2)
            listed = re.findall(r'\w+', names)
            sub = mod + (child,)
            if sub not in files:
                continue
            if names == '*':
                if re.search(r'^\s*pub(?:\([^)]*\))?\s+(?:fn|struct|enum|type|const|static|trait)\s+' + name + r'\b', files[sub], re.M):
                    target = sub
            elif name in listed:
                target = sub
            if target:
                break
        if not target:
            break
        mod, rest = target, rest[1:]
    return mod


def graph(files):
    edges = {m: set() for m in files}
    for mod, src in files.items():
        children = {k[-1] for k in files if len(k) == len(mod) + 1 and k[:-1] == mod}
        paths = []
        for m in re.finditer(r'(?<![\w:(])(crate|super|self|' + '|'.join(children or ['\0']) + r')\b((?:::\w+)*)(::\{([^;]*?)\}|::\*)?', src):
            head, rest = m.group(1), [x for x in m.group(2).split('::') if x]
            if head in children and not (rest or m.group(3)):
                continue
            if head == 'crate':
                start = []
            elif head == 'self':
                start = list(mod)
            elif head == 'super':
                start = list(mod)[:-1]
                while rest and rest[0] == 'super':
                    rest, start = rest[1:], start[:-1]
            else:
                start = list(mod) + [head]
            if not m.group(4):
                paths.append(start + rest)
            for item in (m.group(4) or '').split(','):
                item = [x.strip('{} ') for x in item.split('::') if x.strip('{} ')]
                if item:
                    paths.append(start + rest + item)
        for p in paths:
            t = resolve(files, p)
            if t is not None and t != mod and t != ():
                edges[mod].add(t)
    return edges


def layer(mod):
    for i, names in enumerate(LAYERS):
        if mod and mod[0] in names:
            return i
    return None


def circles(edges):
    index, low, stack, on, out, n = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(100000)

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
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
                out.append(comp)

    for v in edges:
        if v not in index:
            visit(v)
    return out


def check(root, verbose=False):
    files = load(root)
    edges = graph(files)
    name = lambda m: '/'.join(m) or 'lib'
    problems = []
    for m in files:
        if m and layer(m) is None:
            problems.append(f'{name(m)}: in no layer (add it to LAYERS in scripts/layers.py)')
    for m, ts in edges.items():
        for t in ts:
            if layer(m) is not None and layer(t) is not None and layer(t) > layer(m):
                problems.append(f'{name(m)} imports {name(t)}, a higher layer')
    for c in circles(edges):
        problems.append('circle: ' + ' ↔ '.join(sorted(name(x) for x in c)))
    if verbose:
        for m in sorted(edges, key=name):
            print(name(m), '->', ', '.join(sorted(name(t) for t in edges[m])))
    return len(files), sum(len(t) for t in edges.values()), problems


def self_test():
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(f'{d}/model')
        open(f'{d}/lib.rs', 'w').write('pub mod model;\npub mod names;\n')
        open(f'{d}/model/mod.rs', 'w').write('mod a;\nmod b;\npub use a::A;\n')
        open(f'{d}/model/a.rs', 'w').write('use super::b::B;\npub struct A;\n')
        open(f'{d}/model/b.rs', 'w').write('use crate::model::A;\npub struct B;\n')
        open(f'{d}/names.rs', 'w').write('use crate::model::A;\n')
        _, _, problems = check(d)
        assert any('circle' in p and 'model/a' in p and 'model/b' in p for p in problems), problems
        assert any('names imports model/a' in p for p in problems), problems
    print('layers.py self-test: a circle and an upward import are both caught')


if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if not a.startswith('-')]
    if '--self-test' in sys.argv:
        self_test()
    n, e, problems = check(args[0] if args else 'engine/src', '-v' in sys.argv)
    for p in problems:
        print('layers:', p)
    print(f'layers: {n} modules, {e} imports, {len(problems)} problems')
    sys.exit(1 if problems else 0)
