from odoo import fields, models


class MaintenanceEquipment(models.Model):
    _inherit = "maintenance.equipment"

    # Reverse links of the delegation, used by the record rules that let bodycam roles
    # see the equipment behind their unit's devices.
    bodycam_camera_ids = fields.One2many("mchs.bodycam.camera", "equipment_id", string="Bodycam")
    bodycam_card_ids = fields.One2many("mchs.bodycam.card", "equipment_id", string="Memory card")
    bodycam_device = fields.Boolean(
        string="Bodycam registry device", readonly=True, copy=False,
        help="Set on the equipment behind a bodycam or memory card; lets bodycam roles create it.")
