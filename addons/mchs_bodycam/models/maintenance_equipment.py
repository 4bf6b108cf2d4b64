from odoo import api, fields, models

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

    @api.depends("employee_id", "department_id", "equipment_assign_to")
    def _compute_owner(self):  # pylint: disable=missing-return  # a compute method returns nothing
        """A bodycam's equipment keeps the owner who registered it: hr_maintenance would make
        whoever last issued or took it back the owner (Used By is Other) and post that change
        on every desk step, when the device's own tracking and the journal already tell it."""
        devices = self.filtered("bodycam_device")
        super(MaintenanceEquipment, self - devices)._compute_owner()
        for equipment in devices:
            equipment.owner_user_id = equipment.owner_user_id or self.env.user

    def write(self, vals):
        if not DEVICE_FIELDS & set(vals):
            return super().write(vals)
        if self._bodycam_written_through(vals):
            # written through from the device, whose lock has judged the values: its tracking and
            # the journal tell who has it (item 7). The columns only: the equipment neither tracks
            # them again (mail) nor makes each holder a follower (maintenance, hr_maintenance), who
            # could then read the equipment long after giving the bodycam back.
            return models.Model.write(self, vals)  # pylint: disable=method-required-super  # see above
        self._bodycam_check_device_lock(vals)
        return super().write(vals)

    def _bodycam_written_through(self, vals):
        through = self.env.context.get("mchs_bodycam_device_write")
        return isinstance(through, frozenset) and set(vals) <= DEVICE_FIELDS and set(self.ids) <= through

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
