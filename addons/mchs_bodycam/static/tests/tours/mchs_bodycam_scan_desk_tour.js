import { registry } from "@web/core/registry";

// Payloads signed with the key "tour-secret" that TestScanDeskTour sets on the database.
const CAMERA = "MBC1.C.TOUR-CAM-1.BOWYWLB57TXH4YNI";
const CARD = "MBC1.M.TOUR-MC-1.HATW2O7EXDHR3P4A";
const BADGE = "MBC1.E.7700000001.2R3CWIMURKVVM5GV";
const FORGED = "MBC1.C.TOUR-CAM-1.AAAAAAAAAAAAAAAA";

function scan(payload, content) {
    return {
        content,
        trigger: ".o_mchs_scan_desk input.o_mchs_scan_input",
        run: `edit ${payload} && press Enter`,
    };
}

const CHECKS = [
    "check_operable",
    "check_datetime",
    "check_quality",
    "check_inventory_label",
    "check_seal_intact",
    "check_placement",
    "check_badge_worn",
];

// items 7, 10, 16: issue a bodycam with two scans and one confirmation, then receive it back.
registry.category("web_tour.tours").add("mchs_bodycam_scan_desk_tour", {
    url: "/odoo/action-mchs_bodycam.mchs_bodycam_scan_desk_action",
    steps: () => [
        {
            content: "The desk waits for a scan",
            trigger: ".o_mchs_scan_desk .o_mchs_scan_next:contains('Scan the bodycam')",
        },
        // refusals are shown in plain words
        scan(FORGED, "Scan a forged label"),
        {
            content: "The forged label is refused in plain words",
            trigger: ".o_mchs_scan_error:contains('forged')",
        },
        scan(CARD, "Scan the memory card instead of the bodycam"),
        {
            content: "A memory card is refused",
            trigger: ".o_mchs_scan_error:contains('is a memory card')",
        },
        // issue
        scan(CAMERA, "Scan the bodycam"),
        {
            content: "The bodycam is shown with its card and seal",
            trigger: ".o_mchs_desk_camera_number:contains('TOUR-CAM-1')",
        },
        {
            trigger: ".o_mchs_desk_camera_cards:contains('TOUR-MC-1')",
        },
        {
            trigger: ".o_mchs_desk_camera_seal:contains('T-1')",
        },
        {
            content: "The previous error is gone",
            trigger: ".o_mchs_scan_desk:not(:has(.o_mchs_scan_error))",
        },
        scan(BADGE, "Scan the inspector's badge"),
        {
            content: "The inspector is shown",
            trigger: ".o_mchs_desk_inspector_name:contains('Tour Inspector')",
        },
        {
            content: "The seal number is prefilled",
            trigger: ".o_mchs_desk_checklist input[name=check_seal_number]:value(T-1)",
        },
        {
            content: "Issue without the pre-use check",
            trigger: ".o_mchs_desk_issue:enabled",
            run: "click",
        },
        {
            content: "The failed check is named, no traceback",
            trigger: ".o_mchs_scan_error:contains('pre-use check failed')",
        },
        {
            trigger: "body:not(:has(.o_error_dialog))",
        },
        ...CHECKS.map((name) => ({
            content: `Tick ${name}`,
            trigger: `.o_mchs_desk_checklist input[name=${name}]`,
            run: "check",
        })),
        {
            content: "Battery level",
            trigger: ".o_mchs_desk_checklist input[name=battery_level]",
            run: "edit 95",
        },
        {
            content: "Clock offset",
            trigger: ".o_mchs_desk_checklist input[name=clock_offset_seconds]",
            run: "edit 2",
        },
        {
            content: "Issue",
            trigger: ".o_mchs_desk_issue:enabled",
            run: "click",
        },
        {
            content: "The journal row is shown",
            trigger: ".o_mchs_desk_result:contains('Issued') .o_mchs_desk_result_row:contains('1')",
        },
        {
            trigger: ".o_mchs_desk_result_inventory:contains('TOUR-CAM-1 (TOUR-MC-1)')",
        },
        {
            trigger: ".o_mchs_desk_result_inspector:contains('Tour Inspector')",
        },
        {
            content: "Start over",
            trigger: ".o_mchs_scan_reset",
            run: "click",
        },
        {
            trigger: ".o_mchs_scan_desk:not(:has(.o_mchs_desk_result))",
        },
        // return
        scan(CAMERA, "Scan the bodycam that is out"),
        {
            content: "The desk switches to the return and shows the entry",
            trigger: ".o_mchs_desk_entry .o_mchs_desk_entry_row:contains('1')",
        },
        {
            trigger: ".o_mchs_desk_entry_inspector:contains('Tour Inspector')",
        },
        {
            content: "The inspector's badge is asked for",
            trigger: ".o_mchs_scan_next:contains('Scan the badge of Tour Inspector')",
        },
        {
            trigger: ".o_mchs_desk_return:disabled",
        },
        scan(BADGE, "Scan the inspector's badge"),
        {
            content: "Receive back",
            trigger: ".o_mchs_desk_return:enabled",
            run: "click",
        },
        {
            content: "The return is written on the same row",
            trigger: ".o_mchs_desk_result:contains('Received back') .o_mchs_desk_result_row:contains('1')",
        },
        {
            trigger: ".o_mchs_desk_result_inspector:contains('Tour Inspector')",
        },
    ],
});
