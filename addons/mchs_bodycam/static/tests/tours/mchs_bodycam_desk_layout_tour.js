import { registry } from "@web/core/registry";
import { click, scan, type } from "@mchs_bodycam/../tests/tours/mchs_bodycam_desk_helpers";

// Payloads signed with the key "tour-secret" that TestDeskKeyboardLayoutTour sets.
const CAMERA = "MBC1.C.KBD-CAM/2.226PM4R77OYRJ3K3";
const BADGE = "MBC1.E.7700000021.BRNAHSL5LFWCUGVS";

// What a keyboard layout makes of the keys a scanner presses: the Latin capitals with Shift
// (Cyrillic capitals then), digits, ".", "-" and "/" without it.
const LETTERS = { QWERTYUIOP: "ЙЦУКЕНГШЩЗ", ASDFGHJKL: "ФЫВАПРОЛД", ZXCVBNM: "ЯЧСМИТЬ" };
const SHARED = { ".": "ю" };
for (const [latin, cyrillic] of Object.entries(LETTERS)) {
    [...latin].forEach((key, index) => (SHARED[key] = cyrillic[index]));
}
// Russian ЙЦУКЕН (Windows): digits and "-" stay, the key of "/" types "."
const RUSSIAN = { ...SHARED, "/": "." };
// Kazakh: the number row types Kazakh letters and punctuation, "-" types "ө", "/" types "№"
const KAZAKH = { ...SHARED, 1: '"', 2: "ә", 3: "і", 4: "ң", 5: "ғ", 6: ",", 7: ".", 8: "ү", 9: "ұ", 0: "қ", "-": "ө", "/": "№" };

function typedUnder(layout, text) {
    return [...text].map((key) => layout[key] ?? key).join("");
}

// issue 12, point 3: a scanner left on the Russian or the Kazakh keyboard layout still works
registry.category("web_tour.tours").add("mchs_bodycam_desk_layout_tour", {
    url: "/odoo/action-mchs_bodycam.mchs_bodycam_scan_desk_action",
    steps: () => [
        { trigger: ".o_mchs_scan_next:contains('Scan the bodycam')" },
        scan(typedUnder(RUSSIAN, CAMERA), "The bodycam's label, typed under ЙЦУКЕН"),
        {
            content: "It is read as the label says",
            trigger: ".o_mchs_desk_camera_number:contains('KBD-CAM/2')",
        },
        scan(typedUnder(KAZAKH, BADGE), "The badge, typed under the Kazakh layout"),
        { trigger: ".o_mchs_desk_inspector_name:contains('Layout Inspector')" },
        scan(typedUnder(RUSSIAN, CAMERA).slice(0, -4), "A damaged label typed under ЙЦУКЕН"),
        {
            content: "Refused with what to do",
            trigger: ".o_mchs_scan_error:contains('switch the keyboard to English')",
        },
        click(".o_mchs_desk_all_checked", "All checked"),
        type(".o_mchs_desk_checklist input[name=battery_level]", "88", "Battery level"),
        {
            content: "The refusal is gone once the person goes on",
            trigger: ".o_mchs_scan_desk:not(:has(.o_mchs_scan_error))",
        },
        click(".o_mchs_desk_issue:enabled", "Issue with the badge read under the Kazakh layout"),
        {
            trigger: ".o_mchs_desk_result:contains('Issued') .o_mchs_desk_result_inspector:contains('Layout Inspector')",
        },
    ],
});
