"""The moments of an Appendix 1 book (item 9) print in the unit's time zone, to the minute, in the
spreadsheet and the printed book alike, across a change of the zone's offset too: the book's rows
are read by SQL and their moments printed by PostgreSQL with the offsets Python's time zone data
gives (reports/report_print.py, PrintedForm.offsets and sql_datetime)."""
import io
from datetime import datetime, timedelta

import pytz

from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL

from ..reports.report_journal import JournalForm, journal_report_values

# zone -> a change of its offset inside a UTC day
CHANGES = {
    # Kazakhstan moved from UTC+6 to UTC+5 at midnight of 1 March 2024, local time
    "Asia/Almaty": datetime(2024, 2, 29, 18, 0),
    # a daylight saving change, for a zone that changes twice a year
    "Europe/Berlin": datetime(2026, 10, 25, 1, 0),
}


def printed(moment, zone):
    """The reference: pytz and strftime, as the rest of the addon prints a moment."""
    return pytz.utc.localize(moment).astimezone(pytz.timezone(zone)).strftime("%d.%m.%Y %H:%M")


@tagged("post_install", "-at_install")
class TestJournalMoments(TransactionCase):

    def _book(self, zone, moments, **row_values):
        calendar = self.env["resource.calendar"].create({"name": f"Hours {zone}", "tz": zone})
        code = "TM" + str(len(self.env["hr.department"].search([("bodycam_code", "=like", "TM%")])))
        unit = self.env["hr.department"].create({"name": f"Unit {zone}", "bodycam_code": code,
                                                 "bodycam_calendar_id": calendar.id})
        inspector = self.env["hr.employee"].create({"name": row_values.pop("inspector_name", "Әлия Бекова"),
                                                    "department_id": unit.id})
        camera = self.env["mchs.bodycam.camera"].create({"department_id": unit.id})
        book = self.env["mchs.bodycam.journal"].create({
            "kind": "custody", "department_id": unit.id, "registration_number": f"{code}-1",
            "registration_date": "2024-01-05"})
        book.action_register()
        # rows created complete (create is not guarded), as test_journal_reports does
        self.env["mchs.bodycam.custody"].create([dict({
            "journal_id": book.id, "row_number": number, "department_id": unit.id, "camera_id": camera.id,
            "inspector_id": inspector.id, "state": "closed", "inventory_text": f"{code}-BC-{number:05d}",
            "issue_datetime": moment, "issue_confirmed_at": moment + timedelta(minutes=1),
            "issue_confirmation": "badge", "return_datetime": moment + timedelta(hours=8),
            "return_confirmed_at": moment + timedelta(hours=8, minutes=1), "return_confirmation": "session",
            "download_datetime": moment + timedelta(hours=9)}, **row_values)
            for number, moment in enumerate(moments, start=1)])
        return book

    def _xlsx_rows(self, book):
        import openpyxl
        content, _kind = self.env["ir.actions.report"].with_context(mchs_lang="ru_RU")._render_xlsx(
            "mchs_bodycam.report_journal_custody_xlsx", book.ids, {})
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        return [row for row in sheet.iter_rows(min_row=9)]

    def test_moments_across_a_change_of_offset(self):
        for zone, change in CHANGES.items():
            with self.subTest(zone=zone):
                moments = [change + timedelta(minutes=minutes) for minutes in (-61, -1, 0, 1, 59)]
                moments += [change - timedelta(days=40), change + timedelta(days=40, seconds=59)]
                book = self._book(zone, moments)
                rows = self._xlsx_rows(book)
                html = "".join(journal_report_values(self.env, "custody", book.ids, {"mchs_lang": "ru_RU"})
                               ["books"][book.id]["pages"])
                for moment, row in zip(moments, rows, strict=True):
                    issued, returned, downloaded = (printed(moment + shift, zone) for shift in (
                        timedelta(0), timedelta(hours=8), timedelta(hours=9)))
                    self.assertEqual(row[3].value.split("\n"), [
                        issued, f"✓ Сканирование бейджа у ответственного лица, "
                                f"{printed(moment + timedelta(minutes=1), zone)}"])
                    self.assertTrue(row[4].value.startswith(returned + "\n"))
                    self.assertEqual(row[5].value, downloaded)
                    self.assertIn(f"<td>{issued}<div", html)
                    self.assertIn(f"<td>{downloaded}</td>", html)

    def test_python_and_sql_print_the_same(self):
        """PrintedForm.datetime (Python: every other document) and sql_datetime (PostgreSQL: the
        journal's rows) print every minute around a change, and every hour of a year, as pytz does."""
        for zone, change in CHANGES.items():
            with self.subTest(zone=zone):
                form = JournalForm.of(self.env, "custody", self._book(zone, [change]))
                self.assertEqual(form.tz.zone, zone)
                moments = [change + timedelta(minutes=minutes, seconds=30) for minutes in range(-90, 90)]
                start = datetime(change.year, 1, 1)
                moments += [start + timedelta(hours=hours, minutes=hours % 60) for hours in range(366 * 24)]
                spans = form.offsets(min(moments), max(moments))
                self.assertEqual(len(spans), 3 if zone == "Europe/Berlin" else 2, spans)
                self.env.cr.execute(SQL(
                    "SELECT %s FROM unnest(%s::timestamp[]) WITH ORDINALITY AS moment (moment, number) ORDER BY number",
                    form.sql_datetime(SQL("moment"), spans), moments))
                by_sql = [text for text, in self.env.cr.fetchall()]
                for moment, sql_text in zip(moments, by_sql, strict=True):
                    expected = printed(moment, zone)
                    self.assertEqual((moment, sql_text), (moment, expected))
                    self.assertEqual((moment, form.datetime(moment)), (moment, expected))

    def test_no_zone_changes_its_offset_twice_a_day(self):
        """PrintedForm looks a zone's offset up once per UTC day, and finds a change within a day
        to the microsecond: it relies on no zone changing its offset twice within one UTC day.
        Checked on every zone of the tz database pytz ships (pytz exposes its transitions only as
        the private _utc_transition_times: read here, in a test, not in the product)."""
        for name in pytz.all_timezones:
            transitions = getattr(pytz.timezone(name), "_utc_transition_times", None) or []
            days = [moment.date() for moment in transitions[1:]]
            self.assertEqual(len(days), len(set(days)), f"{name} changes its offset twice within a UTC day")

    def test_texts_stay_texts(self):
        """Cells are written as texts: a name or a number that looks like a formula is not one."""
        book = self._book("Asia/Almaty", [datetime(2026, 1, 6, 4, 0)], inspector_name="=SUM(A1:A9)",
                          inventory_text="{=1+2}")
        row = self._xlsx_rows(book)[0]
        self.assertEqual((row[1].value, row[1].data_type), ("{=1+2}", "s"))
        self.assertEqual((row[2].value, row[2].data_type), ("=SUM(A1:A9)", "s"))
