import functools
import subprocess

from odoo import models
from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

# Debian's wkhtmltopdf is built on an unpatched Qt: it ignores --zoom and draws one CSS
# millimetre as 0.768 mm (96/125). Labels and badges must come out at their real size, so
# this module's templates zoom by the inverse; a build with patched Qt needs no correction.
UNPATCHED_QT_ZOOM = 125 / 96


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
        values = super()._get_rendering_context(report, docids, data)
        if report.report_name.startswith("mchs_bodycam."):
            values["mm_zoom"] = css_mm_zoom()
        return values
