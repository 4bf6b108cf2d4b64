"""Demo data of the regulation, made through the product's own actions.

Every journal row, remark, recording, access, act and audit of the demo is made by the action
a person or a job would use, at the moment it pretends to have happened: the clock is moved
there (freezegun) instead of rewriting the records afterwards, which the locks of items 9, 12
and 13 refuse. The demo obeys the product's own rules: a bodycam is out to one inspector at a
time and an inspector holds one bodycam at a time.

Called from demo/mchs_bodycam_demo.xml only; nothing here is reached without demo data.
"""
import base64
import hashlib
from contextlib import contextmanager, suppress
from datetime import date, datetime, time, timedelta, timezone
from unittest.mock import patch

import pytz

from odoo import api, fields, models, tools
from odoo.exceptions import UserError

from ..lib.storage import store_stream
from ..lib.transaction import IN_CALLER_TRANSACTION
from ..lib.storage_s3 import S3Backend
from .demo_pki import demo_pki
from .demo_video import demo_video
from ..models.mchs_bodycam_upload import EXPIRY

CHECKS = {
    "check_operable": True, "check_datetime": True, "check_quality": True, "check_inventory_label": True,
    "check_seal_intact": True, "check_placement": True, "check_badge_worn": True,
}
# the storage server's special password of the demo (README, item 5)
DEMO_PASSWORD = "bodycam-demo-2026"


@contextmanager
def _object_store_signing_on_the_real_clock():
    """botocore signs a request with the time of its making, which the demo's frozen clock sets
    up to a year back; an object store refuses a signature more than 15 minutes off its own
    clock (RequestTimeTooSkewed), and with STORAGE=s3 the demo stores and destroys on one."""
    try:
        from botocore import auth  # noqa: PLC0415 (no object store, nothing to sign, without boto)
    except ImportError:
        yield
        return
    from freezegun.api import real_datetime  # noqa: PLC0415 (demo installs only)

    def real_utc_now(remove_tzinfo=True):
        now = real_datetime.now(timezone.utc)
        return now.replace(tzinfo=None) if remove_tzinfo else now

    with patch.object(auth, "get_current_datetime", real_utc_now):
        yield


class MchsBodycamDemo(models.AbstractModel):
    _name = "mchs.bodycam.demo"
    _description = "Demo data of the bodycam regulation"

    # ------------------------------------------------------------------ the clock

    @contextmanager
    def _clock(self):
        """Yields ``at(moment)``, which moves the clock to a naive UTC ``moment`` (and never past
        the real time: the demo does not act in the future)."""
        from freezegun import freeze_time  # noqa: PLC0415 (demo installs only; Odoo's own test tooling)
        real_now = fields.Datetime.now()
        with freeze_time(real_now) as frozen, _object_store_signing_on_the_real_clock():
            def at(moment):
                frozen.move_to(min(moment, real_now - timedelta(minutes=1)))
            yield at

    @api.model
    def _local(self, unit, day, hour, minute=0):
        """The naive UTC moment of ``hour:minute`` of ``day`` in the unit's local time."""
        local = unit._bodycam_tz().localize(datetime.combine(day, time(hour, minute)))
        return local.astimezone(pytz.utc).replace(tzinfo=None)

    @api.model
    def _person(self, unit, role, day=None):
        return unit._bodycam_person_at(role, day or unit._bodycam_today())

    # ------------------------------------------------------------------ units and registry

    @api.model
    def _translate_unit_names(self):
        """The units' Russian names (Kazakh is the source text)."""
        names = {
            "department_almaty_demo": "Департамент по чрезвычайным ситуациям города Алматы",
            "department_committee_demo": "Управление государственного контроля Комитета гражданской обороны",
            "department_committee_hq_demo": "Комитет гражданской обороны",
        }
        for xmlid, russian in names.items():
            self.env.ref(f"mchs_bodycam.{xmlid}").update_field_translations("name", {"ru_RU": russian})

    @api.model
    def _setup_registry(self):
        """At the start of the year: cards installed two per bodycam and sealed (item 8); bodycam
        8 goes to repair, bodycam 12 is written off, one card is lost."""
        def ref(xmlid):
            return self.env.ref(f"mchs_bodycam.{xmlid}")
        with self._clock() as at:
            at(self._local(ref("department_almaty_demo"), fields.Date.today().replace(month=1, day=12), 10))
            for index in range(1, 13):
                if index in (8, 12):
                    continue
                camera = ref(f"camera_{index:02d}_demo")
                for card_index in (2 * index - 1, 2 * index):
                    ref(f"card_{card_index:02d}_demo")._install_into(camera)
                camera._apply_seal(f"{camera.department_id.bodycam_code}-S-{1000 + index}")
            ref("camera_08_demo").action_send_to_repair()
            ref("camera_12_demo").action_write_off()
            ref("card_24_demo").action_mark_lost()
        self._name_repair_requests()

    @api.model
    def _name_repair_requests(self):
        """Uninstalling the module deletes the demo devices and, with their xmlids, their
        equipment; an xmlid on each of their repair requests has it deleted first. A device
        registered by people has none: its equipment and repairs stay in the Maintenance app."""
        Data = self.env["ir.model.data"]
        equipment = Data.search([("module", "=", "mchs_bodycam"), ("model", "=", "maintenance.equipment")])
        requests = self.env["maintenance.request"].search([("equipment_id", "in", equipment.mapped("res_id"))])
        named = Data.search([("model", "=", "maintenance.request"), ("res_id", "in", requests.ids)]).mapped("res_id")
        Data.create([{"module": "mchs_bodycam", "name": f"maintenance_request_{request.id}_demo",
                      "model": "maintenance.request", "res_id": request.id, "noupdate": True}
                     for request in requests if request.id not in named])

    @api.model
    def _register_books(self, xmlids, day):
        """Item 9: the office has numbered, bound and sealed the books; registered on ``day``."""
        books = self.env["mchs.bodycam.journal"].browse([self.env.ref(xmlid).id for xmlid in xmlids])
        with self._clock() as at:
            at(self._local(books[:1].department_id, fields.Date.to_date(day), 9))
            books.action_register()

    @api.model
    def _close_book(self, xmlid, day):
        """Item 9: the responsible person closes the book, certifying it (signed, issue 13)."""
        book = self.env.ref(xmlid)
        day = fields.Date.to_date(day)
        with self._clock() as at:
            at(self._local(book.department_id, day, 18))
            self._press(self._person(book.department_id, "responsible", day).user_id, book, "action_close")

    # ------------------------------------------------------------------ qualified signatures (issue 13)

    @api.model
    def _qualified_signing(self, unit_xmlid, day):
        """On ``day`` the administrator trusts the demo's certification authority ("DEMO — not NCA
        RK", demo/demo_pki.py) and turns qualified signing on for the unit's company: from then on
        the commission's confirmations, the audit act, the item 9 certification and the evidence
        manifest are signed with the signers' keys."""
        unit = self.env.ref(unit_xmlid)
        day = fields.Date.to_date(day)
        pki = self._pki(start=datetime.combine(day.replace(month=1, day=1), time()))
        admin = self.env.ref("mchs_bodycam.user_admin_demo")
        with self._clock() as at:
            at(self._local(unit, day, 9))
            self.env["mchs.bodycam.trusted.certificate"].with_user(admin).create(
                [{"certificate": base64.b64encode(der), "filename": name} for name, der in pki.trusted])
            unit.company_id.bodycam_signing = True

    @api.model
    def _pki(self, start=None):
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        return demo_pki((self.env.cr.dbname, uuid), start and start.replace(tzinfo=pytz.utc))

    @api.model
    def _press(self, user, document, button):
        """``user`` presses ``button`` of ``document``. When it opens the signing flow (issue 13),
        the user signs what the server asks with their demo key, as the browser does through
        NCALayer, and the signature goes the browser's way: action_sign verifies it
        (_verify_cms) and records it, then the step is taken."""
        result = getattr(document.with_user(user), button)()
        if isinstance(result, dict) and result.get("tag") == "mchs_bodycam_sign":
            params = result["params"]
            document.with_user(user).action_sign(params["purpose"], self._signature_of(user.employee_id, params["data"]))
        return result

    @api.model
    def _signature_of(self, employee, data):
        """What NCALayer returns when ``employee`` signs ``data`` (base64) with their demo key: the
        base64 of a detached CMS."""
        # the anti-corruption officer's key is GOST 34.10-2015: both of NCA's algorithms show
        kind = "gost256" if employee == self.env.ref("mchs_bodycam.employee_anticorruption_demo") else "rsa"
        holder = self._pki().holder(employee._bodycam_iin(), employee.name, kind=kind)
        return base64.b64encode(holder.sign_cms(base64.b64decode(data))).decode()

    @api.model
    def _signed_desk_step(self, desk, method, employee, *args):
        """A Scan desk step the inspector signs (issue 13, the desk setting): the desk asks, the
        inspector signs with their key, the desk sends the step again with the signature."""
        request = getattr(desk, method)(*args)["sign"]
        return getattr(desk, method)(*args, self._signature_of(employee, request["data"]), request["moment"])

    # ------------------------------------------------------------------ storage (items 10, 11, 13)

    @api.model
    def _storage(self, unit):
        """The unit's storage server (once), with the demo's special password set by its
        responsible person (item 5 ¶2), and its dock."""
        Storage = self.env["mchs.bodycam.storage"]
        storage = Storage._for_unit(unit)
        if not storage:
            storage = Storage.create(dict(self._bucket_values(unit), name=unit.name, department_id=unit.id))
            if storage.kind == "s3":
                self._object_store(storage)
            storage.with_user(self._person(unit, "responsible").user_id)._set_password(DEMO_PASSWORD)
            self.env["mchs.bodycam.dock"].create({"name": f"{unit.bodycam_code}-DOCK-1", "department_id": unit.id})
        return storage

    @api.model
    def _bucket_values(self, unit):
        """On a local RGW (make run STORAGE=s3), a pair of buckets per unit."""
        if self.env["mchs.bodycam.storage"]._default_kind() != "s3":
            return {}
        prefix = (tools.config.get("mchs_bodycam_s3_bucket") or "mchs").lower()
        return {"s3_bucket": f"{prefix}-{unit.bodycam_code.lower()}-primary",
                "s3_backup_bucket": f"{prefix}-{unit.bodycam_code.lower()}-backup"}

    @api.model
    def _object_store(self, storage):
        """The buckets, created with Object Lock, and the keys tools/rgw.sh made, which make run
        passes in its generated config (.run/s3.env has them too)."""
        access_key, secret_key = (tools.config.get(f"mchs_bodycam_s3_{name}") for name in ("access_key", "secret_key"))
        for endpoint, bucket in storage._s3_locations():
            S3Backend(endpoint, bucket, access_key, secret_key, region=storage.s3_region).create_bucket()
        storage._set_s3_credentials(access_key, secret_key)

    @api.model
    def _dock(self, unit):
        return self.env["mchs.bodycam.dock"].search([("department_id", "=", unit.id)], limit=1)

    @api.model
    def _archive(self, storage, camera, start, body):
        """A recording of the archive older than the system (docks refuse such dates), stored on
        both locations and registered directly."""
        sha256, size = store_stream(iter([body]), storage._backends(), retain_until=storage._retain_until(start))
        return self.env["mchs.bodycam.recording"].sudo().create({
            "sha256": sha256, "size": size, "storage_id": storage.id, "department_id": storage.department_id.id,
            "camera_id": camera.id, "device_start": start, "device_end": start + timedelta(hours=2),
            "start": start, "end": start + timedelta(hours=2), "filename": f"ARCH_{start:%Y%m%d_%H%M}.mp4"})

    @api.model
    def _upload(self, entry, minutes_after_issue, hours):
        """The dock uploads a short generated recording of ``entry`` while the bodycam charges
        (item 11), through the real ingest path so that its hash is real."""
        start = entry.issue_datetime + timedelta(minutes=minutes_after_issue, seconds=entry.clock_offset_seconds)
        body = demo_video(f"{entry.inventory_text}\n№ {entry.row_number} · {entry._local_time(start)}")
        recording, _created = self.env["mchs.bodycam.recording"]._ingest(
            self._dock(entry.department_id), entry.camera_id.inventory_number, entry.card_ids[:1].inventory_number,
            str(start), str(start + timedelta(hours=hours)), iter([body]), len(body),
            filename=f"REC_{entry.row_number:04d}_{minutes_after_issue:03d}.mp4")
        return recording

    @api.model
    def _uploads(self, unit_xmlid):
        """The dock's resumable uploads (items 10, 11), through the real steps in the loading
        transaction, the evening of their duty: a recording sent in two chunks and stored, one
        the dock gave up, and one abandoned after its first chunk that expired a day later."""
        Upload = self.env["mchs.bodycam.upload"].with_context(**{IN_CALLER_TRANSACTION: True})
        Recording = self.env["mchs.bodycam.recording"]
        unit = self.env.ref(unit_xmlid)
        dock = self._dock(unit)
        storage = self.env["mchs.bodycam.storage"]._for_unit(unit)
        # rows whose recordings the dock did not bring the same evening
        entries = self.env["mchs.bodycam.custody"].search(
            [("department_id", "=", unit.id), ("state", "=", "closed"), ("struck", "=", False),
             ("recording_ids", "=", False)], order="row_number desc", limit=3)
        with self._clock() as at:
            for entry, outcome in zip(entries, ("done", "aborted", "expired")):
                at(entry.closed_datetime + timedelta(minutes=20))
                start = entry.issue_datetime + timedelta(minutes=5, seconds=entry.clock_offset_seconds)
                line = f"demo upload of row {entry.row_number}, {entry.inventory_text}\n".encode()
                size = storage._upload_chunk_size() + 4096  # a full chunk and a short last one
                body = (line * (size // len(line) + 1))[:size]
                ticket = Recording._ingest_check(
                    dock, entry.camera_id.inventory_number, entry.card_ids[:1].inventory_number, str(start),
                    str(start + timedelta(hours=2)), len(body), declared_sha256=hashlib.sha256(body).hexdigest(),
                    filename=f"REC_{entry.row_number:04d}.mp4")
                upload = Upload.search([("name", "=", Upload._dock_open(ticket)[1]["id"])])
                upload._dock_write(0, body[:upload.chunk_size])
                if outcome == "done":
                    upload._dock_write(upload.chunk_size, body[upload.chunk_size:])
                    upload._dock_finish()
                elif outcome == "aborted":
                    upload._dock_abort()
                else:
                    at(entry.closed_datetime + EXPIRY + timedelta(hours=2))
                    Upload._expire_idle()

    # ------------------------------------------------------------------ Appendix 1 (items 7-10, 16-23)

    @api.model
    def _journal(self, unit_xmlid, weeks=3, incidents=True, recorded_days=3):
        """A few weeks of the unit's Appendix 1 journal: two inspectors a working day (with
        ``incidents``, a pause, a failure with replacement and a correction), recordings uploaded
        by the dock for the last days, yesterday's overdue return and today's duty."""
        unit = self.env.ref(unit_xmlid)
        self._storage(unit)
        responsible = self._person(unit, "responsible")
        desk = self.env["mchs.bodycam.custody"].with_user(responsible.user_id)
        inspectors = self.env["hr.employee"].search([("department_id", "=", unit.id), ("barcode", "!=", False)],
                                                    order="id")
        today = fields.Date.today()
        days = [day for day in (today - timedelta(days=n) for n in range(7 * weeks, 0, -1)) if day.weekday() < 5]
        with self._clock() as at:
            for index, day in enumerate(days[:-1]):
                crew = (inspectors[index % len(inspectors):] + inspectors)[:2]
                # issue 13: for one day the unit has the inspectors sign the receipt and the
                # return at the desk with their NCA keys, then goes back to badges
                signed = incidents and index == len(days) - 3
                if signed:
                    at(self._local(unit, day, 8, 0))
                    unit.company_id.bodycam_sign_desk = True
                entries = [self._issue(desk, at, unit, day, inspector, 9, 5 + 7 * slot, signed=signed)
                           for slot, inspector in enumerate(crew)]
                if incidents and index == 2:
                    self._pause(entries[0], at, unit, day)
                if incidents and index == 4:
                    entries[0] = self._replace_after_failure(desk, entries[0], at, unit, day)
                if incidents and index == 6:
                    # item 9: the wrong inspector was written; struck through and rewritten
                    spare = (inspectors - crew)[:1]
                    at(self._local(unit, day, 9, 30))
                    entries[1] = entries[1]._correct(
                        "Инспектор қате жазылды / Ошибочно записан инспектор",
                        badge_payload=spare.sudo()._bodycam_badge_payload(), inspector_id=spare)
                if incidents and index == 8:
                    # item 23: the bodycam is damaged on site: the row closes as an incident
                    at(self._local(unit, day, 15, 10))
                    entries[1].with_user(desk.env.user)._report_incident(
                        "damage", "Объектіде құлап, экраны сынды / Упал на объекте, разбит экран")
                recorded = index >= len(days) - 1 - recorded_days
                for slot, entry in enumerate(entries):
                    if entry.state == "issued":
                        self._complete(entry, at, unit, day, 17, 40 + 5 * slot, recorded, signed=signed)
                if signed:
                    at(self._local(unit, day, 19, 0))
                    unit.company_id.bodycam_sign_desk = False
                # the daily seal of the journals, kept outside the database (items 9, 13)
                at(self._local(unit, day, 23, 0))
                self.env["mchs.bodycam.integrity.seal"]._seal(unit, "daily")
            # item 23: yesterday's bodycam never came back
            with_login = inspectors.filtered("user_id")
            late = (inspectors - with_login)[-1:] or inspectors[-1:]
            overdue = self._issue(desk, at, unit, days[-1], late, 8, 55)
            at(self._local(unit, days[-1], 18, 5))
            self.env["mchs.bodycam.custody"]._cron_flag_overdue_returns()
            assert overdue.is_overdue
            if with_login:
                # on duty today: what the inspector's "My duty" screen shows
                self._issue(desk, at, unit, today, with_login[0], 8, 50)
        self._name_repair_requests()

    @api.model
    def _issue(self, desk, at, unit, day, inspector, hour, minute, signed=False):
        """Items 7, 16: the desk's pre-use check and the inspector's badge, then the issue
        (``signed``: at the Scan desk, the inspector signing the receipt, issue 13)."""
        at(self._local(unit, day, hour, minute))
        camera = self.env["mchs.bodycam.camera"].search([
            ("department_id", "=", unit.id), ("state", "=", "available"), ("seal_id", "!=", False),
            ("card_ids", "!=", False)], limit=1)
        checks = dict(CHECKS, battery_level=90 + minute % 10, clock_offset_seconds=minute % 4,
                      check_seal_number=camera.seal_number)
        if signed:
            issued = self._signed_desk_step(desk, "desk_issue", inspector, camera.id,
                                            inspector.sudo()._bodycam_badge_payload(), checks)
            return desk.browse(issued["id"])
        entry = desk.create(dict(checks, camera_id=camera.id, inspector_id=inspector.id, department_id=unit.id))
        entry._confirm_by_badge(inspector.sudo()._bodycam_badge_payload(), "issue")
        entry.action_issue()
        return entry

    @api.model
    def _complete(self, entry, at, unit, day, hour, minute, recorded, signed=False):
        """The return with the inspector's badge (item 10; ``signed``: at the Scan desk, the
        inspector signing the return, issue 13), the download (by the dock, or the card read at
        the desk) and the cards wiped (item 5)."""
        at(self._local(unit, day, hour, minute))
        badge = entry.inspector_id.sudo()._bodycam_badge_payload()
        if signed:
            self._signed_desk_step(entry.browse(), "desk_return", entry.inspector_id, entry.camera_id.id, badge)
        else:
            entry._confirm_by_badge(badge, "return")
            entry.action_return()
        at(self._local(unit, day, hour + 1, 10))
        if recorded:
            self._upload(entry, 5, 3)
            self._upload(entry, 190, 2)
        else:
            entry.action_mark_downloaded()
        at(self._local(unit, day, hour + 1, 30))
        entry.action_close()

    @api.model
    def _pause(self, entry, at, unit, day):
        """Item 20: a meal break announced on the recording, the responsible person informed."""
        inspector = entry.inspector_id.user_id or self._person(unit, "responsible").user_id
        at(self._local(unit, day, 13, 1))
        entry.with_user(inspector)._pause("meal", self._local(unit, day, 13, 0))
        at(self._local(unit, day, 13, 41))
        entry.with_user(inspector)._resume(self._local(unit, day, 13, 40))
        at(self._local(unit, day, 13, 50))
        entry.with_user(self._person(unit, "responsible").user_id).action_acknowledge_pause()

    @api.model
    def _replace_after_failure(self, desk, entry, at, unit, day):
        """Item 21: the bodycam stops recording; the responsible person replaces it, and it comes
        back from repair the same afternoon."""
        at(self._local(unit, day, 11, 20))
        entry.with_user(desk.env.user)._report_failure("Жазбайды, E-17 қатесі / Не записывает, ошибка E-17")
        at(self._local(unit, day, 11, 40))
        replacement = desk.browse(entry.with_user(desk.env.user).action_replace_after_failure()["res_id"])
        replacement.write(dict(CHECKS, battery_level=96, check_seal_number=replacement.camera_id.seal_number))
        at(self._local(unit, day, 11, 45))
        replacement._confirm_by_badge(entry.inspector_id.sudo()._bodycam_badge_payload(), "issue")
        replacement.action_issue()
        at(self._local(unit, day, 12, 0))
        entry.with_user(desk.env.user).action_mark_downloaded()
        entry.with_user(desk.env.user).action_close()
        at(self._local(unit, day, 16, 0))
        entry.camera_id.with_user(desk.env.user).action_back_from_repair()
        return replacement

    # ------------------------------------------------------------------ Appendix 2 and item 14

    @api.model
    def _accesses(self, unit_xmlid):
        """The head and the responsible person look at recordings the morning after (item 13),
        and one recording is held for the prosecutor (item 14)."""
        unit = self.env.ref(unit_xmlid)
        recordings = self.env["mchs.bodycam.recording"].search(
            [("department_id", "=", unit.id), ("custody_id", "!=", False)], order="start desc", limit=3)
        responsible = self._person(unit, "responsible").user_id
        head = self._person(unit, "head").user_id
        Access = self.env["mchs.bodycam.access"]
        with self._clock() as at:
            for recording, user, purpose, hour in (
                    (recordings[:1], responsible, "Жүктеуді тексеру / Проверка выгрузки", 9),
                    (recordings[:1], head, "Тексеруді талдау / Анализ проверки", 10),
                    (recordings[1:2], head, "Тексерілушінің шағымы / Жалоба проверяемого", 11)):
                at(self._local(unit, recording.start.date() + timedelta(days=1), hour))
                Access.with_user(user)._log(recording, "view", purpose, "granted", remote_addr="10.0.0.15")
            # items 5, 13: the deputy head, in the Head group but not designated, tries the special
            # password: refused, and the refusal stays in Appendix 2
            at(self._local(unit, recordings[0].start.date() + timedelta(days=1), 12))
            wizard = self.env["mchs.bodycam.recording.access.wizard"].with_user(self.env.ref(
                "mchs_bodycam.user_deputy_demo")).create({
                    "recording_id": recordings[0].id, "password": DEMO_PASSWORD,
                    "purpose": "Тексеру жазбасымен танысу / Ознакомление с записью проверки"})
            with suppress(UserError):
                wizard.action_open()
            # item 22: the raw file is downloaded on the prosecutor's request, named in Appendix 2
            at(self._local(unit, recordings[0].start.date() + timedelta(days=1), 14))
            basis = self.env["mchs.bodycam.legal.basis"].with_user(head).create({
                "department_id": unit.id, "kind": "request", "number": "2-04-26/1190", "date": fields.Date.today(),
                "authority": "Алматы қаласының прокуратурасы"})
            Access.with_user(head)._log(recordings[:1], "download", "Прокуратураның сұрауы / Запрос прокуратуры",
                                        "granted", remote_addr="10.0.0.15", legal_basis=basis)
            at(self._local(unit, recordings[1].start.date() + timedelta(days=1), 15))
            evidence = self.env["mchs.bodycam.evidence"].with_user(head).create({
                "department_id": unit.id, "recording_ids": [(6, 0, recordings[1:2].ids)], "basis_type": "request",
                "basis_number": "2-04-26/1187", "basis_date": fields.Date.today(),
                "issuing_body": "Алматы қаласының прокуратурасы", "recipient": "both"})
            if evidence._signing_required():
                # item 14: the head signs the manifest before the package is built
                at(self._local(unit, recordings[1].start.date() + timedelta(days=1), 15, 10))
                self._press(head, evidence, "action_sign_manifest")

    # ------------------------------------------------------------------ items 12, 13

    @api.model
    def _commission_seats(self, unit, anti_corruption, day):
        return [(0, 0, {"employee_id": employee.id, "role": role}) for employee, role in (
            (self._person(unit, "head", day), "chairman"), (self._person(unit, "responsible", day), "responsible"),
            (anti_corruption, "anti_corruption"))]

    @api.model
    def _last_year_commission(self, unit_xmlid, anti_corruption_xmlid):
        """Last year's commission: its completed destruction act over archive recordings more
        than three years old (one kept, with the reason), and its completed audit, which verified
        the seals and found a file the registry does not know (items 12, 13)."""
        unit = self.env.ref(unit_xmlid)
        anti_corruption = self.env.ref(anti_corruption_xmlid)
        today = unit._bodycam_today()
        last_year = today.year - 1
        storage = self._storage(unit)
        cameras = self.env["mchs.bodycam.camera"].search([("department_id", "=", unit.id)], order="id", limit=3)

        def archive(year, month, day, index):
            camera = cameras[index % len(cameras)]
            start = datetime(year, month, day, 4 + index)
            body = demo_video(f"{camera.inventory_number}\n{start:%d.%m.%Y %H:%M} UTC")
            return self._archive(storage, camera, start, body)

        expired = [archive(last_year - 3, month, 10 + index, index) for index, month in enumerate((3, 5, 6, 9))]
        for index, month in enumerate((2, 4)):
            archive(today.year - 3, month, 14, index)  # due this year
        act_day = date(last_year, 12, 26)
        with self._clock() as at:
            at(self._local(unit, date(last_year, 11, 20), 10))
            commission = self.env["mchs.bodycam.commission"].create({
                "department_id": unit.id, "year": last_year, "decision": f"№ 45-ж, 20.11.{last_year}",
                "member_ids": self._commission_seats(unit, anti_corruption, act_day)})
            chairman = commission.chairman_id.user_id
            at(self._local(unit, act_day, 9))
            act = self.env["mchs.bodycam.destruction"].browse(
                commission.with_user(chairman).action_new_destruction()["res_id"])
            act.with_user(chairman).write({"place": "Алматы қ. / г. Алматы"})
            at(self._local(unit, act_day, 10))
            act.line_ids.filtered(lambda line: line.recording_id == expired[-1]).with_user(anti_corruption.user_id).write({
                "excluded": True, "exclusion_reason": "Азаматтың шағымы қаралуда / Рассматривается жалоба гражданина"})
            for minute, member in enumerate(commission.member_ids):
                at(self._local(unit, act_day, 11, minute * 5))
                self._press(member.employee_id.user_id, act, "action_confirm")
            while act._process_step():
                pass
            # a copy restored by hand onto the backup location: what the audit is there to find
            store_stream(iter([b"restored by hand from an old disk\n" * 1000]), storage._backends()[1:])
            at(self._local(unit, date(last_year, 12, 28), 9))
            audit = self.env["mchs.bodycam.audit"].browse(commission.with_user(chairman).action_new_audit()["res_id"])
            audit.with_user(chairman).action_start()
            while audit._process_step():
                at(fields.Datetime.now() + timedelta(minutes=5))
            if audit._signing_required():
                at(self._local(unit, date(last_year, 12, 28), 16))
                self._press(audit.checker_id.user_id, audit, "action_sign_act")

    @api.model
    def _this_year_commission(self, unit_xmlid, anti_corruption_xmlid):
        """This year's commission, its act under review of what falls due now (item 12)."""
        unit = self.env.ref(unit_xmlid)
        today = unit._bodycam_today()
        with self._clock() as at:
            at(self._local(unit, date(today.year, 11, 20), 10))
            commission = self.env["mchs.bodycam.commission"].create({
                "department_id": unit.id, "year": today.year, "decision": f"№ 51-ж, 20.11.{today.year}",
                "member_ids": self._commission_seats(unit, self.env.ref(anti_corruption_xmlid), today)})
        commission.with_user(commission.chairman_id.user_id).action_new_destruction()

    @api.model
    def _seal_units(self):
        """Today's seal of every unit (what the daily job does)."""
        self.env["mchs.bodycam.integrity.seal"]._cron_seal_units()
