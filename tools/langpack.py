#!/usr/bin/env python3
"""The product's translations of Odoo's own modules (langpack/) and of the product itself.

    python3 tools/langpack.py stats     strings translated per module and language
    python3 tools/langpack.py check     the checks tests/test_langpack.py runs, as a report

langpack/<module>/i18n_extra/kk.po holds the Kazakh of an Odoo 18 module (web, base, mail, hr...),
langpack/<module>/i18n_extra/ru.po the Russian that Odoo's own ru.po lacks. Odoo's loader
(odoo.tools.translate.get_po_paths) finds them because langpack/ is on the addons path
(tools/common.sh); langpack/mchs_bodycam_lang is the small addon that creates the languages and
loads these terms into the database. doc/glossary-kk.csv fixes the Kazakh terms.
"""
import csv
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import polib

REPO = Path(__file__).resolve().parent.parent
LANGPACK = REPO / "langpack"
LANG_ADDON = "mchs_bodycam_lang"
PRODUCT_I18N = REPO / "addons" / "mchs_bodycam" / "i18n"
GLOSSARY = REPO / "doc" / "glossary-kk.csv"

# %s, %d, %(name)s, %%, {{ expression }}, {name} / {} (str.format), ${...}
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdif]|%[sdif%]|\{\{.*?\}\}|\$\{[^}]*\}|\{[A-Za-z_]*\}")
TAG = re.compile(r"<[^>]+>")
# attributes whose values are read by people, so they are translated inside a tag
READ_ATTRS = re.compile(r'\s(?:title|alt|placeholder|aria-label|data-tooltip|string|label)="[^"]*"')
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def po_files():
    """(module, lang, path) of every .po file the product ships."""
    for path in sorted(LANGPACK.glob("*/i18n_extra/*.po")):
        yield path.parts[-3], path.stem, path
    for path in sorted((LANGPACK / LANG_ADDON / "i18n").glob("*.po")):
        yield LANG_ADDON, path.stem, path
    for path in sorted(PRODUCT_I18N.glob("*.po")):
        yield "mchs_bodycam", path.stem, path


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def tags(text):
    """Tags with the attributes people read blanked: they are translated, the rest must stay."""
    return sorted(READ_ATTRS.sub("", tag) for tag in TAG.findall(text))


def glossary():
    """{english: (kazakh, scope)}; scope is 'all', 'odoo' (Odoo's modules) or 'product'."""
    with GLOSSARY.open(encoding="utf-8") as fh:
        return {row["english"]: (row["kazakh"], row.get("scope") or "all") for row in csv.DictReader(fh)}


def entry_problems(module, lang, entry, terms):
    """Why this translated entry is wrong, as a list of messages (empty when it is right)."""
    problems = []
    msgid, msgstr = entry.msgid, entry.msgstr
    if not msgstr:
        problems.append("untranslated")
    if "fuzzy" in entry.flags:
        problems.append("fuzzy")
    if placeholders(msgid) != placeholders(msgstr):
        problems.append(f"placeholders {placeholders(msgid)} became {placeholders(msgstr)}")
    if tags(msgid) != tags(msgstr):
        problems.append("markup differs from the source")
    if lang == "kk":
        if msgid in terms:
            kazakh, scope = terms[msgid]
            applies = scope == "all" or (scope == "product") == (module == "mchs_bodycam")
            if applies and msgstr != kazakh:
                problems.append(f"glossary: {msgid!r} is {kazakh!r}, not {msgstr!r}")
        # Latin words of the translation must come from the source (names, codes, brands):
        # anything else is English left behind.
        source_words = {w.lower() for w in LATIN_WORD.findall(TAG.sub(" ", msgid) + " " + msgid)}
        stray = {w for w in LATIN_WORD.findall(READ_ATTRS.sub(" ", TAG.sub(" ", msgstr)))
                 if w.lower() not in source_words and not w.isupper()}  # abbreviations: ID, PDF, URL
        if stray:
            problems.append(f"English left in the Kazakh: {sorted(stray)}")
    return problems


def msgfmt_statistics(path):
    result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(path)],
                            capture_output=True, text=True)
    return result.returncode, result.stderr.strip()


def check():
    """Every problem of every shipped .po file, as (path, message)."""
    terms = glossary()
    found = []
    for module, lang, path in po_files():
        returncode, stats = msgfmt_statistics(path)
        if returncode or "untranslated" in stats or "fuzzy" in stats:
            found.append((path, f"msgfmt: {stats}"))
        seen = Counter()
        for entry in polib.pofile(str(path)):
            seen[entry.msgid] += 1
            for problem in entry_problems(module, lang, entry, terms):
                found.append((path, f"{entry.msgid[:60]!r}: {problem}"))
        found.extend((path, f"{msgid[:60]!r} defined {n} times") for msgid, n in seen.items() if n > 1)
    return found


def stats():
    """{(module, lang): number of translated strings}."""
    return {(module, lang): len(polib.pofile(str(path)).translated_entries()) for module, lang, path in po_files()}


def main(argv):
    command = argv[1] if len(argv) > 1 else "stats"
    if command == "stats":
        counts = stats()
        modules = sorted({module for module, _lang in counts})
        print(f"{'module':24} {'kk':>6} {'ru':>6}")
        for module in modules:
            print(f"{module:24} {counts.get((module, 'kk'), 0):>6} {counts.get((module, 'ru'), 0):>6}")
        odoo = [(m, l) for m, l in counts if m not in ("mchs_bodycam", LANG_ADDON)]
        print(f"{'Odoo modules, total':24} {sum(counts[k] for k in odoo if k[1] == 'kk'):>6} "
              f"{sum(counts[k] for k in odoo if k[1] == 'ru'):>6}")
        return 0
    if command == "check":
        problems = check()
        for path, message in problems:
            print(f"{path.relative_to(REPO)}: {message}")
        print(f"{len(problems)} problem(s)")
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
