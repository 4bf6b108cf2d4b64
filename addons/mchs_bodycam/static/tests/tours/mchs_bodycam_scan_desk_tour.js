import { registry } from "@web/core/registry";
import { click, scan } from "@mchs_bodycam/../tests/tours/mchs_bodycam_desk_helpers";

// Payloads signed with the key "tour-secret" that TestScanDeskTour sets on the database.
const CAMERA = "MBC1.C.TOUR-CAM-1.BOWYWLB57TXH4YNI";
const CARD = "MBC1.M.TOUR-MC-1.HATW2O7EXDHR3P4A";
const BADGE = "MBC1.E.7700000001.2R3CWIMURKVVM5GV";
const FORGED = "MBC1.C.TOUR-CAM-1.AAAAAAAAAAAAAAAA";

// items 7, 10, 16: issue a bodycam with two scans and one confirmation, then receive it back.
// The checklist's items and labels are the server's (desk_setup): the tour ticks what it shows.
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
        {
            content: "A label typed by hand into the field (here the memory card's) is read on Enter",
            trigger: ".o_mchs_scan_desk input.o_mchs_scan_input",
            run: `edit ${CARD} && press Enter`,
        },
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
            content: "Without the pre-use check, Issue waits and the failed checks are named, no traceback",
            trigger: ".o_mchs_desk_issue:disabled",
        },
        {
            trigger: ".o_mchs_desk_check_hint:contains('Bodycam works'):contains('Chest badge worn')",
        },
        {
            trigger: "body:not(:has(.o_error_dialog))",
        },
        {
            content: "Tick one check by hand",
            trigger: ".o_mchs_desk_checklist input[name=check_operable]",
            run: "check",
        },
        {
            trigger: ".o_mchs_desk_check_hint:not(:contains('Bodycam works')):contains('Chest badge worn')",
        },
        click(".o_mchs_desk_all_checked:enabled", "All checked: the list stays in view, every box ticked"),
        {
            trigger: ".o_mchs_desk_checklist:not(:has(input[type=checkbox]:not(:checked)))",
        },
        {
            content: "The battery is still to be entered",
            trigger: ".o_mchs_desk_issue:disabled",
        },
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
        click(".o_mchs_desk_issue:enabled", "Issue"),
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
        click(".o_mchs_scan_reset", "Start over"),
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
        click(".o_mchs_desk_return:enabled", "Receive back"),
        {
            content: "The return is written on the same row",
            trigger: ".o_mchs_desk_received:contains('Received back') .o_mchs_desk_received_row:contains('1')",
        },
        {
            trigger: ".o_mchs_desk_received_inspector:contains('Tour Inspector')",
        },
        {
            content: "The desk goes on to the download: nothing stored yet, so the cards are not wiped",
            trigger: ".o_mchs_desk_download .o_mchs_desk_no_recordings",
        },
        {
            trigger: ".o_mchs_desk_wipe:disabled",
        },
    ],
});
