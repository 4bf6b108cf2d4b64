from odoo import api, models
from odoo.exceptions import AccessError, UserError

from ..lib.printing import print_lang
from .report_print import text_lines

# item 6: who prints signed labels and badges
PRINTER_GROUPS = ("mchs_bodycam.group_bodycam_responsible", "mchs_bodycam.group_bodycam_admin")


class MchsBodycamLabelReport(models.AbstractModel):
    """What the printed QR labels and chest badges share (items 6, 17): only the responsible
    person and the bodycam administrator print them, for their own unit; the signed payloads
    exist only inside the printed document; every print is recorded, from here, so that the PDF
    and the HTML rendering both leave their row."""

    _name = "mchs.bodycam.label.report"
    _description = "Printed bodycam labels and badges"

    @api.model
    def _check_printer(self):
        if self.env.su or any(self.env.user.has_group(group) for group in PRINTER_GROUPS):
            return
        raise AccessError(self.env._(
            "Only the responsible person and the bodycam administrator print labels and badges (item 6)."))


class ReportDeviceLabel(models.AbstractModel):
    """A bodycam's or a memory card's QR label (item 6), one per page."""

    _name = "report.mchs_bodycam.report_device_label"
    _inherit = "mchs.bodycam.label.report"
    _description = "Bodycam or memory card label"

    @api.model
    def _get_report_values(self, docids, data=None):
        self._check_printer()
        # the report action's model (bodycam or memory card), set by ir.actions.report
        model = (data or {}).get("mchs_report_model")
        if model not in ("mchs.bodycam.camera", "mchs.bodycam.card"):
            raise UserError(self.env._("Labels are printed for bodycams and memory cards."))
        devices = self.env[model].browse(docids)
        devices.check_access("read")  # the printer's own unit only (record rules)
        payloads = {device.id: device._label_payload() for device in devices}
        self.env["mchs.bodycam.label.print"]._record(devices, devices._qr_kind)
        return {"doc_ids": docids, "doc_model": model, "docs": devices, "payloads": payloads}


class ReportDeviceLabelSheet(models.AbstractModel):
    """Labels on an A4 sheet (item 6), 21 a page."""

    _name = "report.mchs_bodycam.report_device_label_sheet"
    _inherit = "report.mchs_bodycam.report_device_label"
    _description = "Bodycam or memory card labels (A4 sheet)"


class ReportChestBadge(models.AbstractModel):
    """The chest badge of item 17 with the inspector's signed QR (item 6); refuses employees
    without a badge ID (nothing to scan) and employees of other units."""

    _name = "report.mchs_bodycam.report_chest_badge"
    _inherit = "mchs.bodycam.label.report"
    _description = "Bodycam chest badge"

    @api.model
    def _get_report_values(self, docids, data=None):
        self._check_printer()
        employees = self.env["hr.employee"].browse(docids)
        # sudo: the printer needs no HR rights; the unit check below decides, and the badge ID
        # is an HR field printed for the people who hand badges out
        private = employees.sudo()
        if not self.env.su and private.department_id - self.env["hr.department"]._bodycam_user_units():
            raise AccessError(self.env._("Badges are printed for the employees of your own unit (item 6)."))
        missing = private.filtered(lambda employee: not employee.barcode)
        if missing:
            raise UserError(self.env._(
                "These employees have no badge ID, so their badge would have no QR code: %s. "
                "Generate a badge ID on the employee form (HR Settings tab) first.",
                ", ".join(missing.mapped("name"))))
        payloads = {employee.id: employee._bodycam_badge_payload() for employee in private}
        self.env["mchs.bodycam.label.print"]._record(private, "E")
        return {
            "doc_ids": docids,
            "doc_model": "hr.employee",
            "docs": employees,
            "employee_barcodes": {employee.id: employee.barcode for employee in private},
            "payloads": payloads,
            "badges": {employee.id: self._badge_texts(employee, data) for employee in private},
        }

    @api.model
    def _badge_texts(self, employee, data):
        """The badge's texts in the unit's language (or the one chosen), sized so that the badge
        keeps to its one page whatever the length of a name or of the unit's name."""
        unit = employee.department_id
        lang = print_lang(self.env, unit, data)
        name, job, unit_name = employee.name or "", employee.job_title or "", unit.with_context(lang=lang).name or ""
        # the text column is about 50 mm wide, less as printed (measured at 40): the name on at most
        # 2 lines, the position and the unit on 4 together
        name_pt = next((size for size in (11, 10, 9, 8) if text_lines(name, 40, size, bold=True) <= 2), 7)
        small_pt = next((size for size in (8, 7.5, 7, 6.5, 6) if text_lines(job, 40, size) + text_lines(unit_name, 40, size)
                         <= 4), 5.5)
        return {"name": name, "job_title": job, "unit": unit_name, "name_pt": name_pt, "small_pt": small_pt}
