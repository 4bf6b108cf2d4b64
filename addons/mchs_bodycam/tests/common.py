import os
import shutil
import tempfile
import uuid
from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, new_test_user

from ..lib.storage import store_stream
from ..lib.storage_s3 import S3Backend


def make_unit_with_responsible(env, code, login):
    """A unit and its responsible person (a user with a password equal to the login and an
    employee in that unit), for tests that log in through the browser or HTTP."""
    unit = env["hr.department"].create({"name": f"Unit {code}", "bodycam_code": code})
    user = env["res.users"].create({
        "name": login, "login": login, "password": login,
        "groups_id": [(6, 0, env.ref("mchs_bodycam.group_bodycam_responsible").ids)],
    })
    env["hr.employee"].create({"name": login, "user_id": user.id, "department_id": unit.id})
    return unit, user


class BodycamCase(TransactionCase):
    """Two units of one company plus a unit of a second company, one user per role in unit A."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        # the units work on Almaty time (their calendar's time zone): what they print is in it
        cls.company.resource_calendar_id.tz = "Asia/Almaty"
        cls.company_2 = cls.env["res.company"].create({"name": "Other company (test)"})
        Department = cls.env["hr.department"]
        cls.unit_a = Department.create({"name": "Unit A (test)", "bodycam_code": "TSA"})
        cls.unit_b = Department.create({"name": "Unit B (test)", "bodycam_code": "TSB"})
        cls.unit_c = Department.create({
            "name": "Unit C (test)", "bodycam_code": "TSC", "company_id": cls.company_2.id})

        cls.responsible_user, cls.responsible = cls._person("t.responsible", "group_bodycam_responsible", cls.unit_a)
        cls.head_user, cls.head = cls._person("t.head", "group_bodycam_head", cls.unit_a)
        cls.commission_user, cls.commission = cls._person("t.commission", "group_bodycam_commission", cls.unit_a)
        cls.admin_user, cls.admin = cls._person("t.admin", "group_bodycam_admin", cls.unit_a)
        cls.inspector_user, cls.inspector = cls._person("t.inspector", "group_bodycam_inspector", cls.unit_a,
                                                        barcode="4200000001")
        cls.other_inspector_user, cls.other_inspector = cls._person(
            "t.inspector2", "group_bodycam_inspector", cls.unit_a, barcode="4200000002")
        cls.responsible_b_user, cls.responsible_b = cls._person(
            "t.responsible.b", "group_bodycam_responsible", cls.unit_b, barcode="4200000003")
        cls.responsible_c_user, cls.responsible_c = cls._person(
            "t.responsible.c", "group_bodycam_responsible", cls.unit_c, company=cls.company_2)

        Camera = cls.env["mchs.bodycam.camera"]
        Card = cls.env["mchs.bodycam.card"]
        cls.camera_a = Camera.create({"department_id": cls.unit_a.id, "model": "Test cam", "card_slot_count": 2})
        cls.camera_a2 = Camera.create({"department_id": cls.unit_a.id, "model": "Test cam"})
        cls.camera_b = Camera.create({"department_id": cls.unit_b.id, "model": "Test cam"})
        cls.camera_c = Camera.create({"department_id": cls.unit_c.id, "model": "Test cam"})
        cls.card_a = Card.create({"department_id": cls.unit_a.id, "capacity_gb": 128})
        cls.card_a2 = Card.create({"department_id": cls.unit_a.id, "capacity_gb": 128})
        cls.card_a3 = Card.create({"department_id": cls.unit_a.id, "capacity_gb": 256})
        cls.card_b = Card.create({"department_id": cls.unit_b.id, "capacity_gb": 64})

    @classmethod
    def _person(cls, login, group, unit, company=None, barcode=None):
        company = company or cls.company
        user = new_test_user(
            cls.env, login=login, groups=f"mchs_bodycam.{group}",
            company_id=company.id, company_ids=[(6, 0, company.ids)])
        employee = cls.env["hr.employee"].create({
            "name": login, "user_id": user.id, "department_id": unit.id,
            "company_id": company.id, "barcode": barcode,
        })
        return user, employee


CHECKS_PASSED = {
    "check_operable": True, "battery_level": 95, "check_datetime": True, "clock_offset_seconds": 3,
    "check_quality": True, "check_inventory_label": True, "check_seal_intact": True, "check_placement": True,
    "check_badge_worn": True,
}


class CustodyCase(BodycamCase):
    """Unit A with its responsible person and head designated, a registered Appendix 1 book,
    and two bodycams with cards installed and sealed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["mchs.bodycam.designation"].create({
            "department_id": cls.unit_a.id, "role": "responsible", "employee_id": cls.responsible.id,
            "date_start": "2020-01-01"})
        cls.env["mchs.bodycam.designation"].create({
            "department_id": cls.unit_a.id, "role": "head", "employee_id": cls.head.id, "date_start": "2020-01-01"})
        cls.book = cls.env["mchs.bodycam.journal"].create({
            "kind": "custody", "department_id": cls.unit_a.id,
            "registration_number": "01-12/7", "registration_date": "2020-01-08"})
        cls.book.action_register()
        for camera, cards, seal in ((cls.camera_a, cls.card_a | cls.card_a2, "S-A"), (cls.camera_a2, cls.card_a3, "S-A2")):
            for card in cards:
                # installed the day before: recordings of the last hours were made with the card in (items 6, 8)
                card._install_into(camera, when=fields.Datetime.now() - timedelta(days=1))
            camera._apply_seal(seal)
        cls.Custody = cls.env["mchs.bodycam.custody"].with_user(cls.responsible_user)

    def _draft(self, camera=None, inspector=None, **overrides):
        camera = camera or self.camera_a
        values = dict(CHECKS_PASSED, camera_id=camera.id, inspector_id=(inspector or self.inspector).id,
                      check_seal_number=camera.seal_number)
        values.update(overrides)
        return self.Custody.create(values)

    def _issue(self, camera=None, inspector=None, **overrides):
        entry = self._draft(camera, inspector, **overrides)
        entry._confirm_by_badge((inspector or self.inspector)._bodycam_badge_payload(), "issue")
        entry.action_issue()
        return entry


class StorageCase(CustodyCase):
    """Unit A with a storage server whose two locations are real folders of each test's own
    (items 10, 13)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.storage = cls.env["mchs.bodycam.storage"].create({
            "name": "Unit A storage", "department_id": cls.unit_a.id, "primary_path": "/nonexistent/primary",
            "backup_path": "/nonexistent/backup"})

    def setUp(self):
        super().setUp()
        # real directories of each test's own: files outlive a rolled-back transaction
        self.folders = [tempfile.mkdtemp(prefix=f"mchs-{name}-") for name in ("primary", "backup")]
        self.addCleanup(lambda: [shutil.rmtree(folder, ignore_errors=True) for folder in self.folders])
        self.storage.write({"primary_path": self.folders[0], "backup_path": self.folders[1]})


class DockCase(StorageCase):
    """StorageCase with a charging dock of unit A and one of unit B, each with its token
    (items 10, 11); the storage's largest file is 1 MB unless a test says otherwise."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.storage.max_upload_mb = 1
        cls.dock = cls.env["mchs.bodycam.dock"].create({"name": "Dock 1", "department_id": cls.unit_a.id})
        cls.token = cls.dock.action_generate_token()["params"]["message"]
        cls.dock_b = cls.env["mchs.bodycam.dock"].create({"name": "Dock B", "department_id": cls.unit_b.id})
        cls.token_b = cls.dock_b.action_generate_token()["params"]["message"]

    def _times(self, minutes=10):
        end = fields.Datetime.now().replace(microsecond=0)
        return str(end - timedelta(minutes=minutes)), str(end)

    def _stored_files(self):
        """Every file under both locations, staging included."""
        files = []
        for folder in self.folders:
            for root, _dirs, names in os.walk(folder):
                files += [os.path.join(root, name) for name in names]
        return files


class RetentionCase(StorageCase):
    """StorageCase with a complete commission (item 12: the head chairs, the responsible
    person, the anti-corruption officer, one more member) and helpers for recordings made
    years ago."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_inspector_user.groups_id += cls.env.ref("mchs_bodycam.group_bodycam_commission")
        # item 12: the anti-corruption officer's seat follows a designation, like the others
        cls.env["mchs.bodycam.designation"].create({
            "department_id": cls.unit_a.id, "role": "anti_corruption", "employee_id": cls.commission.id,
            "date_start": "2020-01-01"})
        cls.commission_record = cls.env["mchs.bodycam.commission"].create({
            "department_id": cls.unit_a.id, "year": 2026, "decision": "No. 12-k of 1 December 2026",
            "member_ids": [
                (0, 0, {"employee_id": cls.head.id, "role": "chairman"}),
                (0, 0, {"employee_id": cls.responsible.id, "role": "responsible"}),
                (0, 0, {"employee_id": cls.commission.id, "role": "anti_corruption"}),
                (0, 0, {"employee_id": cls.other_inspector.id, "role": "member"}),
            ]})
        cls.member_users = cls.head_user | cls.responsible_user | cls.commission_user | cls.other_inspector_user

    def _old_recording(self, start, body=None, camera=None, unit=None):
        """A recording made at ``start`` (long ago: docks refuse such dates, so it is stored and
        registered directly), with real copies on both locations."""
        start = fields.Datetime.to_datetime(start)
        body = body or f"recording of {start}".encode() * 50
        sha256, size = store_stream(iter([body]), self.storage._backends())
        camera = camera or self.camera_a
        return self.env["mchs.bodycam.recording"].sudo().create({
            "sha256": sha256, "size": size, "storage_id": self.storage.id, "department_id": (unit or self.unit_a).id,
            "camera_id": camera.id, "device_start": start, "device_end": start + timedelta(hours=1),
            "start": start, "end": start + timedelta(hours=1), "filename": f"REC_{start:%Y%m%d}.mp4"})

    def _paths(self, recording):
        return [backend.path(recording.sha256) for backend in self.storage._backends()]

    def _act(self, on_date="2026-12-25"):
        action = self.commission_record.with_user(self.head_user).action_new_destruction()
        act = self.env["mchs.bodycam.destruction"].browse(action["res_id"])
        if str(act.date) != on_date:
            act.date = on_date
            act.action_repropose()
        return act

    def _confirm_all(self, act, users=None):
        for user in users if users is not None else self.member_users:
            act.with_user(user).action_confirm()

    def _step_queries(self, record, batch_size):
        """SQL queries one step of the background job sends."""
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        record._process_step(batch_size)
        return self.cr.sql_log_count - before

    def _run(self, record, batch_size=2):
        """The background job's steps, as the cron runs them (it commits after each)."""
        steps = 0
        while record._process_step(batch_size):
            steps += 1
            self.assertLess(steps, 1000, "the job does not end")
        return steps


def s3_settings():
    """The object store of the tests: the real RGW that tools/test.sh starts (tools/rgw.sh) and
    whose endpoint and keys it exports. Missing, it is a failure, never a skip (issue 10)."""
    names = ("MCHS_S3_ENDPOINT", "MCHS_S3_ACCESS_KEY", "MCHS_S3_SECRET_KEY")
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        raise AssertionError(
            f"{', '.join(missing)} not set: the object store tests need the RGW of make test; for a run of "
            "your own: tools/rgw.sh start /tmp/rgw && eval \"$(tools/rgw.sh env /tmp/rgw)\"")
    return {"endpoint": os.environ["MCHS_S3_ENDPOINT"], "region": os.environ.get("MCHS_S3_REGION") or "default",
            "access_key": os.environ["MCHS_S3_ACCESS_KEY"], "secret_key": os.environ["MCHS_S3_SECRET_KEY"]}


def new_bucket(purpose, object_lock=True):
    """A bucket of the tests' RGW of its own (objects under retention outlive a test), with
    Object Lock (and so versioning) unless told otherwise."""
    settings = s3_settings()
    name = f"t-{purpose}-{uuid.uuid4().hex[:12]}"
    backend = S3Backend(settings["endpoint"], name, settings["access_key"], settings["secret_key"],
                        region=settings["region"])
    if object_lock:
        backend.create_bucket()
    else:
        backend.client.create_bucket(Bucket=name)
    return backend


class S3StorageMixin:
    """Turns the test's storage server (StorageCase) into an object store: two fresh buckets of
    the tests' RGW, the credentials set by the Odoo administrator."""

    def setUp(self):
        super().setUp()
        settings = s3_settings()
        self.buckets = [new_bucket("primary"), new_bucket("backup")]
        self.storage.write({"kind": "s3", "s3_endpoint": settings["endpoint"], "s3_region": settings["region"],
                            "s3_bucket": self.buckets[0].bucket, "s3_backup_bucket": self.buckets[1].bucket})
        self.storage._set_s3_credentials(settings["access_key"], settings["secret_key"])

    def _objects(self, backend):
        """Keys of every version in a bucket (the journals' integrity seals aside)."""
        versions = backend.client.list_object_versions(Bucket=backend.bucket)
        return sorted(entry["Key"] for entry in versions.get("Versions", []) + versions.get("DeleteMarkers", [])
                      if not entry["Key"].startswith("seals/"))
