{
    "name": "MChS Bodycams",
    "summary": "Body-worn cameras of the civil-defence inspectorate (MES RK Order No. 495)",
    "description": """
Registry, custody and QR labels of body-worn video recorders and their memory cards,
as required by the Instruction approved by Order No. 495 of the Minister of Emergency
Situations of the Republic of Kazakhstan (21 November 2025).
""",
    "version": "18.0.1.0.0",
    "category": "Human Resources/Bodycams",
    "author": "mchs_bodycam developers",
    "website": "https://github.com/mchs-bodycam/mchs_bodycam",
    "license": "LGPL-3",
    "depends": ["hr", "maintenance", "mail", "web", "report_xlsx"],
    "external_dependencies": {"python": ["qrcode", "xlsxwriter"]},
    "data": [
        "security/mchs_bodycam_security.xml",
        "security/ir.model.access.csv",
        "security/mchs_bodycam_rules.xml",
        "data/res_lang_data.xml",
        "data/maintenance_data.xml",
        "data/mchs_bodycam_secret_data.xml",
        "data/mchs_bodycam_custody_data.xml",
        "views/mchs_bodycam_camera_views.xml",
        "views/mchs_bodycam_card_views.xml",
        "views/mchs_bodycam_designation_views.xml",
        "views/mchs_bodycam_journal_views.xml",
        "views/mchs_bodycam_custody_views.xml",
        "views/res_config_settings_views.xml",
        "views/mchs_bodycam_scan_log_views.xml",
        "views/hr_department_views.xml",
        "views/hr_employee_views.xml",
        "reports/report_paperformats.xml",
        "reports/report_labels.xml",
        "reports/report_badge.xml",
        "reports/report_journal_custody.xml",
        "wizard/mchs_bodycam_slot_wizard_views.xml",
        "views/mchs_bodycam_menus.xml",
        "views/mchs_bodycam_scan_desk_views.xml",
    ],
    "demo": [
        "demo/mchs_bodycam_demo.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "mchs_bodycam/static/src/scan_desk/*",
        ],
        "web.assets_tests": [
            "mchs_bodycam/static/tests/tours/*.js",
        ],
    },
    "application": True,
    "installable": True,
}
