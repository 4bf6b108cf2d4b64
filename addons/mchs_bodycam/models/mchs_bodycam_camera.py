from datetime import timedelta

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

    equipment_id = fields.Many2one("maintenance.equipment", string="Equipment", required=True,
                                   ondelete="cascade", auto_join=True, index=True)
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
        return self.env["mchs.bodycam.seal"].create({"camera_id": self.id, "number": number})

    def _break_seal(self, reason):
        self.ensure_one()
        if self.seal_id:
            self.seal_id._remove(reason)

    @api.model
    def _bodycam_demo_setup(self):
        """Demo: cards installed two per bodycam and sealed (item 8), one bodycam in repair,
        one written off, one card lost."""
        def ref(xmlid):
            return self.env.ref(f"mchs_bodycam.{xmlid}")
        # the cards went in before the demo journal's first day: its recordings were made with
        # the card in the camera (items 6, 8)
        installed = fields.Datetime.now() - timedelta(days=365)
        for index in range(1, 13):
            if index in (8, 12):
                continue
            camera = ref(f"camera_{index:02d}_demo")
            for card_index in (2 * index - 1, 2 * index):
                ref(f"card_{card_index:02d}_demo")._install_into(camera, when=installed)
            camera._apply_seal(f"{camera.department_id.bodycam_code}-S-{1000 + index}")
        repair = ref("camera_08_demo").action_send_to_repair()
        # An xmlid lets uninstalling the module remove the request before its equipment.
        self.env["ir.model.data"].create({
            "module": "mchs_bodycam", "name": "maintenance_request_camera_08_demo",
            "model": "maintenance.request", "res_id": repair.id, "noupdate": True})
        ref("camera_12_demo").action_write_off()
        ref("card_24_demo").action_mark_lost()

    def action_open_cards(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Memory cards"),
            "res_model": "mchs.bodycam.card",
            "view_mode": "list,form",
            "domain": [("camera_id", "=", self.id)],
        }

    def action_open_slot_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Card slot"),
            "res_model": "mchs.bodycam.slot.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_camera_id": self.id},
        }
