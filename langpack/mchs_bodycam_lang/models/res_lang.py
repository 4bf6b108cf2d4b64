import logging

from odoo import api, models

_logger = logging.getLogger(__name__)


class ResLang(models.Model):
    _inherit = "res.lang"

    @api.model
    def _mchs_load_product_languages(self):
        """Load the Kazakh and Russian model terms (menus, fields, views, selections) of every
        installed module from the .po files Odoo finds for them, ours included
        (``<module>/i18n_extra/kk.po``).

        Modules installed after this addon load their terms themselves, since the languages
        exist by then; this covers those installed before it (base, web...) and refreshes them
        all when this addon is updated, overwriting what a previous version loaded (the
        product owns both languages: Odoo's Russian, with its gaps closed by langpack/)."""
        modules = self.env["ir.module.module"].search([("state", "=", "installed")])
        _logger.info("loading kk_KZ and ru_RU terms of %s installed modules", len(modules))
        modules._update_translations("kk_KZ", overwrite=True)
        modules._update_translations("ru_RU", overwrite=True)
