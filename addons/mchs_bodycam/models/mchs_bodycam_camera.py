from odoo import api, fields, models
from odoo.exceptions import UserError


class MchsBodycamCamera(models.Model):
    """A body-worn video recorder (items 3, 6, 8)."""

    _name = "mchs.bodycam.camera"
    _description = "Bodycam"
    _inherit = ["mchs.bodycam.device.mixin"]
    _inherits = {"maintenance.equipment": "equipment_id"}
    _qr_kind = "C"
    _sequence_kind = "camera"
    _equipment_category_xmlid = "mchs_bodycam.equipment_category_bodycam"

    card_ids = fields.One2many("mchs.bodycam.card", "camera_id", string="Memory cards")
    card_slot_count = fields.Integer(string="Card slots", default=1, required=True,
                                     help="How many memory cards the bodycam takes.")
    card_installation_ids = fields.One2many("mchs.bodycam.card.installation", "camera_id",
                                            string="Card history")
    seal_ids = fields.One2many("mchs.bodycam.seal", "camera_id", string="Seal history")
    seal_id = fields.Many2one("mchs.bodycam.seal", string="Current seal", compute="_compute_seal_id",
                              store=True, index=True)
    seal_number = fields.Char(related="seal_id.number", string="Seal number", store=True, tracking=True,
                              help="Number of the seal on the card slot (item 8).")
    card_count = fields.Integer(compute="_compute_card_count")

    _sql_constraints = [
        ("card_slot_count_positive", "CHECK(card_slot_count > 0)", "A bodycam has at least one card slot."),
    ]

    @api.depends("seal_ids.date_removed")
    def _compute_seal_id(self):
        for camera in self:
            camera.seal_id = camera.seal_ids.filtered(lambda s: not s.date_removed)[:1]

    @api.depends("card_ids")
    def _compute_card_count(self):
        for camera in self:
            camera.card_count = len(camera.card_ids)

    @api.model
    def _device_name_prefix(self):
        return self.env._("Bodycam")

    def _check_slot_closed_for_change(self):
        """Cards change only while the bodycam is at the responsible person's desk (item 8)."""
        for camera in self:
            if camera.state != "available":
                raise UserError(self.env._(
                    "Cards of %s can only be changed while it is available at the responsible "
                    "person's desk.", camera.display_name))

    def _apply_seal(self, number):
        """Seal the card slot (item 8), ending the current seal if any."""
        self.ensure_one()
        number = (number or "").strip()
        if not number:
            raise UserError(self.env._("Enter the number of the new seal (item 8)."))
        if self.seal_id:
            self.seal_id._remove("replaced")
        # sudo: seal history is written by the slot operations only (item 8), never by hand
        seal = self.env["mchs.bodycam.seal"].sudo().create({"camera_id": self.id, "number": number})
        return seal.sudo(False)

    def _break_seal(self, reason):
        self.ensure_one()
        if self.seal_id:
            self.seal_id._remove(reason)

    def action_open_cards(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Memory cards"),
            "res_model": "mchs.bodycam.card",
            "view_mode": "list,form",
            "domain": [("camera_id", "=", self.id)],
        }

    def action_open_slot_wizard(self):
        self.ensure_one()
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Card slot"),
            "res_model": "mchs.bodycam.slot.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_camera_id": self.id},
        }
