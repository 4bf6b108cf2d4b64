import { registry } from "@web/core/registry";
import { click, scan } from "@mchs_bodycam/../tests/tours/mchs_bodycam_desk_helpers";

// The labels of TestDeskSignatureTour's unit (signed with the key "tour-secret", as the scan desk tour's).
const CAMERA = "MBC1.C.TOUR-CAM-1.BOWYWLB57TXH4YNI";
const BADGE = "MBC1.E.7700000001.2R3CWIMURKVVM5GV";

// Issue 13, the desk setting: the inspector signs the receipt (Appendix 1, column 4) at the desk
// through NCALayer (the test's stand-in), and the row is issued once the server has verified it.
registry.category("web_tour.tours").add("mchs_bodycam_desk_signature_issue_tour", {
    steps: () => [
        {
            content: "The desk waits for a scan",
            trigger: ".o_mchs_scan_desk .o_mchs_scan_next:contains('Scan the bodycam')",
        },
        scan(CAMERA, "Scan the bodycam"),
        {
            trigger: ".o_mchs_desk_camera_number:contains('TOUR-CAM-1')",
        },
        scan(BADGE, "Scan the inspector's badge"),
        {
            trigger: ".o_mchs_desk_inspector_name:contains('Tour Inspector')",
        },
        click(".o_mchs_desk_all_checked:enabled", "All checked"),
        {
            content: "Battery level",
            trigger: ".o_mchs_desk_checklist input[name=battery_level]",
            run: "edit 95",
        },
        click(".o_mchs_desk_issue:enabled", "Issue: the inspector signs in NCALayer"),
        {
            content: "Signed, verified and issued: the journal row is shown",
            trigger: ".o_mchs_desk_result:contains('Issued') .o_mchs_desk_result_row:contains('1')",
        },
    ],
});

function returnSteps() {
    return [
        {
            trigger: ".o_mchs_scan_desk .o_mchs_scan_next:contains('Scan the bodycam')",
        },
        scan(CAMERA, "Scan the bodycam that is out"),
        {
            trigger: ".o_mchs_desk_entry .o_mchs_desk_entry_row:contains('1')",
        },
        scan(BADGE, "Scan the inspector's badge"),
        click(".o_mchs_desk_return:enabled", "Receive back: the inspector signs in NCALayer"),
    ];
}

registry.category("web_tour.tours").add("mchs_bodycam_desk_signature_return_tour", {
    steps: () => [
        ...returnSteps(),
        {
            content: "Signed and verified: the return is written on the row",
            trigger: ".o_mchs_desk_received:contains('Received back') .o_mchs_desk_received_row:contains('1')",
        },
    ],
});

// the refusals, told at the desk in the user's words; the row stays out
const refusals = {
    mchs_bodycam_desk_signature_cancelled_tour: "cancelled",
    mchs_bodycam_desk_signature_refused_tour: "only its holder signs it",
};
for (const [name, text] of Object.entries(refusals)) {
    registry.category("web_tour.tours").add(name, {
        steps: () => [
            ...returnSteps(),
            {
                content: `The desk says why: ${text}`,
                trigger: `.o_mchs_scan_error:contains('${text}')`,
            },
            {
                content: "Nothing was received back",
                trigger: ".o_mchs_scan_desk:not(:has(.o_mchs_desk_received))",
            },
        ],
    });
}
