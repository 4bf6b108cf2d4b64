import re

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .maintenance_equipment import DEVICE_FIELDS
from .mchs_bodycam_lock_mixin import AllBut

INVENTORY_NUMBER_RE = re.compile(r"^[A-Z0-9/-]{1,40}$")

DEVICE_STATES = [
    ("available", "Available"),
    ("issued", "Issued"),
    ("repair", "In repair"),
    ("written_off", "Written off"),
    ("lost", "Lost"),
]
# Allowed state changes; written-off and lost devices never come back (item 6).
# (An issued device goes back to available through the journal, in repair or is lost.)
STATE_TRANSITIONS = {
    "available": {"issued", "repair", "written_off", "lost"},
    "issued": {"available", "repair", "lost"},
    "repair": {"available", "written_off", "lost"},
    "written_off": set(),
    "lost": set(),
}


class MchsBodycamDeviceMixin(models.AbstractModel):
    """What bodycams and memory cards share: the registry entry of items 6 and 8.

    Each device is a ``maintenance.equipment`` by delegation, so a breakdown is an ordinary
    maintenance request. Its unit and its holder are hr_maintenance's department and employee of
    that equipment, so that the Maintenance app shows them; the device keeps them in its own row
    too (stored related fields, written through to the equipment), because the database checks
    them there against its state and first issue: an issued device has a holder, the unit of a
    device in service is frozen (item 6).
    """

    _name = "mchs.bodycam.device.mixin"
    _description = "Bodycam registry device"
    _inherit = ["mail.thread", "mail.activity.mixin", "mchs.bodycam.lock.mixin"]
    _check_company_auto = True
    _order = "inventory_number"
    _rec_name = "inventory_number"
    _qr_kind = None  # 'C' or 'M', see mchs.bodycam.qr
    _sequence_kind = None  # 'camera' or 'card', see hr.department
    _equipment_category_xmlid = None  # maintenance category of the delegated equipment
    # item 6: once a device has been issued its number and unit are in the journals
    _lock_state_sql = "CASE WHEN {row}.first_issue_date IS NULL THEN 'new' ELSE 'in_service' END"
    _lock_changeable = {
        "new": AllBut(),
        "in_service": AllBut({"inventory_number", "department_id", "company_id", "first_issue_date", "equipment_id"}),
    }
    _lock_fill_once = {"first_issue_date"}
    _lock_transitions = STATE_TRANSITIONS
    _lock_deletable = {"new"}
    # who holds the device and its state follow the journal and the repair steps, never a hand edit
    _lock_user_writable = {state: AllBut(frozen | {"state", "employee_id", "first_issue_date"})
                           for state, frozen in _lock_changeable.items()}
    _lock_user_creatable = {"new": AllBut({"state", "employee_id", "first_issue_date"})}

    equipment_id = fields.Many2one("maintenance.equipment", required=True,
                                   ondelete="cascade", auto_join=True, index=True)
    inventory_number = fields.Char(
        required=True, readonly=True, copy=False, index=True, tracking=True,
        help="Given by the unit's numbering at registration (item 6); it never changes once the "
             "device has been issued.")
    department_id = fields.Many2one(
        "hr.department", string="Unit", related="equipment_id.department_id", store=True, readonly=False,
        precompute=True, required=True, index=True, tracking=True, check_company=True,
        default=lambda self: self.env["hr.department"]._bodycam_user_units()[:1])
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True,
        compute="_compute_company_id", store=True, precompute=True)
    state = fields.Selection(DEVICE_STATES, required=True, default="available", readonly=True,
                             tracking=True, index=True)
    # written by the journal's steps only (_lock_user_writable); readonly in the forms
    employee_id = fields.Many2one(
        "hr.employee", string="Current holder", related="equipment_id.employee_id", store=True, readonly=False,
        precompute=True, tracking=True, index=True, check_company=True)
    first_issue_date = fields.Datetime(
        string="First issued", readonly=True, copy=False,
        help="Set at the first issue; from then on the inventory number is frozen.")

    _sql_constraints = [
        ("inventory_number_company_uniq", "unique(company_id, inventory_number)",
         "This inventory number is already registered in this company (item 6)."),
        ("issued_has_holder", "CHECK(state <> 'issued' OR employee_id IS NOT NULL)",
         "An issued device must have a holder."),
    ]

    @api.depends("department_id")
    def _compute_company_id(self):
        for device in self:
            device.company_id = device.department_id.company_id or self.env.company

    def _label_payload(self):
        """The signed payload of the device's QR label (item 6). Private: the printed label
        (report_device_label) is the only way a person obtains it."""
        self.ensure_one()
        return self.env["mchs.bodycam.qr"]._make_payload(self._qr_kind, self.inventory_number)

    @api.constrains("inventory_number")
    def _check_inventory_number(self):
        for device in self:
            if not INVENTORY_NUMBER_RE.match(device.inventory_number or ""):
                raise ValidationError(self.env._(
                    "An inventory number is 1 to 40 Latin capital letters, digits, '-' or '/' "
                    "(item 6); %s is not.", device.inventory_number))

    @api.model
    def _device_name_prefix(self):
        return ""

    @api.model_create_multi
    def create(self, vals_list):
        # before an inventory number is taken: the unit's numbering must not lose one (item 6)
        self.check_access("create")
        category = self.env.ref(self._equipment_category_xmlid, raise_if_not_found=False)
        # the caller's values stay as given: loading the demo names the equipment after the device
        # only for an equipment that the create made (Odoo's _load_records)
        vals_list = [dict(vals) for vals in vals_list]
        for vals in vals_list:
            department = self.env["hr.department"].browse(vals.get("department_id")) \
                or self.env["hr.department"]._bodycam_user_units()[:1]
            if not department:
                raise UserError(self.env._("Choose the unit the device belongs to."))
            vals["department_id"] = department.id
            if not vals.get("inventory_number"):
                vals["inventory_number"] = department._bodycam_next_inventory_number(self._sequence_kind)
            vals["inventory_number"] = vals["inventory_number"].strip().upper()
            # the name is stored: in the unit's language, whoever registers the device
            prefix = self.with_env(department._bodycam_env())._device_name_prefix()
            vals.setdefault("name", f"{prefix} {vals['inventory_number']}")
            vals.setdefault("category_id", category.id if category else False)
            vals["bodycam_device"] = True
        self._create_equipment([vals for vals in vals_list if not vals.get("equipment_id")])
        return super().create(vals_list)

    def _create_equipment(self, vals_list):
        """The delegated equipment of each new device, made here rather than by the delegation so
        that it is born with the device's unit and holder (hr_maintenance's department and
        employee, used by "other": both) and its company: the unit's record rules on equipment
        then let the unit's people create it. The equipment's fields leave ``vals``."""
        if not vals_list:
            return
        Department = self.env["hr.department"]
        equipment_vals_list = []
        for vals in vals_list:
            equipment_vals = {name: vals.pop(name) for name in list(vals)
                              if name in self._fields and self._fields[name].inherited}
            equipment_vals.update(
                department_id=vals["department_id"], employee_id=vals.get("employee_id", False),
                company_id=(Department.browse(vals["department_id"]).company_id or self.env.company).id,
                equipment_assign_to="other")
            equipment_vals_list.append(equipment_vals)
        for vals, equipment in zip(vals_list, self.env["maintenance.equipment"].create(equipment_vals_list)):
            vals["equipment_id"] = equipment.id

    def write(self, vals):
        self.check_access("write")
        if "inventory_number" in vals:
            vals["inventory_number"] = (vals["inventory_number"] or "").strip().upper()
        if DEVICE_FIELDS & set(vals):
            self._cache_equipment_devices()
        # the unit and holder written through to the equipment are told by the device's own tracking
        # and journal, not once more by the equipment (maintenance_equipment.py); the equipment are
        # named by a frozenset, which a JSON-RPC context cannot carry: a caller cannot claim that its
        # own write to an equipment comes from a device
        through = frozenset(self.sudo().equipment_id.ids)
        return super(MchsBodycamDeviceMixin, self.with_context(mchs_bodycam_device_write=through)).write(vals)

    def _cache_equipment_devices(self):
        """Each equipment is one device's: its links back to the devices are known without asking
        the database. Writing the unit or holder through to the equipment, the ORM follows them
        back to the devices storing that value, and would otherwise search both device tables,
        at every desk step (issue 14's query counts)."""
        equipment = self.sudo().equipment_id
        cache = self.env.cache
        own = "bodycam_camera_ids" if self._name == "mchs.bodycam.camera" else "bodycam_card_ids"
        other = "bodycam_card_ids" if own == "bodycam_camera_ids" else "bodycam_camera_ids"
        cache.update(equipment, equipment._fields[own], [(device.id,) for device in self])
        cache.update(equipment, equipment._fields[other], [()] * len(self))

    def _lock_state(self):
        self.ensure_one()
        return "in_service" if self.first_issue_date else "new"

    def _check_issuable(self):
        labels = dict(self._fields["state"]._description_selection(self.env))
        for device in self:
            if device.state in ("written_off", "lost"):
                raise UserError(self.env._(
                    "%(device)s is %(state)s and can never be issued (item 6).",
                    device=device.display_name, state=labels[device.state]))
            if device.state != "available":
                raise UserError(self.env._(
                    "%(device)s is %(state)s, not available, and cannot be issued.",
                    device=device.display_name, state=labels[device.state]))

    def _mark_issued(self, employee):
        """Hand the devices to ``employee``; used by the custody journal (items 7, 10)."""
        self._lock_check_access("write")
        self._step_issued(employee)

    def _step_issued(self, employee):
        """_mark_issued once the caller has checked the user's right to write the devices."""
        self._check_issuable()
        issued = {"state": "issued", "employee_id": employee.id}
        # the first issue freezes the inventory number (item 6): dated in the same step
        first = self.filtered(lambda d: not d.first_issue_date)
        first._lock_step(dict(issued, first_issue_date=fields.Datetime.now()))
        (self - first)._lock_step(issued)

    def _mark_returned(self):
        for device in self:
            if device.state != "issued":
                raise UserError(self.env._("%s is not issued.", device.display_name))
        self._lock_write({"state": "available", "employee_id": False})

    def action_send_to_repair(self):
        """A breakdown becomes a maintenance request of the underlying equipment."""
        self.check_access("write")
        self._check_not_out()
        return self._send_to_repair()

    def _send_to_repair(self):
        """The devices go to repair, each with a maintenance request named in its unit's language
        (it is stored); a journal row's own step (items 21, 23) or the registry's."""
        requests = self.env["maintenance.request"]
        for device in self:
            env = device.department_id._bodycam_env()
            # sudo: Odoo lets a user create a request they own, and owns them one only for
            # equipment "used by an employee"; a bodycam is used by "other" (its unit and its
            # holder). Whoever sends the device to repair follows the request, as its creator.
            requests |= self.env["maintenance.request"].sudo().create({
                "name": env._("Repair of %s", device.inventory_number),
                "equipment_id": device.equipment_id.id,
                "company_id": device.company_id.id,
                "maintenance_type": "corrective",
            }).sudo(False)
        self._lock_write({"state": "repair", "employee_id": False})
        return requests

    def _check_not_out(self):
        """A device out with an inspector changes state through its journal row (items 21, 23)."""
        Custody = self.env["mchs.bodycam.custody"].sudo()
        for device in self.filtered(lambda d: d.state == "issued"):
            camera = device if device._name == "mchs.bodycam.camera" else device.camera_id
            row = Custody.search([("camera_id", "=", camera.id), ("state", "=", "issued"), ("struck", "=", False)],
                                 limit=1)
            if row:
                raise UserError(self.env._(
                    "%(device)s is out with %(inspector)s under journal row %(row)s: report its loss, damage or "
                    "failure on that row (items 21, 23).",
                    device=device.display_name, inspector=row.inspector_id.name, row=row.row_number))

    def action_back_from_repair(self):
        self._lock_write({"state": "available"})

    def action_write_off(self):
        self._lock_write({"state": "written_off", "employee_id": False})
        for device in self:
            device.equipment_id.write({"scrap_date": device.department_id._bodycam_today()})

    def action_mark_lost(self):
        self.check_access("write")
        self._check_not_out()
        self._mark_lost()

    def _mark_lost(self):
        self._lock_write({"state": "lost", "employee_id": False})

    def action_open_maintenance_requests(self):
        self.ensure_one()
        self.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Maintenance requests"),
            "res_model": "maintenance.request",
            "view_mode": "list,form",
            "domain": [("equipment_id", "=", self.equipment_id.id)],
            "context": {"default_equipment_id": self.equipment_id.id},
        }
