from odoo import api, models
from odoo.exceptions import UserError


class ReportChestBadge(models.AbstractModel):
    """The chest badge of item 17; refuses employees without a badge ID (nothing to scan)."""

    _name = "report.mchs_bodycam.report_chest_badge"
    _description = "Bodycam chest badge"

    @api.model
    def _get_report_values(self, docids, data=None):
        employees = self.env["hr.employee"].browse(docids)
        # sudo: the badge ID is an HR field; the badge prints it for the people who hand badges out.
        barcodes = {employee.id: employee.sudo().barcode for employee in employees}
        missing = employees.filtered(lambda e: not barcodes[e.id])
        if missing:
            raise UserError(self.env._(
                "These employees have no badge ID, so their badge would have no QR code: %s. "
                "Generate a badge ID on the employee form (HR Settings tab) first.",
                ", ".join(missing.mapped("name"))))
        return {
            "doc_ids": docids,
            "doc_model": "hr.employee",
            "docs": employees,
            "employee_barcodes": barcodes,
        }
