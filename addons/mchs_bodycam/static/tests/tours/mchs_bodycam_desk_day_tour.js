import { registry } from "@web/core/registry";
import {
    assertCounts,
    click,
    DESK_IDLE,
    resetCounts,
    scan,
    type,
} from "@mchs_bodycam/../tests/tours/mchs_bodycam_desk_helpers";

// Payloads signed with the key "tour-secret" that TestDeskDayTour sets on the database.
const CAMERA = "MBC1.C.DAY-CAM-1.DG6QL7C76F4S25QA";
const BADGE_A = "MBC1.E.7700000011.ZKCGPA5VCO7B5SUN";
const BADGE_B = "MBC1.E.7700000012.4RBSVB2Z4JN4UM5Z";
// the dock's token (TestDeskDayTour.DOCK_TOKEN)
const DOCK_TOKEN = "day-dock-token-0123456789";
// what a person does at the desk in this day: scans, clicks and values typed by hand
export const DESK_DAY = { scans: 7, clicks: 6, typed: 2 };

const moments = {};

function utc(date) {
    return date.toISOString().slice(0, 19).replace("T", " ");
}

// items 5, 7, 10, 11, 16: a working day of one bodycam at the desk. Morning: issued to
// inspector A. Evening: received back; the dock stores its recording while it charges; the
// cards are wiped and it is available; it goes out again to inspector B. Each step is what the
// responsible person does, counted.
registry.category("web_tour.tours").add("mchs_bodycam_desk_day_tour", {
    url: "/odoo/action-mchs_bodycam.mchs_bodycam_scan_desk_action",
    steps: () => [
        {
            content: "The desk waits for a scan",
            trigger: ".o_mchs_scan_next:contains('Scan the bodycam')",
            run: resetCounts,
        },
        // morning: the issue
        scan(CAMERA, "Scan the bodycam"),
        { trigger: ".o_mchs_desk_camera_number:contains('DAY-CAM-1')" },
        scan(BADGE_A, "Scan inspector A's badge"),
        { trigger: ".o_mchs_desk_inspector_name:contains('Day Inspector A')" },
        click(".o_mchs_desk_all_checked", "All checked"),
        type(".o_mchs_desk_checklist input[name=battery_level]", "95", "Battery level"),
        click(".o_mchs_desk_issue:enabled", "Issue"),
        {
            content: "Row 1 is written",
            trigger: ".o_mchs_desk_result:contains('Issued') .o_mchs_desk_result_row:contains('1')",
            run() {
                moments.issued = new Date();
            },
        },
        // evening: the return, then the download and the wipe of the same row
        scan(CAMERA, "Scan the bodycam that comes back"),
        { trigger: ".o_mchs_scan_next:contains('Scan the badge of Day Inspector A')" },
        scan(BADGE_A, "Inspector A scans their badge"),
        click(".o_mchs_desk_return:enabled", "Receive back"),
        {
            content: "Received back, and the desk waits for the recordings",
            trigger: ".o_mchs_desk_received:contains('Received back') .o_mchs_desk_received_row:contains('1')",
            run() {
                moments.returned = new Date();
            },
        },
        { trigger: ".o_mchs_desk_download .o_mchs_desk_no_recordings" },
        { trigger: ".o_mchs_desk_wipe:disabled" },
        {
            content: "The bodycam charges in its dock, which stores the duty's recording (item 11)",
            trigger: DESK_IDLE,
            async run() {
                const video = await (await fetch("/mchs_bodycam/static/demo/bodycam_demo.mp4")).arrayBuffer();
                const query = new URLSearchParams({
                    camera: "DAY-CAM-1",
                    card: "DAY-MC-1",
                    start: utc(moments.issued),
                    end: utc(moments.returned),
                    filename: "DAY_0001.mp4",
                });
                const answer = await fetch(`/mchs_bodycam/dock/v1/recordings?${query}`, {
                    method: "POST",
                    headers: { Authorization: `Bearer ${DOCK_TOKEN}` },
                    body: video,
                });
                if (answer.status !== 201) {
                    throw new Error(`the dock's upload was refused: ${answer.status} ${await answer.text()}`);
                }
            },
        },
        scan(CAMERA, "Take the bodycam out of the dock and scan it"),
        {
            content: "The recording is stored twice and column 6 is filled by the dock",
            trigger: ".o_mchs_desk_download .o_mchs_desk_recording:contains('DAY_0001.mp4')",
        },
        { trigger: ".o_mchs_desk_download_time:not(:contains('Not yet'))" },
        click(".o_mchs_desk_wipe:enabled", "Cards wiped"),
        {
            content: "The row is closed and the bodycam is available",
            trigger: ".o_mchs_desk_result:contains('Cards wiped') .o_mchs_desk_result_state:contains('Available')",
        },
        { trigger: ".o_mchs_desk_result_row:contains('1')" },
        // the same bodycam goes out again, to inspector B
        scan(CAMERA, "Scan the bodycam"),
        { trigger: ".o_mchs_desk_camera_state:contains('Available')" },
        scan(BADGE_B, "Scan inspector B's badge"),
        { trigger: ".o_mchs_desk_inspector_name:contains('Day Inspector B')" },
        click(".o_mchs_desk_all_checked", "All checked"),
        type(".o_mchs_desk_checklist input[name=battery_level]", "90", "Battery level"),
        click(".o_mchs_desk_issue:enabled", "Issue"),
        {
            content: "Row 2 is written for inspector B",
            trigger: ".o_mchs_desk_result:contains('Issued') .o_mchs_desk_result_row:contains('2')",
        },
        { trigger: ".o_mchs_desk_result_inspector:contains('Day Inspector B')" },
        assertCounts(DESK_DAY, "The day took 7 scans, 6 clicks and 2 typed values"),
    ],
});
