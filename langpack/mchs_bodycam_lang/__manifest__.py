{
    "name": "MChS Bodycams: Kazakh and Russian",
    "summary": "Kazakh (kk_KZ) and Russian for every screen of the bodycam product, Odoo's own included",
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
