from odoo.tools import SQL

from . import controllers
from . import models
from . import reports
from . import wizard
from . import cli
from . import demo


def uninstall_hook(env):
    """Uninstalling drops the module's tables. Rows that point at the books, people, units,
    devices and activity types the uninstall deletes first must go before: the journal rows,
    the recordings' register (the files stay on the storage server), the legal bases of
    downloads, docks and storage servers, the commissions with their acts and audits, the
    signatures (issue 13) and the activities on them. The bodycams' equipment stays in the Maintenance app with its unit, holder
    and repair requests (the demo's goes, its repair requests first: they have xmlids)."""
    # the locks of journals and evidence refuse the truncation (item 13): they go first
    env.cr.execute("SELECT proname FROM pg_proc WHERE proname LIKE 'mchs\\_bodycam\\_%%\\_lock%%'")
    for (function,) in env.cr.fetchall():
        env.cr.execute(SQL("DROP FUNCTION IF EXISTS %s() CASCADE", SQL.identifier(function)))
    env.cr.execute("""
        TRUNCATE mchs_bodycam_custody_remark, mchs_bodycam_custody, mchs_bodycam_access, mchs_bodycam_evidence,
                 mchs_bodycam_legal_basis,
                 mchs_bodycam_recording, mchs_bodycam_audit_finding, mchs_bodycam_audit,
                 mchs_bodycam_destruction_confirmation, mchs_bodycam_destruction_line, mchs_bodycam_destruction,
                 mchs_bodycam_commission_member, mchs_bodycam_commission,
                 mchs_bodycam_custody_log, mchs_bodycam_integrity_seal,
                 mchs_bodycam_dock, mchs_bodycam_storage, mchs_bodycam_signature,
                 mchs_bodycam_trusted_certificate CASCADE
    """)
    env.cr.execute("DELETE FROM mail_activity WHERE res_model LIKE 'mchs.bodycam.%%'")
    env.cr.execute("DROP TABLE IF EXISTS mchs_bodycam_vault")
