"""The .po files the product ships: Kazakh (and missing Russian) for Odoo's own modules in
langpack/, and the product's own kk.po and ru.po (issue 12, points 1 and 9)."""
import os
import sys
from pathlib import Path

import polib
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import langpack  # noqa: E402  (tools/langpack.py)

ODOO_SRC = Path(os.environ.get("ODOO_BIN", "/nonexistent/odoo-bin")).parent
PO_FILES = list(langpack.po_files())


def odoo_module_exists(name):
    """In the Odoo tree, or installed with pip (OCA's report_xlsx) under odoo/addons."""
    roots = [ODOO_SRC / "addons", ODOO_SRC / "odoo" / "addons"]
    roots += [Path(p) / "odoo" / "addons" for p in sys.path if p]
    return any((root / name / "__manifest__.py").exists() for root in roots)


def test_langpack_folders_are_odoo_modules_translations():
    """langpack/<module> only holds i18n_extra/<lang>.po for a real Odoo module: a typo in a
    folder name would be ignored by Odoo's loader without a word."""
    for folder in sorted(p for p in langpack.LANGPACK.iterdir() if p.is_dir()):
        if folder.name == langpack.LANG_ADDON:
            assert (folder / "__manifest__.py").exists()
            continue
        assert odoo_module_exists(folder.name), f"langpack/{folder.name}: no such Odoo module"
        files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
        assert files and set(files) <= {"i18n_extra/kk.po", "i18n_extra/ru.po"}, (folder.name, files)


@pytest.mark.parametrize("module,lang,path", PO_FILES, ids=[f"{m}/{lang}" for m, lang, _p in PO_FILES])
def test_po_file_is_clean(module, lang, path):
    """msgfmt accepts it with nothing untranslated or fuzzy; placeholders and markup survive
    translation; the glossary's terms are used; no English is left in the Kazakh."""
    terms = langpack.glossary()
    returncode, stats = langpack.msgfmt_statistics(path)
    assert returncode == 0 and "untranslated" not in stats and "fuzzy" not in stats, stats
    problems = [(entry.msgid[:70], problem)
                for entry in polib.pofile(str(path))
                for problem in langpack.entry_problems(module, lang, entry, terms)]
    assert not problems, problems[:20]


def test_kazakh_covers_every_screen_module():
    """Thousands of Kazakh strings for the modules whose screens the product's users see."""
    counts = langpack.stats()
    for module, minimum in (("web", 900), ("base", 1500), ("mail", 1600), ("hr", 400),
                            ("maintenance", 250), ("resource", 100), ("hr_maintenance", 20),
                            ("auth_signup", 60), ("html_editor", 300)):
        assert counts.get((module, "kk"), 0) >= minimum, (module, counts.get((module, "kk")))
    # the product's own strings: every one has Kazakh and Russian
    assert counts[("mchs_bodycam", "kk")] == counts[("mchs_bodycam", "ru")] > 0


def test_glossary_checker_catches_a_wrong_term():
    """The glossary check is real: a Kazakh 'Cancel' that is not the glossary's word fails."""
    terms = langpack.glossary()
    wrong = polib.POEntry(msgid="Cancel", msgstr="Бас тарту")
    assert any("glossary" in p for p in langpack.entry_problems("web", "kk", wrong, terms))
    right = polib.POEntry(msgid="Cancel", msgstr=terms["Cancel"][0])
    assert langpack.entry_problems("web", "kk", right, terms) == []
    broken = polib.POEntry(msgid="Search: %s", msgstr="Іздеу")
    assert any("placeholders" in p for p in langpack.entry_problems("web", "kk", broken, terms))
    english = polib.POEntry(msgid="Schedule an activity on selected records", msgstr="Таңдалған жазбаларға іс жоспарлау please")
    assert any("English" in p for p in langpack.entry_problems("mail", "kk", english, terms))


def test_journal_words_are_distinct(mchs):
    """Point 9: books, journal rows and recordings have their own words in kk and ru, and the
    Journals menu no longer repeats itself (was «Журналдар › Журналдар», «Журналы › Журналы»)."""
    kk = {e.msgid: e.msgstr for e in polib.pofile(str(langpack.PRODUCT_I18N / "kk.po"))}
    ru = {e.msgid: e.msgstr for e in polib.pofile(str(langpack.PRODUCT_I18N / "ru.po"))}
    for table in (kk, ru):
        assert table["Journal books"] != table["Journals"]
        assert len({table["Journal books"], table["Entries"], table["Recordings"]}) == 3
    assert kk["Recordings"] == "Бейнежазбалар" and ru["Recordings"] == "Видеозаписи"
    assert kk["Journal books"] == "Журнал кітаптары" and ru["Journal books"] == "Книги журналов"
    # every product string about recordings says so on screen: no bare жазба for a recording.
    # The printed forms keep the Order's own words (its Kazakh text says «жазбалар» in the acts'
    # lists and the journal's title), so entries used only in reports are left as the Order has them.
    for entry in polib.pofile(str(langpack.PRODUCT_I18N / "kk.po")):
        printed = entry.occurrences and all(
            where.startswith("code:addons/mchs_bodycam/reports/") or "mchs_bodycam.report_" in where
            or where.startswith("model:ir.actions.report") for where, _line in entry.occurrences)
        if "recording" in entry.msgid.lower() and "жазба" in entry.msgstr.lower() and not printed:
            assert "бейнежазба" in entry.msgstr.lower(), (entry.msgid, entry.msgstr)
    # and the installed database shows the menus that way
    rows = mchs.query(mchs.db_demo, """
        SELECT menu.name->>'kk_KZ', menu.name->>'ru_RU', parent.name->>'kk_KZ', parent.name->>'ru_RU'
          FROM ir_ui_menu menu JOIN ir_ui_menu parent ON parent.id = menu.parent_id
          JOIN ir_model_data imd ON imd.model = 'ir.ui.menu' AND imd.res_id = menu.id
         WHERE imd.module = 'mchs_bodycam' AND imd.name = 'mchs_bodycam_journal_menu'""")
    assert rows == [("Журнал кітаптары", "Книги журналов", "Журналдар", "Журналы")], rows
