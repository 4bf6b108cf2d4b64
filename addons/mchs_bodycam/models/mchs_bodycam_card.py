from odoo import api, fields, models
from odoo.exceptions import UserError


class MchsBodycamCard(models.Model):
    """A memory card (items 3, 6, 10); it sits in at most one bodycam at a time."""

    _name = "mchs.bodycam.card"
    _description = "Bodycam memory card"
    _inherit = ["mchs.bodycam.device.mixin"]
    _inherits = {"maintenance.equipment": "equipment_id"}
    _qr_kind = "M"
    _sequence_kind = "card"
    _equipment_category_xmlid = "mchs_bodycam.equipment_category_card"

    capacity_gb = fields.Integer(string="Capacity (GB)", tracking=True)
    camera_id = fields.Many2one("mchs.bodycam.camera", string="Installed in", readonly=True, index=True,
                                tracking=True, check_company=True, ondelete="restrict")
    installation_ids = fields.One2many("mchs.bodycam.card.installation", "card_id", string="Installation history")

    _sql_constraints = [
        ("capacity_positive", "CHECK(capacity_gb IS NULL OR capacity_gb >= 0)", "The capacity cannot be negative."),
    ]

    @api.model
    def _cards_following_their_bodycam(self):
        """The cards as they go out and come back with their bodycam at the desk: their holder and
        state change with the bodycam's, which its chatter tracks; the Appendix 1 row names the
        cards (column 2), so each card's chatter does not repeat it at every desk step."""
        return self.with_context(mail_notrack=True)

    def _device_name_prefix(self):
        return self.env._("Memory card")

    def _install_into(self, camera, when=None):
        """Put the card into ``camera``; the caller seals the slot afterwards (item 8). ``when``
        dates an installation of the past (demo history); now by default."""
        self.ensure_one()
        if self.camera_id:
            raise UserError(self.env._(
                "%(card)s is already installed in %(camera)s; remove it first.",
                card=self.display_name, camera=self.camera_id.display_name))
        if self.state != "available":
            self._check_issuable()
        if camera.department_id != self.department_id:
            raise UserError(self.env._(
                "%(card)s and %(camera)s belong to different units.",
                card=self.display_name, camera=camera.display_name))
        camera._check_slot_closed_for_change()
        if len(camera.card_ids) >= camera.card_slot_count:
            raise UserError(self.env._(
                "%(camera)s has no free card slot (%(slots)s).",
                camera=camera.display_name, slots=camera.card_slot_count))
        # sudo: the installation history is written by the slot operations only (items 6, 8)
        self.env["mchs.bodycam.card.installation"].sudo().create({
            "card_id": self.id, "camera_id": camera.id, "date_installed": when or fields.Datetime.now()})
        self.camera_id = camera

    def _remove_from_camera(self):
        self.ensure_one()
        if not self.camera_id:
            raise UserError(self.env._("%s is not installed in a bodycam.", self.display_name))
        self.camera_id._check_slot_closed_for_change()
        self.installation_ids.filtered(lambda i: not i.date_removed)._close()
        self.camera_id = False
