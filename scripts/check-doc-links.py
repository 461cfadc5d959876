#!/usr/bin/env python3
"""Checks that every relative markdown link and its #anchor resolve (GitHub's
heading-anchor rules), so a moved section never leaves a dead link:

    scripts/check-doc-links.py README.md CHANGELOG.md docs/*.md
"""
import os, re, sys, unicodedata

def anchors(path):
    seen, out, fence = {}, set(), False
    for line in open(path, encoding='utf-8'):
        if line.startswith('```'):
            fence = not fence
            continue
        m = None if fence else re.match(r'^(#{1,6})\s+(.*?)\s*#*\s*$', line)
        if not m:
            continue
        text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', m.group(2))
        slug = ''.join(c for c in text.lower() if c in ' -_' or unicodedata.category(c)[0] in 'LNM')
        slug = slug.replace(' ', '-')
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f'{slug}-{n}')
    return out

bad = 0
for f in sys.argv[1:]:
    text, fence = [], False
    for line in open(f, encoding='utf-8'):
        if line.startswith('```'):
            fence = not fence
        elif not fence:
            text.append(line)
    for target in re.findall(r'\]\(([^)\s]+)\)', ''.join(text)):
        if re.match(r'[a-z]+://', target) or target.startswith('mailto:'):
            continue
        path, _, anchor = target.partition('#')
        dest = os.path.normpath(os.path.join(os.path.dirname(f), path)) if path else f
        if not os.path.exists(dest):
            print(f'{f}: missing file {target}'); bad += 1; continue
        if anchor and anchor not in anchors(dest):
            print(f'{f}: missing anchor {target}'); bad += 1
print('bad links:', bad)
sys.exit(1 if bad else 0)
