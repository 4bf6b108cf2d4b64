from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestLanguages(TransactionCase):
    """Kazakh and Russian (the product speaks both); Odoo 18 itself has no Kazakh."""

    def test_kazakh_language_with_kazakhstan_formats(self):
        kazakh = self.env["res.lang"]._lang_get("kk_KZ")
        self.assertTrue(kazakh.active)
        self.assertEqual((kazakh.iso_code, kazakh.date_format, kazakh.time_format),
                         ("kk", "%d.%m.%Y", "%H:%M:%S"))
        self.assertEqual((kazakh.decimal_point, kazakh.thousands_sep, kazakh.week_start), (",", " ", "1"))
        self.assertEqual(kazakh.format("%.2f", 1234567.891, grouping=True), "1 234 567,89")
        self.assertIn(("kk_KZ", "Қазақ тілі / Kazakh"), self.env["res.lang"].get_installed())
        self.assertTrue(self.env["res.lang"]._lang_get("ru_RU").active)

    def test_module_translations_loaded(self):
        qr = self.env["mchs.bodycam.qr"]
        english = qr._resolve("garbage")["message"]
        kazakh = qr.with_context(lang="kk_KZ")._resolve("garbage")["message"]
        russian = qr.with_context(lang="ru_RU")._resolve("garbage")["message"]
        self.assertNotEqual(kazakh, english)
        self.assertNotEqual(russian, english)
        self.assertIn("QR", kazakh)
        states = dict(self.env["mchs.bodycam.camera"].with_context(lang="kk_KZ")
                      ._fields["state"]._description_selection(self.env(context={"lang": "kk_KZ"})))
        self.assertNotEqual(states["written_off"], "Written off")
        menu = self.env.ref("mchs_bodycam.mchs_bodycam_camera_menu").with_context(lang="ru_RU")
        self.assertNotEqual(menu.name, "Bodycams")
