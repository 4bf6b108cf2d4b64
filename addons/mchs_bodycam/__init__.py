from . import controllers
from . import models
from . import reports
from . import wizard


def uninstall_hook(env):
    """Uninstalling drops the module's tables. Rows that point at the books, people, devices
    and activity types the uninstall deletes first must go before: the journal rows, the
    activities on them, and the repair requests of the bodycams' equipment."""
    env.cr.execute("TRUNCATE mchs_bodycam_custody_remark, mchs_bodycam_custody CASCADE")
    env.cr.execute("DELETE FROM mail_activity WHERE res_model LIKE 'mchs.bodycam.%%'")
    env.cr.execute("""
        DELETE FROM maintenance_request
        WHERE equipment_id IN (SELECT id FROM maintenance_equipment WHERE bodycam_device)
    """)
