{
    "name": "MChS Bodycams: Kazakh and Russian",
    "summary": "Kazakh (kk_KZ) and Russian for every screen of the bodycam product, Odoo's own included",
    "description": """
Odoo 18 ships no Kazakh for web, base, mail, hr... This addon creates the Kazakh language
with Kazakhstan's formats, activates Russian, and makes Odoo load the Kazakh (and the missing
Russian) translations kept next to it on the addons path: ``<module>/i18n_extra/kk.po`` and
``<module>/i18n_extra/ru.po``, which Odoo's own loader (``get_po_paths``) finds under any
addons-path root. Code translations (the web client's ``_t``, Python's ``_``) are read from
those files at run time; model terms (menus, fields, views) are loaded into the database when
a module is installed or updated, and for every installed module when this addon is.

Where the browser's Intl data has no Kazakh (Chrome, Chromium), it gives the web client Kazakh
month and week-day names and relative times. It also gives words to the few places where Odoo 18
shows English whatever the language:
the breadcrumbs' "Back to ..." tooltip and the employee's marital status; and names Discuss's
channel of all employees in both languages instead of "general".
""",
    "version": "18.0.1.0.0",
    "category": "Hidden/Tools",
    "author": "mchs_bodycam developers",
    "website": "https://github.com/mchs-bodycam/mchs_bodycam",
    "license": "LGPL-3",
    "depends": ["web", "hr"],
    "data": [
        "data/res_lang_data.xml",
        "data/discuss_channel_data.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "mchs_bodycam_lang/static/src/kazakh_intl.js",
            "mchs_bodycam_lang/static/src/breadcrumbs.js",
            "mchs_bodycam_lang/static/src/breadcrumbs.xml",
        ],
    },
    "pre_init_hook": "adopt_kazakh",
    "installable": True,
}
