from odoo import api, fields, models
from odoo.exceptions import UserError


class MchsBodycamCardInstallation(models.Model):
    """Dated history of which memory card sat in which bodycam (items 6, 8)."""

    _name = "mchs.bodycam.card.installation"
    _description = "Memory card installation"
    _order = "date_installed desc, id desc"

    card_id = fields.Many2one("mchs.bodycam.card", string="Memory card", required=True, readonly=True,
                              index=True, ondelete="cascade")
    camera_id = fields.Many2one("mchs.bodycam.camera", string="Bodycam", required=True, readonly=True,
                                index=True, ondelete="cascade")
    company_id = fields.Many2one(related="camera_id.company_id", store=True)
    department_id = fields.Many2one(related="camera_id.department_id", store=True, string="Unit")
    date_installed = fields.Datetime(string="Installed", required=True, readonly=True, default=fields.Datetime.now)
    installed_by_id = fields.Many2one("res.users", string="Installed by", required=True, readonly=True,
                                      default=lambda self: self.env.user)
    date_removed = fields.Datetime(string="Removed", readonly=True)
    removed_by_id = fields.Many2one("res.users", string="Removed by", readonly=True)

    def init(self):
        # A card sits in one bodycam at a time: at most one open installation per card,
        # enforced by the database against concurrent installs.
        self.env.cr.execute("""
            CREATE UNIQUE INDEX IF NOT EXISTS mchs_bodycam_card_installation_one_open
            ON mchs_bodycam_card_installation (card_id) WHERE date_removed IS NULL
        """)

    def write(self, vals):
        if set(vals) - {"date_removed", "removed_by_id"} or any(i.date_removed for i in self):
            raise UserError(self.env._("Card installation history cannot be changed."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("Card installation history cannot be deleted."))

    def _close(self):
        self.write({"date_removed": fields.Datetime.now(), "removed_by_id": self.env.uid})
        self.flush_recordset()  # before any new open installation of the card is inserted
