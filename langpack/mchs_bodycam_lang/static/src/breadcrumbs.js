import { _t } from "@web/core/l10n/translation";
import { patch } from "@web/core/utils/patch";
import { Breadcrumbs } from "@web/search/breadcrumbs/breadcrumbs";

// web.Breadcrumbs builds its tooltip as the English 'Back to "..."' in the template itself,
// where no translation can reach it.
patch(Breadcrumbs.prototype, {
    backTooltip(breadcrumb) {
        return breadcrumb.isFormView
            ? _t('Back to "%s" form', breadcrumb.name)
            : _t('Back to "%s"', breadcrumb.name);
    },
});
