from odoo import fields, models

# hr_maintenance's fields of the equipment that are the device's unit and holder (stored on the
# device too, see mchs.bodycam.device.mixin)
DEVICE_FIELDS = frozenset({"department_id", "employee_id"})


class MaintenanceEquipment(models.Model):
    _inherit = "maintenance.equipment"

    # Reverse links of the delegation: the device behind a bodycam's equipment.
    bodycam_camera_ids = fields.One2many("mchs.bodycam.camera", "equipment_id", string="Bodycam")
    bodycam_card_ids = fields.One2many("mchs.bodycam.card", "equipment_id", string="Memory card")
    bodycam_device = fields.Boolean(
        string="Bodycam registry device", readonly=True, copy=False,
        help="Set on the equipment behind a bodycam or memory card; lets bodycam roles create it.")

    _sql_constraints = [
        # hr_maintenance clears the department of equipment used by an employee, and the employee
        # of equipment used by a department: a bodycam has both, its unit and its holder
        ("bodycam_device_used_by_other", "CHECK(bodycam_device IS NOT TRUE OR equipment_assign_to = 'other')",
         "The equipment of a bodycam or memory card keeps its unit and its holder: Used By stays Other."),
    ]

    def write(self, vals):
        if not DEVICE_FIELDS & set(vals):
            return super().write(vals)
        self._bodycam_check_device_lock(vals)
        if self.env.context.get("mchs_bodycam_device_write") and set(vals) <= DEVICE_FIELDS:
            # written through from the device: its tracking and the journal tell who has it
            # (item 7); the equipment neither tracks it again nor makes each holder a follower
            # (hr_maintenance), who could then read the equipment long after giving it back
            return super(MaintenanceEquipment, self.with_context(
                tracking_disable=True, mchs_bodycam_no_follow=True)).write(vals)
        return super().write(vals)

    def _bodycam_check_device_lock(self, vals):
        """A bodycam's unit and holder obey the device's lock declaration wherever they are
        written: on the device, in the Maintenance app, by the departure wizard (items 6, 7)."""
        names = DEVICE_FIELDS & set(vals)
        Device = self.env["mchs.bodycam.device.mixin"]
        if self.env.su and not names & Device._lock_fill_once and not any(
                Device._lock_outside(names, changeable) for changeable in Device._lock_changeable.values()):
            return  # a step of the device's own (sudo) may write what no lock state freezes
        # sudo: finding the device behind the equipment; the lock then judges the writer himself
        equipment = self.sudo().filtered("bodycam_device")
        for devices in (equipment.bodycam_camera_ids, equipment.bodycam_card_ids):
            devices.with_env(self.env)._lock_check_write({name: vals[name] for name in names})

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        if self.env.context.get("mchs_bodycam_no_follow"):
            return True
        return super().message_subscribe(partner_ids=partner_ids, subtype_ids=subtype_ids)
