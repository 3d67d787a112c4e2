#!/usr/bin/env python3
"""Module graph of src/ from `use crate::`/`use super::` lines (`--inline`: also inline `crate::` paths),
with parent/child declarations left out; prints every cycle between files and between top-level
modules (directories), exit 1 when there is one. Usage: ci/module-cycles.py [src] [--inline]"""
import os, re, sys, itertools
args = [a for a in sys.argv[1:] if not a.startswith("--")]
root = args[0] if args else "src"
inline = '--inline' in sys.argv
files = {}
for d, _, fs in os.walk(root):
    for f in fs:
        if f.endswith('.rs'):
            p = os.path.join(d, f)
            rel = os.path.relpath(p, root)[:-3].split(os.sep)
            if rel[-1] == 'mod': rel = rel[:-1]
            if rel in (['lib'], ['main']): rel = []
            files[tuple(rel)] = p
mods = set(files)
def strip_tests(src):
    i = src.find('#[cfg(test)]\nmod tests')
    return src if i < 0 else src[:i]
def expand(tree):
    # expand a use tree like a::{b, c::{d, e}} into paths
    tree = tree.strip()
    m = re.match(r'^(.*?)\{(.*)\}$', tree, re.S)
    if not m:
        return [tree.split(' as ')[0].strip()]
    prefix, inner = m.group(1), m.group(2)
    parts, depth, cur = [], 0, ''
    for ch in inner:
        if ch == '{': depth += 1
        if ch == '}': depth -= 1
        if ch == ',' and depth == 0:
            parts.append(cur); cur = ''
        else: cur += ch
    parts.append(cur)
    out = []
    for p in parts:
        if p.strip():
            out += [prefix + q for q in expand(p)]
    return out
def resolve(me, path):
    segs = [s for s in path.replace(' ', '').split('::') if s]
    if not segs: return None
    if segs[0] == 'crate': base, segs = [], segs[1:]
    elif segs[0] in ('super', 'self'):
        base = list(me)
        while segs and segs[0] in ('super', 'self'):
            if segs[0] == 'super': base = base[:-1]
            segs = segs[1:]
    else: return None
    best = None
    for i in range(len(segs), -1, -1):
        cand = tuple(base + segs[:i])
        if cand in mods: best = cand; break
    return best
edges = {}
for me, p in files.items():
    src = strip_tests(open(p).read())
    src = re.sub(r'//[^\n]*', '', src)
    targets = set()
    for m in re.finditer(r'\buse\s+((?:crate|super|self)::[^;]*);', src, re.S):
        for path in expand(m.group(1)):
            t = resolve(me, path)
            if t is not None and t != me: targets.add(t)
    if inline:
        for m in re.finditer(r'\bcrate(?:::\w+)+', src):
            t = resolve(me, m.group(0))
            if t is not None and t != me: targets.add(t)
    edges[me] = targets
def name(m): return '::'.join(m) or 'crate'
# parent/child declarations are fine: drop edges where one is ancestor of other
def related(a, b): return a[:len(b)] == b or b[:len(a)] == a
# file-level SCCs
def scc(nodes, adj):
    index, low, st, on, out, c = {}, {}, [], set(), [], [0]
    sys.setrecursionlimit(10000)
    def go(v):
        index[v] = low[v] = c[0]; c[0] += 1; st.append(v); on.add(v)
        for w in adj.get(v, ()):
            if w not in index: go(w); low[v] = min(low[v], low[w])
            elif w in on: low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = st.pop(); on.discard(w); comp.append(w)
                if w == v: break
            if len(comp) > 1: out.append(comp)
    for v in nodes:
        if v not in index: go(v)
    return out
fadj = {a: {b for b in bs if not related(a, b)} for a, bs in edges.items()}
bad = 0
for comp in scc(list(files), fadj):
    bad += 1
    print('FILE CYCLE:', ', '.join(sorted(name(m) for m in comp)))
    for a in comp:
        for b in fadj[a]:
            if b in comp: print('   ', name(a), '->', name(b))
def dir_of(m):
    return m[0] if m else 'crate'
dadj = {}
for a, bs in edges.items():
    for b in bs:
        da, db = dir_of(a), dir_of(b)
        if da != db:
            dadj.setdefault(da, set()).add(db)
for comp in scc(sorted({dir_of(m) for m in files}), dadj):
    bad += 1
    print('DIR CYCLE:', ', '.join(sorted(comp)))
    for a in comp:
        for a2, bs in edges.items():
            if dir_of(a2) != a: continue
            for b in bs:
                if dir_of(b) in comp and dir_of(b) != a: print('   ', name(a2), '->', name(b))
print('cycles:', bad)
sys.exit(1 if bad else 0)
