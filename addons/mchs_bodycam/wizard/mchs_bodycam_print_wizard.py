import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.hr_department import UNIT_LANGS

# what the wizard prints: the report of a document, or an evidence package (item 14)
TARGETS = [("report", "Printed document"), ("evidence_package", "Evidence package")]


class MchsBodycamPrintWizard(models.TransientModel):
    """Prints a journal book, an act or an evidence package in the language chosen for it, Kazakh
    or Russian (by default the unit's working language), whatever the printing user's language:
    the Order's documents read the same whoever prints them."""

    _name = "mchs.bodycam.print.wizard"
    _description = "Print in Kazakh or Russian"

    res_model = fields.Char(required=True, readonly=True, default=lambda self: self.env.context.get("active_model"))
    res_ids = fields.Char(required=True, readonly=True,
                          default=lambda self: json.dumps(self.env.context.get("active_ids") or []))
    target = fields.Selection(TARGETS, required=True, readonly=True,
                              default=lambda self: self.env.context.get("mchs_print_target") or "report")
    report_id = fields.Many2one(
        "ir.actions.report", string="Document", domain="[('model', '=', res_model), ('report_type', '=', 'qweb-pdf'), "
                                                       "('binding_model_id', '!=', False)]",
        default=lambda self: self._default_report())
    lang = fields.Selection(UNIT_LANGS, string="Language", required=True, default=lambda self: self._default_lang())

    @api.model
    def _default_report(self):
        xmlid = self.env.context.get("mchs_report")
        return self.env.ref(xmlid, raise_if_not_found=False) if xmlid else self.env["ir.actions.report"]

    @api.model
    def _default_lang(self):
        records = self._records_of(self.env.context.get("active_model"), self.env.context.get("active_ids") or [])
        if records and "department_id" in records._fields:
            return records[:1].department_id._bodycam_lang()
        return "kk_KZ"

    @api.model
    def _records_of(self, model, ids):
        if model not in self.env or not model.startswith(("mchs.bodycam.", "hr.employee")):
            return None
        return self.env[model].browse(ids).exists()

    def action_print(self):
        self.ensure_one()
        records = self._records_of(self.res_model, json.loads(self.res_ids or "[]"))
        if not records:
            raise UserError(self.env._("Choose the documents to print."))
        records.check_access("read")
        if self.target == "evidence_package":
            if records._name != "mchs.bodycam.evidence":
                raise UserError(self.env._("Only a legal basis of item 14 builds an evidence package."))
            return records.with_context(mchs_lang=self.lang).action_download_package()
        report = self.report_id
        if not report or report.model != records._name:
            raise UserError(self.env._("Choose the document to print."))
        if report.groups_id and not (report.groups_id & self.env.user.groups_id):
            raise AccessError(self.env._("%s is not yours to print.", report.name))
        return report.report_action(records, data={"mchs_lang": self.lang, "mchs_ids": records.ids}, config=False)
