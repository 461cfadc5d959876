#!/usr/bin/env python3
"""Lists a crate's public API from `cargo doc` output: every module, type,
trait, function, constant, type alias and re-export, with each type's
fields, variants and inherent methods and each trait's methods (trait
implementations left out). For reviewing what a crate exposes, e.g.

    cargo doc -p keydesk-core --no-deps
    scripts/public-api.py target/doc/keydesk_core
"""
import html, os, re, sys

root = sys.argv[1]
crate = os.path.basename(root.rstrip('/'))
KINDS = {'mod': 'module', 'struct': 'struct', 'enum': 'enum', 'trait': 'trait', 'fn': 'fn',
         'constant': 'const', 'type': 'type', 'macro': 'macro', 'static': 'static'}

def methods(page):
    text = open(page, encoding='utf-8').read()
    # inherent impls and trait items only: stop at the trait-implementations section
    marks = ('id="trait-implementations"', 'id="foreign-impls"', 'id="implementors"')
    cuts = [i for i in (text.find(mark) for mark in marks) if i >= 0]
    head = text[: min(cuts)] if cuts else text
    found = []
    for m in re.finditer(r'id="(tymethod|method|variant|structfield)\.([A-Za-z0-9_]+)"', head):
        kind, name = m.groups()
        if (kind, name) not in found:
            found.append((kind, name))
    return found

rows = []
for dirpath, _, files in os.walk(root):
    rel = os.path.relpath(dirpath, root)
    path = crate if rel == '.' else crate + '::' + rel.replace(os.sep, '::')
    for f in sorted(files):
        m = re.match(r'(\w+)\.(\w+)\.html$', f)
        if f == 'index.html':
            text = open(os.path.join(dirpath, f), encoding='utf-8').read()
            if 'http-equiv="refresh"' in text:
                continue
            if rel != '.':
                rows.append((path, 'module', ''))
            for use in re.findall(r'<code>pub use (.*?);</code>', text):
                rows.append((path + ': pub use ' + html.unescape(re.sub(r'<[^>]+>', '', use)), 're-export', ''))
        if not m or m.group(1) not in KINDS:
            continue
        page = os.path.join(dirpath, f)
        if 'http-equiv="refresh"' in open(page, encoding='utf-8').read():
            continue  # a redirect from a private path to the public one
        kind, name = KINDS[m.group(1)], m.group(2)
        rows.append((path + '::' + name, kind, ''))
        if kind in ('struct', 'enum', 'trait'):
            for mk, mn in methods(os.path.join(dirpath, f)):
                label = {'tymethod': 'required fn', 'method': 'fn', 'variant': 'variant', 'structfield': 'field'}[mk]
                rows.append((path + '::' + name + '::' + mn, label, ''))
rows.append((crate, 'module', ''))
for item, kind, _ in sorted(set(rows)):
    print(f'{kind:12} {item}')
