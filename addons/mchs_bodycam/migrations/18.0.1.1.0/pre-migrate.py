"""18.0.1.1.0: integrity that holds (items 5 ¶2, 6, 9, 12, 13).

- One lock mechanism replaces the hand-written guards: the triggers of the earlier guards are
  dropped here; the lock mixin creates its own when the models are set up. Confirmations of a
  destruction act are withdrawn instead of deleted, so their "once per member" rule becomes a
  partial index (created by the model).
- The QR signing key moves from the model mchs.bodycam.secret (removed) to the vault, unchanged,
  so that every label and badge already printed keeps resolving.
- The storage servers' special passwords are not carried over: their hashes sat in a field that
  Odoo's administrator could read and rewrite, and they were not tied to the designations. The
  column is dropped; the head or the responsible person designated today sets a new password
  (Configuration › Storage servers › Special password).
- A finding names its unit (a copy found changed while served belongs to no audit): the audits'
  findings take their commission's unit.
"""
import logging

from odoo.tools import SQL

from odoo.addons.mchs_bodycam.lib import vault

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    _drop_earlier_guards(cr)
    _move_secrets(cr)
    cr.execute("SELECT to_regclass('mchs_bodycam_audit_finding') IS NOT NULL")
    if cr.fetchone()[0]:
        cr.execute("ALTER TABLE mchs_bodycam_audit_finding ADD COLUMN IF NOT EXISTS department_id integer")
        cr.execute("""
            UPDATE mchs_bodycam_audit_finding finding SET department_id = commission.department_id
              FROM mchs_bodycam_audit audit
              JOIN mchs_bodycam_commission commission ON commission.id = audit.commission_id
             WHERE audit.id = finding.audit_id AND finding.department_id IS NULL
        """)


def _drop_earlier_guards(cr):
    for function in ("mchs_bodycam_recording_guard", "mchs_bodycam_access_guard",
                     "mchs_bodycam_freeze_inventory_number"):
        cr.execute(SQL("DROP FUNCTION IF EXISTS %s() CASCADE", SQL.identifier(function)))
    # the indexes before the struck rows were excluded from them
    cr.execute("DROP INDEX IF EXISTS mchs_bodycam_custody_camera_active")
    cr.execute("DROP INDEX IF EXISTS mchs_bodycam_custody_inspector_issued")
    cr.execute("""
        ALTER TABLE mchs_bodycam_destruction_confirmation
        DROP CONSTRAINT IF EXISTS mchs_bodycam_destruction_confirmation_member_uniq
    """)


def _move_secrets(cr):
    vault.ensure_table(cr)
    cr.execute("SELECT to_regclass('mchs_bodycam_secret') IS NOT NULL")
    if cr.fetchone()[0]:
        cr.execute("""
            INSERT INTO mchs_bodycam_vault (scope, name, value)
            SELECT 'qr', 'key', key FROM mchs_bodycam_secret ORDER BY id LIMIT 1
            ON CONFLICT (scope, name) DO NOTHING
        """)
        _logger.info("mchs_bodycam: the QR signing key moved to the vault (%s row)", cr.rowcount)
        # Odoo forgets the removed model but would leave its table, and the key in it, behind
        cr.execute("DROP TABLE mchs_bodycam_secret")
    cr.execute("""
        SELECT count(*) FROM information_schema.columns
         WHERE table_name = 'mchs_bodycam_storage' AND column_name = 'password_hash'
    """)
    if cr.fetchone()[0]:
        cr.execute("SELECT count(*) FROM mchs_bodycam_storage WHERE password_hash IS NOT NULL")
        voided = cr.fetchone()[0]
        cr.execute("ALTER TABLE mchs_bodycam_storage DROP COLUMN password_hash")
        if voided:
            _logger.warning("mchs_bodycam: %s storage special password(s) voided: the designated head or "
                            "responsible person sets a new one (item 5)", voided)
