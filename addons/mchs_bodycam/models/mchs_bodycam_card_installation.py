from odoo import fields, models


class MchsBodycamCardInstallation(models.Model):
    """Dated history of which memory card sat in which bodycam (items 6, 8)."""

    _name = "mchs.bodycam.card.installation"
    _description = "Memory card installation"
    _inherit = ["mchs.bodycam.lock.mixin"]
    _order = "date_installed desc, id desc"
    # items 6, 8: as the seals, the history of devices that have been issued is kept as it happened
    _lock_state_sql = """CASE WHEN NOT EXISTS (SELECT 1 FROM mchs_bodycam_camera camera WHERE camera.id = {row}.camera_id)
                                OR NOT EXISTS (SELECT 1 FROM mchs_bodycam_card card WHERE card.id = {row}.card_id)
                              THEN 'orphan'
                              WHEN NOT EXISTS (SELECT 1 FROM mchs_bodycam_camera camera
                                               WHERE camera.id = {row}.camera_id AND camera.first_issue_date IS NOT NULL)
                               AND NOT EXISTS (SELECT 1 FROM mchs_bodycam_card card
                                               WHERE card.id = {row}.card_id AND card.first_issue_date IS NOT NULL)
                              THEN 'setup' WHEN {row}.date_removed IS NULL THEN 'installed' ELSE 'removed' END"""
    _lock_changeable = {"setup": {"date_removed", "removed_by_id"}, "installed": {"date_removed", "removed_by_id"},
                        "removed": set()}
    _lock_fill_once = {"date_removed", "removed_by_id"}
    _lock_deletable = {"orphan"}
    _lock_user_writable = {"setup": set(), "installed": set(), "removed": set()}
    _lock_user_creatable = {}

    card_id = fields.Many2one("mchs.bodycam.card", string="Memory card", required=True, readonly=True,
                              index=True, ondelete="cascade")
    camera_id = fields.Many2one("mchs.bodycam.camera", string="Bodycam", required=True, readonly=True,
                                index=True, ondelete="cascade")
    company_id = fields.Many2one(related="camera_id.company_id", store=True, precompute=True)
    department_id = fields.Many2one(related="camera_id.department_id", store=True, precompute=True, string="Unit")
    date_installed = fields.Datetime(string="Installed", required=True, readonly=True, default=fields.Datetime.now)
    installed_by_id = fields.Many2one("res.users", string="Installed by", required=True, readonly=True,
                                      default=lambda self: self.env.user)
    date_removed = fields.Datetime(string="Removed", readonly=True)
    removed_by_id = fields.Many2one("res.users", string="Removed by", readonly=True)

    def init(self):  # pylint: disable=missing-return  # Odoo's init() returns nothing to pass on
        super().init()
        # A card sits in one bodycam at a time: at most one open installation per card,
        # enforced by the database against concurrent installs.
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS mchs_bodycam_card_installation_one_open
            ON mchs_bodycam_card_installation (card_id) WHERE date_removed IS NULL
        """)

    def _lock_state(self):
        self.ensure_one()
        if not (self.camera_id.first_issue_date or self.card_id.first_issue_date):
            return "setup"
        return "removed" if self.date_removed else "installed"

    def _close(self):
        # sudo: the history's own step, taken by the card slot operations (items 6, 8)
        self.sudo().write({"date_removed": fields.Datetime.now(), "removed_by_id": self.env.uid})
        self.flush_recordset()  # before any new open installation of the card is inserted
