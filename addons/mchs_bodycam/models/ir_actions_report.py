import functools
import subprocess

from odoo import models
from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

# Debian's wkhtmltopdf is built on an unpatched Qt: it ignores --zoom and draws one CSS
# millimetre as 0.768 mm (96/125). Labels and badges must come out at their real size, so
# this module's templates zoom by the inverse; a build with patched Qt needs no correction.
UNPATCHED_QT_ZOOM = 125 / 96
# Odoo's own employee badge prints the bare badge ID, which the scan desk refuses; the
# product's users get the chest badge of item 17 with its signed QR instead (item 6)
HR_BADGE_REPORT = "hr.print_employee_badge"
CHEST_BADGE_REPORT = "mchs_bodycam.report_chest_badge"


@functools.cache
def css_mm_zoom():
    try:
        version = subprocess.run([_get_wkhtmltopdf_bin(), "--version"], capture_output=True,
                                 text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return 1.0
    return 1.0 if "patched qt" in version.lower() else UNPATCHED_QT_ZOOM


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def _get_rendering_context(self, report, docids, data):
        if report.report_name.startswith("mchs_bodycam."):
            # the label reports serve bodycams and memory cards: they are told which
            data = dict(data or {}, mchs_report_model=report.model)
        values = super()._get_rendering_context(report, docids, data)
        if report.report_name.startswith("mchs_bodycam."):
            values["mm_zoom"] = css_mm_zoom()
        return values

    def _mchs_badge_report(self, report_ref):
        """The chest badge in place of Odoo's own employee badge, for the product's users."""
        if self._get_report(report_ref).report_name == HR_BADGE_REPORT \
                and self.env.user.has_group("mchs_bodycam.group_bodycam_inspector"):
            return CHEST_BADGE_REPORT
        return report_ref

    def _render_qweb_pdf(self, report_ref, res_ids=None, data=None):
        return super()._render_qweb_pdf(self._mchs_badge_report(report_ref), res_ids=res_ids, data=data)

    def _render_qweb_html(self, report_ref, docids, data=None):
        return super()._render_qweb_html(self._mchs_badge_report(report_ref), docids, data=data)
