"""Printed forms read the same whoever prints them (issue 11): the language is the one chosen
for the document (by default the unit's), its texts come from the .po catalogs, its times are
in the unit's time zone. Item 9 on paper: the appendix's corner caption, the book's registration
number and date, the seal place."""
import re
from datetime import datetime, timedelta

import polib
from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.modules.module import get_module_path
from odoo.tests import HttpCase, new_test_user, tagged

from .common import CHECKS_PASSED
from .test_reports import PdfReportMixin, flat, pdf_text

MORNING = datetime(2026, 11, 2, 4, 0)  # 09:00 in Almaty
# words printed on purpose in Latin letters (checksums, inventory codes)
LATIN_ALLOWED = {"sha"}


def english_words():
    """Every English word of four letters or more in the addon's catalog template: a Kazakh or
    Russian print containing one of them has leaked an untranslated text."""
    template = polib.pofile(f"{get_module_path('mchs_bodycam')}/i18n/mchs_bodycam.pot")
    words = set()
    for entry in template:
        words |= {word.lower() for word in re.findall(r"[A-Za-z]{4,}", entry.msgid)}
    return words - LATIN_ALLOWED


def leaked_english(text, vocabulary):
    return sorted({word.lower() for word in re.findall(r"[A-Za-z]{4,}", text)} & vocabulary)


@tagged("post_install", "-at_install")
class TestPrintFidelity(PdfReportMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("kk_KZ", "ru_RU"):
            cls.env["res.lang"]._activate_lang(lang)
        calendar = cls.env["resource.calendar"].create({"name": "Алматы уақыты", "tz": "Asia/Almaty"})
        cls.unit = cls.env["hr.department"].create({
            "name": "Ақтөбе облысының ТЖД (басып шығару)", "bodycam_code": "PRN", "bodycam_lang": "kk_KZ",
            "bodycam_calendar_id": calendar.id})
        group = "mchs_bodycam.group_bodycam_responsible"
        cls.responsible_user = new_test_user(cls.env, login="prn.responsible", groups=group, lang="kk_KZ",
                                             tz="Asia/Almaty", name="Нұрлан Сейітов")
        cls.responsible = cls.env["hr.employee"].create({
            "name": "Нұрлан Сейітов", "user_id": cls.responsible_user.id, "department_id": cls.unit.id})
        cls.env["mchs.bodycam.designation"].create({
            "department_id": cls.unit.id, "role": "responsible", "employee_id": cls.responsible.id,
            "date_start": "2020-01-01"})
        inspector_user = new_test_user(cls.env, login="prn.inspector", groups="mchs_bodycam.group_bodycam_inspector",
                                       name="Әлия Бекова")
        cls.inspector = cls.env["hr.employee"].create({
            "name": "Әлия Бекова", "user_id": inspector_user.id, "department_id": cls.unit.id,
            "barcode": "4200000901"})
        cls.other = cls.env["hr.employee"].create({
            "name": "Ғалым Өтегенұлы", "department_id": cls.unit.id, "barcode": "4200000902"})
        # the administrator prints in English from Brussels
        cls.admin_user = cls.env.ref("base.user_admin")
        cls.admin_user.write({"lang": "en_US", "tz": "Europe/Brussels",
                              "groups_id": [(4, cls.env.ref("mchs_bodycam.group_bodycam_admin").id)]})
        # the bodycam administrator of the unit (roles are confined to their units)
        if cls.admin_user.employee_id:
            cls.admin_user.employee_id.department_id = cls.unit
        else:
            cls.env["hr.employee"].create({"name": "Әкімші", "user_id": cls.admin_user.id, "department_id": cls.unit.id})
        cls.camera = cls.env["mchs.bodycam.camera"].create({"department_id": cls.unit.id, "model": "Hikvision"})
        card = cls.env["mchs.bodycam.card"].create({"department_id": cls.unit.id, "capacity_gb": 128})
        card._install_into(cls.camera, when=MORNING - timedelta(days=1))
        cls.camera._apply_seal("PRN-0001")
        cls.book = cls.env["mchs.bodycam.journal"].create({
            "kind": "custody", "department_id": cls.unit.id, "registration_number": "04-17/325",
            "registration_date": "2026-01-12", "date_start": "2026-01-12"})
        cls.book.action_register()
        cls._write_the_day()

    @classmethod
    def _write_the_day(cls):
        """One duty with a pause announced and acknowledged (item 20), a correction (item 9) and
        the return, through the real actions."""
        desk = cls.env["mchs.bodycam.custody"].with_user(cls.responsible_user)
        with freeze_time(MORNING):
            entry = desk.create(dict(CHECKS_PASSED, camera_id=cls.camera.id, inspector_id=cls.inspector.id,
                                     check_seal_number="PRN-0001"))
            entry._confirm_by_badge(cls.inspector._bodycam_badge_payload(), "issue")
            entry.action_issue()
        with freeze_time(MORNING + timedelta(minutes=20)):
            entry = entry._correct("Инспектор қате жазылды", inspector_id=cls.other,
                                   badge_payload=cls.other._bodycam_badge_payload())
        with freeze_time(MORNING + timedelta(hours=4, minutes=1)):
            entry._pause("meal", MORNING + timedelta(hours=4))
        with freeze_time(MORNING + timedelta(hours=5)):
            entry._resume(MORNING + timedelta(hours=4, minutes=45))
            entry.action_acknowledge_pause()
        with freeze_time(MORNING + timedelta(hours=8)):
            entry._confirm_by_badge(cls.other._bodycam_badge_payload(), "return")
            entry.action_return()
        cls.entry = entry

    def _print(self, xmlid, records, user, lang=None):
        context = {"lang": user.lang, "tz": user.tz}
        if lang:
            context["mchs_lang"] = lang
        return self.render_pdf(xmlid, records, user=user, **context)

    @freeze_time("2026-11-30 20:30:00")
    def test_same_print_whoever_prints(self):
        """Printed by admin (English, Europe/Brussels) and by the unit's responsible person
        (Kazakh, Almaty): the same cells and times, and no English word in Kazakh or Russian.
        Printed at 20:30 UTC, when Brussels is still on 30 November: the open book's
        certification page bears the unit's date, 1 December (item 9)."""
        vocabulary = english_words()
        for lang in (None, "kk_KZ", "ru_RU"):
            by_admin = pdf_text(self._print("mchs_bodycam.action_report_journal_custody", self.book, self.admin_user,
                                            lang))
            by_responsible = pdf_text(self._print("mchs_bodycam.action_report_journal_custody", self.book,
                                                  self.responsible_user, lang))
            self.assertEqual(by_admin, by_responsible, f"the {lang or 'default'} print depends on who prints")
            self.assertEqual(leaked_english(by_admin, vocabulary), [], f"English words in the {lang} print")
            text = flat(by_admin)
            # the issue at 09:00 and the return at 17:00, Almaty time (not Brussels', not UTC)
            self.assertIn("02.11.2026 09:00", text)
            self.assertIn("02.11.2026 17:00", text)
            self.assertNotIn("05:00", text)
            self.assertIn("01.12.2026", text, "the certification page's date, the unit's")
            self.assertNotIn("30.11.2026", text)
        kazakh = flat(pdf_text(self._print("mchs_bodycam.action_report_journal_custody", self.book,
                                           self.admin_user)))
        self.assertIn("Бейнетіркегіш пен жад карталарын беруді", kazakh, "the unit's language by default")
        self.assertIn("Үзіліс (20-тармақ", kazakh)
        self.assertIn("13:45", kazakh, "the resume as announced, in the unit's time")
        russian = flat(pdf_text(self._print("mchs_bodycam.action_report_journal_custody", self.book,
                                            self.admin_user, "ru_RU")))
        self.assertIn("Журнал учета выдачи, сдачи видеорегистраторов", russian)
        self.assertIn("Перерыв (пункт 20", russian)
        self.assertIn("Зачёркнуто (пункт 9)", russian)

    def test_access_journal_same_whoever_prints(self):
        book = self.env["mchs.bodycam.journal"].create({
            "kind": "access", "department_id": self.unit.id, "registration_number": "04-17/326",
            "registration_date": "2026-01-12", "date_start": "2026-01-12"})
        book.action_register()
        # Appendix 2 is not the bodycam administrator's to read (item 13): the head prints it, in
        # English from Brussels
        head_user = new_test_user(self.env, login="prn.head", groups="mchs_bodycam.group_bodycam_head",
                                  lang="en_US", tz="Europe/Brussels", name="Ерлан Сапарұлы")
        self.env["hr.employee"].create({"name": "Ерлан Сапарұлы", "user_id": head_user.id,
                                        "department_id": self.unit.id})
        vocabulary = english_words()
        for lang in ("kk_KZ", "ru_RU"):
            by_head = pdf_text(self._print("mchs_bodycam.action_report_journal_access", book, head_user, lang))
            by_responsible = pdf_text(self._print("mchs_bodycam.action_report_journal_access", book,
                                                  self.responsible_user, lang))
            self.assertEqual(by_head, by_responsible)
            self.assertEqual(leaked_english(by_head, vocabulary), [])
        self.assertIn("нұсқаулығына 2-қосымша", flat(pdf_text(self._print(
            "mchs_bodycam.action_report_journal_access", book, head_user, "kk_KZ"))))

    def test_item9_caption_registration_and_seal_place(self):
        kazakh = self._print("mchs_bodycam.action_report_journal_custody", self.book, self.admin_user, "kk_KZ")
        pages = [flat(page) for page in pdf_text(kazakh).split("\f") if page.strip()]
        first, certification = pages[0], pages[-1]
        self.assertIn("нұсқаулығына 1-қосымша", first)
        self.assertIn("(нысан)", first)
        for page in (first, certification):
            self.assertIn("04-17/325", page)
            self.assertIn("12.01.2026", page)
        self.assertIn("М.О.", certification)
        self.assertIn("Нұрлан Сейітов", certification)
        russian = self._print("mchs_bodycam.action_report_journal_custody", self.book, self.admin_user, "ru_RU")
        pages = [flat(page) for page in pdf_text(russian).split("\f") if page.strip()]
        self.assertIn("Приложение 1 к Инструкции", pages[0])
        self.assertIn("(форма)", pages[0])
        self.assertIn("Зарегистрирован в канцелярии: № 04-17/325 от 12.01.2026", pages[-1])
        self.assertIn("М.П.", pages[-1])

    def test_print_wizard_defaults_to_the_units_language(self):
        unit_ru = self.env["hr.department"].create({"name": "ДЧС (печать)", "bodycam_code": "PRR",
                                                    "bodycam_lang": "ru_RU"})
        book = self.env["mchs.bodycam.journal"].create({"kind": "custody", "department_id": unit_ru.id})
        Wizard = self.env["mchs.bodycam.print.wizard"].with_context(
            active_model="mchs.bodycam.journal", mchs_report="mchs_bodycam.action_report_journal_custody")
        self.assertEqual(Wizard.with_context(active_ids=book.ids).create({}).lang, "ru_RU")
        wizard = Wizard.with_user(self.responsible_user).with_context(active_ids=self.book.ids).create({})
        self.assertEqual(wizard.lang, "kk_KZ")
        wizard.lang = "ru_RU"
        action = wizard.action_print()
        self.assertEqual((action["data"]["mchs_lang"], action["data"]["mchs_ids"]), ("ru_RU", self.book.ids))
        # an inspector does not print the book
        inspector = self.inspector.user_id
        with self.assertRaises(AccessError):
            Wizard.with_user(inspector).with_context(active_ids=self.book.ids).create({}).action_print()

    def test_badges_fit_their_page(self):
        """Layout (item 17): one badge a page, whatever the length of the name, the position and
        the unit's name; the ID line stays on it."""
        unit = self.env["hr.department"].create({
            "name": "Азаматтық қорғаныс комитетінің мемлекеттік бақылау басқармасы", "bodycam_code": "PRL",
            "bodycam_lang": "ru_RU"})
        people = self.env["hr.employee"].create([{
            "name": name, "department_id": unit.id, "barcode": barcode,
            "job_title": "Мемлекеттік инспектор / Государственный инспектор"}
            for name, barcode in (("Жанар Исаева", "4200000911"),
                                  ("Шаһизада Мұхамедқалиқызы-Тілеуқабылова", "4200000912"))])
        pdf = self.render_pdf("mchs_bodycam.action_report_chest_badge", people)
        pages = [flat(page) for page in pdf_text(pdf).split("\f") if page.strip()]
        self.assertEqual(len(pages), 2)
        for page, person in zip(pages, people):
            self.assertIn(f"ID {person.barcode}", page)
