"""Secrets outside the ORM (items 5 ¶2, 6, 13): the special password follows the designations,
and no group, Odoo's administrator included, reads or writes it or the QR key through RPC.

Refusals are journaled in a transaction of their own only outside tests (lib/apart.py); here
they are written in the test's transaction, so the refusals are caught with unittest's
assertRaisesRegex, which (unlike Odoo's assertRaises) rolls no savepoint back.
tests/test_integrity_server.py shows the rows surviving the refused request on a real server."""
import importlib.util
import json
import os
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from ..lib import vault
from .common import StorageCase

PASSWORD = "special-pass-2026"


@tagged("post_install", "-at_install")
class TestSpecialPassword(StorageCase):
    """Only the head or the responsible person designated today for the unit opens its
    recordings, with the special password, and only they set it (items 5 ¶2, 13)."""

    def setUp(self):
        super().setUp()
        self.storage.with_user(self.responsible_user)._set_password(PASSWORD)
        self.recording = self.env["mchs.bodycam.recording"].sudo().create({
            "sha256": "a" * 64, "size": 1, "storage_id": self.storage.id, "department_id": self.unit_a.id,
            "camera_id": self.camera_a.id, "device_start": "2026-01-10 10:00:00", "device_end": "2026-01-10 11:00:00"})
        # a deputy of the head: in the Head group, but not designated
        self.deputy_user, self.deputy = self._person("t.deputy", "group_bodycam_head", self.unit_a)

    def _open(self, user, password=PASSWORD):
        wizard = self.env["mchs.bodycam.recording.access.wizard"].with_user(user).create(
            {"recording_id": self.recording.id, "purpose": "review", "password": password})
        return wizard.action_open()

    def _refusals(self, user):
        return self.env["mchs.bodycam.access"].search([("user_id", "=", user.id), ("result", "=", "refused")])

    def test_a_head_group_user_who_is_not_designated_is_refused_and_journaled(self):
        self.assertTrue(self.deputy_user.has_group("mchs_bodycam.group_bodycam_head"))
        with self.assertRaisesRegex(UserError, "designated today"):
            self._open(self.deputy_user)
        row = self._refusals(self.deputy_user)
        self.assertEqual((len(row), row.recording_id, row.refusal),
                         (1, self.recording, "not_designated"))
        self.assertFalse(self.env["mchs.bodycam.recording.access.wizard"].search([]).filtered("password"))
        # nor do they set the password
        with self.assertRaisesRegex(UserError, "designated today"):
            self.storage.with_user(self.deputy_user).action_open_password_wizard()
        with self.assertRaisesRegex(UserError, "designated today"):
            self.env["mchs.bodycam.storage.password.wizard"].with_user(self.deputy_user).create({
                "storage_id": self.storage.id, "password": "deputy-knows-it", "confirmation": "deputy-knows-it",
            }).action_apply()
        self.assertTrue(self.storage._check_password(PASSWORD))
        # the designated head opens with the same password
        self.assertIn("/stream?token=", self._open(self.head_user)["url"])

    def test_ending_a_designation_voids_the_password(self):
        self.assertTrue(self.storage.password_set)
        designation = self.env["mchs.bodycam.designation"].search(
            [("department_id", "=", self.unit_a.id), ("role", "=", "head")])
        designation.date_end = fields.Date.today() - timedelta(days=1)  # the head's designation ended
        self.storage.invalidate_recordset(["password_set"])
        self.assertFalse(self.storage.password_set)
        self.assertFalse(self.storage._check_password(PASSWORD))
        with self.assertRaisesRegex(UserError, "no longer holds"):
            self._open(self.responsible_user)
        self.assertEqual(self._refusals(self.responsible_user).refusal, "password_void")
        # the responsible person, still designated, sets a new one: it holds again
        self.storage.with_user(self.responsible_user)._set_password("renewed-pass-2026")
        self.assertTrue(self._open(self.responsible_user, "renewed-pass-2026"))

    def test_a_new_designation_voids_the_password(self):
        """A new responsible person closes the previous designation the day before they start."""
        self.env["mchs.bodycam.designation"].create({
            "department_id": self.unit_a.id, "role": "responsible", "employee_id": self.other_inspector.id,
            "date_start": fields.Date.today()})
        self.assertFalse(self.storage._check_password(PASSWORD))
        with self.assertRaisesRegex(UserError, "designated today"):
            self._open(self.responsible_user)  # no longer designated at all
        with self.assertRaisesRegex(UserError, "no longer holds"):
            self._open(self.head_user)

    def test_people_without_the_right_are_refused_and_journaled(self):
        """item 13: an inspector (no right at all) and another unit's responsible person."""
        for user in (self.inspector_user, self.commission_user, self.admin_user):
            with self.assertRaisesRegex(AccessError, "written to the access journal"):
                self._open(user)
            self.assertEqual(self._refusals(user).refusal, "no_right")
        with self.assertRaisesRegex(AccessError, "not yours to open"):
            self._open(self.responsible_b_user)
        self.assertEqual(self._refusals(self.responsible_b_user).refusal, "other_unit")


@tagged("post_install", "-at_install")
class TestSecretsOutOfReach(StorageCase, HttpCase):
    """Odoo's administrator can neither read nor set the special password's hash, nor read the
    QR signing key, through JSON-RPC or the ORM (items 5 ¶2, 6)."""

    def setUp(self):
        super().setUp()
        self.storage.with_user(self.responsible_user)._set_password(PASSWORD)
        # Odoo's administrator, also the bodycam administrator of unit A (as in the demo)
        self.sysadmin = new_test_user(self.env, login="t.sysadmin",
                                      groups="base.group_system,mchs_bodycam.group_bodycam_admin")
        self.env["hr.employee"].create({"name": "t.sysadmin", "user_id": self.sysadmin.id,
                                        "department_id": self.unit_a.id})

    def _call(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(f"/web/dataset/call_kw/{model}/{method}", {
            "model": model, "method": method, "args": args, "kwargs": kwargs or {}})

    def test_administrator_reaches_no_secret(self):
        stored = vault.get(self.cr, "storage_password", self.storage.id)
        key = vault.get(self.cr, "qr", "key")
        self.assertTrue(stored and key)
        self.authenticate("t.sysadmin", "t.sysadmin")
        # no model holds the secrets: not the storage, not a model of the vault, not the old key model
        models = self._call("ir.model", "search_read", [[("model", "like", "mchs.bodycam.%")]], {"fields": ["model"]})
        self.assertNotIn("mchs.bodycam.secret", [m["model"] for m in models])
        self.assertFalse(self._call("ir.model", "search_read", [[("model", "ilike", "vault")]], {"fields": ["model"]}))
        secret_fields = self._call("ir.model.fields", "search_read", [[
            ("model", "like", "mchs.bodycam.%"), "|", "|", ("name", "ilike", "hash"), ("name", "ilike", "key"),
            ("name", "ilike", "secret")]], {"fields": ["model", "name"]})
        self.assertEqual(sorted((f["model"], f["name"]) for f in secret_fields),
                         [("mchs.bodycam.access", "hash"), ("mchs.bodycam.access", "previous_hash"),
                          ("mchs.bodycam.access", "token_hash"), ("mchs.bodycam.custody.log", "hash"),
                          ("mchs.bodycam.custody.log", "previous_hash"), ("mchs.bodycam.dock", "token_hash"),
                          # the object store's keys as typed: fields of no table, straight to the vault
                          ("mchs.bodycam.storage.credentials.wizard", "access_key"),
                          ("mchs.bodycam.storage.credentials.wizard", "backup_access_key"),
                          ("mchs.bodycam.storage.credentials.wizard", "backup_secret_key"),
                          ("mchs.bodycam.storage.credentials.wizard", "secret_key"),
                          # the algorithm of a trusted CA's public key (issue 13): a name, not a key
                          ("mchs.bodycam.trusted.certificate", "key_algorithm")],
                         "only the journals' chains and the tokens' hashes, none of them a password")
        storage_fields = self._call("mchs.bodycam.storage", "fields_get", [], {"attributes": ["type"]})
        self.assertFalse([name for name in storage_fields if "password" in name and name != "password_set"])
        # reading, searching, writing and creating with the former field: there is no such field
        for method, args, kwargs in (
                ("read", [self.storage.ids, ["password_hash"]], {}),
                ("search_read", [[("password_hash", "!=", False)]], {"fields": ["name"]}),
                ("write", [self.storage.ids, {"password_hash": "$pbkdf2-sha512$admin"}], {}),
                ("create", [{"name": "Admin's storage", "department_id": self.unit_b.id,
                             "password_hash": "$pbkdf2-sha512$admin"}], {}),
                ("_set_password", [self.storage.ids, "admin-knows-it"], {}),
                ("_check_password", [self.storage.ids, PASSWORD], {}),
                ("_password_in_force", [self.storage.ids], {})):
            with self.subTest(method=method), self.assertRaises(JsonRpcException):
                self._call("mchs.bodycam.storage", method, args, kwargs)
        # nor a model that held or holds it a moment: the old key model, the wizards (wiped anyway)
        for model in ("mchs.bodycam.secret", "mchs.bodycam.vault", "mchs.bodycam.storage.password.wizard",
                      "mchs.bodycam.recording.access.wizard"):
            with self.subTest(model=model), self.assertRaises(JsonRpcException):
                self._call(model, "search_read", [[]], {"fields": ["id"]})
        # the password wizard refuses them: not designated
        with self.assertRaises(JsonRpcException) as refusal:
            wizard = self._call("mchs.bodycam.storage.password.wizard", "create", [{
                "storage_id": self.storage.id, "password": "admin-knows-it", "confirmation": "admin-knows-it"}])
            self._call("mchs.bodycam.storage.password.wizard", "action_apply", [[wizard]])
        self.assertIn(refusal.exception.args[0], ("odoo.exceptions.AccessError", "odoo.exceptions.UserError"))
        # and through the ORM as them
        Storage = self.env["mchs.bodycam.storage"].with_user(self.sysadmin)
        self.assertNotIn("password_hash", Storage._fields)
        with self.assertRaises(UserError):
            Storage.browse(self.storage.id)._set_password("admin-knows-it")
        self.assertEqual(vault.get(self.cr, "storage_password", self.storage.id), stored, "nothing changed")
        self.assertEqual(vault.get(self.cr, "qr", "key"), key)
        self.assertTrue(json.loads(stored)["designation_ids"])


@tagged("post_install", "-at_install")
class TestMigration(StorageCase):
    """18.0.1.1.0: the QR key moves into the vault unchanged (labels already printed keep
    resolving); the passwords of the old column are voided, and the column goes."""

    def test_key_moves_and_passwords_are_voided(self):
        path = os.path.join(os.path.dirname(__file__), "..", "migrations", "18.0.1.1.0", "pre-migrate.py")
        spec = importlib.util.spec_from_file_location("mchs_bodycam_migration_18_0_1_1_0", path)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        label = self.camera_a._label_payload()
        old_key = vault.get(self.cr, "qr", "key")
        # the 18.0.1.0.0 layout: the key in its model's table, the hash in a column of the storage
        self.cr.execute("CREATE TABLE mchs_bodycam_secret (id serial PRIMARY KEY, key varchar NOT NULL)")
        self.cr.execute("INSERT INTO mchs_bodycam_secret (key) VALUES (%s)", [old_key])
        vault.delete(self.cr, "qr", "key")
        self.cr.execute("ALTER TABLE mchs_bodycam_storage ADD COLUMN password_hash varchar")
        self.cr.execute("UPDATE mchs_bodycam_storage SET password_hash = '$pbkdf2-sha512$set-by-anyone'")
        migration.migrate(self.cr, "18.0.1.0.0")
        self.assertEqual(vault.get(self.cr, "qr", "key"), old_key)
        self.assertEqual(self.camera_a._label_payload(), label)
        self.assertTrue(self.env["mchs.bodycam.qr"].with_user(self.responsible_user)._resolve(label)["ok"])
        self.cr.execute("SELECT to_regclass('mchs_bodycam_secret'), count(*) FROM information_schema.columns "
                        "WHERE table_name = 'mchs_bodycam_storage' AND column_name = 'password_hash'")
        self.assertEqual(self.cr.fetchone(), (None, 0))
        self.assertFalse(self.storage._password_in_force())
