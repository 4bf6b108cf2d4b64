from odoo import api, fields, models
from odoo.exceptions import UserError


class MchsBodycamSlotWizard(models.TransientModel):
    """Open a bodycam's card slot, install or remove a card, and seal it again (item 8)."""

    _name = "mchs.bodycam.slot.wizard"
    _description = "Bodycam card slot operation"

    camera_id = fields.Many2one("mchs.bodycam.camera", string="Bodycam", required=True)
    department_id = fields.Many2one(related="camera_id.department_id")
    current_seal_number = fields.Char(related="camera_id.seal_number", string="Current seal")
    operation = fields.Selection(
        [("install", "Install a memory card"), ("remove", "Remove a memory card"), ("reseal", "Replace the seal")],
        required=True, default="install")
    card_id = fields.Many2one(
        "mchs.bodycam.card", string="Memory card",
        domain="[('department_id', '=', department_id), ('camera_id', '=', False), ('state', '=', 'available')]")
    remove_card_id = fields.Many2one(
        "mchs.bodycam.card", string="Card to remove", domain="[('camera_id', '=', camera_id)]")
    reseal_reason = fields.Selection([("replaced", "Replaced"), ("broken", "Found broken")], default="replaced")
    new_seal_number = fields.Char(string="New seal number", required=True)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        camera = self.env["mchs.bodycam.camera"].browse(values.get("camera_id"))
        if camera and camera.card_count >= camera.card_slot_count and "operation" in fields_list:
            values["operation"] = "remove" if camera.card_ids else "reseal"
        return values

    def action_apply(self):
        self.ensure_one()
        camera = self.camera_id
        # the chatter line is stored: in the unit's language
        unit_env = camera.department_id._bodycam_env()
        if self.operation == "install":
            if not self.card_id:
                raise UserError(self.env._("Choose the memory card to install."))
            camera._break_seal("card_change")
            self.card_id._install_into(camera)
            body = unit_env._("Memory card %(card)s installed; slot sealed with %(seal)s.",
                              card=self.card_id.display_name, seal=self.new_seal_number)
        elif self.operation == "remove":
            if not self.remove_card_id:
                raise UserError(self.env._("Choose the memory card to remove."))
            camera._break_seal("card_change")
            self.remove_card_id._remove_from_camera()
            body = unit_env._("Memory card %(card)s removed; slot sealed with %(seal)s.",
                              card=self.remove_card_id.display_name, seal=self.new_seal_number)
        else:
            camera._break_seal(self.reseal_reason)
            body = unit_env._("Seal replaced by %(seal)s.", seal=self.new_seal_number)
        camera._apply_seal(self.new_seal_number)
        # A logged note: it needs no e-mail address, which many inspectorate users lack.
        camera._message_log(body=body)
        return {"type": "ir.actions.act_window_close"}
