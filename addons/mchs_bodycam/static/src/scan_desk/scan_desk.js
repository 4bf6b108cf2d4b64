import { Component, onMounted, useExternalListener, useRef, useState } from "@odoo/owl";
import { isBarcodeScannerSupported } from "@web/core/barcode/barcode_video_scanner";
import { scanBarcode } from "@web/core/barcode/barcode_dialog";
import { _t } from "@web/core/l10n/translation";
import { RPCError } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";
import { useService } from "@web/core/utils/hooks";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";

const MODEL = "mchs.bodycam.custody";

// items 16, 15 (and 8, 17): the pre-use checklist, in the order of the server's CHECKLIST
// (desk_scan also answers it as "checklist")
const CHECKS = [
    "check_operable",
    "check_datetime",
    "check_quality",
    "check_inventory_label",
    "check_seal_intact",
    "check_placement",
    "check_badge_worn",
];

/**
 * The responsible person's scan desk (items 7, 10, 16): issue a bodycam with two scans
 * (the bodycam's label, then the inspector's badge) and one confirmation, or receive it
 * back by scanning it. A USB/Bluetooth scanner types into the always-focused input and
 * presses Enter; on phones and tablets the device's camera reads the QR label.
 */
export class ScanDesk extends Component {
    static template = "mchs_bodycam.ScanDesk";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.scanInput = useRef("scanInput");
        this.alerts = useRef("alerts");
        this.cameraScanSupported = isBarcodeScannerSupported();
        this.checkLabels = {
            check_operable: _t("Bodycam works"),
            check_datetime: _t("Date and time set"),
            check_quality: _t("Quality settings checked"),
            check_inventory_label: _t("Inventory number on the device"),
            check_seal_intact: _t("Seal intact (item 8)"),
            check_placement: _t("Worn on the chest near the shoulder (item 15)"),
            check_badge_worn: _t("Chest badge worn (item 17)"),
        };
        this.checks = CHECKS.map((key) => ({ key, label: this.checkLabels[key] }));
        this.deskTitle = _t("Scan desk");
        this.scanPlaceholder = _t("Scan a bodycam or a badge");
        this.cameraButtonTitle = _t("Scan with the camera");
        this.newLabel = _t("New");
        this.modeLabels = { issue: _t("Issue"), return: _t("Return") };
        this.texts = {
            issued: _t("Issued (item 7)"),
            received: _t("Received back (item 10)"),
            rowNumber: _t("Journal row"),
            inventoryNumbers: _t("Inventory numbers"),
            inspector: _t("Inspector"),
            bodycam: _t("Bodycam"),
            cards: _t("Memory cards"),
            noCard: _t("No memory card"),
            seal: _t("Seal"),
            noSeal: _t("Not sealed"),
            state: _t("State"),
            notAvailable: _t("Not available for issue."),
            waitingCamera: _t("Scan the bodycam's label."),
            waitingBadge: _t("Scan the inspector's badge."),
            outUnder: _t("Out under journal row"),
            returnConfirmation: _t("Return confirmed"),
            confirmedInSession: _t("In the inspector's session"),
            badgeScanned: _t("Badge scanned"),
            badgeNeeded: _t("Badge scan needed"),
            checklist: _t("Pre-use check (item 16)"),
            battery: _t("Battery (%)"),
            clockOffset: _t("Clock offset (s)"),
            clockOffsetHelp: _t("Device clock minus the real time, in seconds."),
            sealChecked: _t("Seal number on the slot"),
            issue: _t("Issue"),
            receiveBack: _t("Receive back"),
        };
        this.deviceStates = {
            available: _t("Available"),
            issued: _t("Issued"),
            repair: _t("In repair"),
            written_off: _t("Written off"),
            lost: _t("Lost"),
        };
        this.state = useState(this._initialState());
        // scans are handled one after the other, even when the scanner is faster than the server
        this.queue = Promise.resolve();
        onMounted(() => this.focusScanInput());
        // A scanner types wherever the focus is: keys typed outside a text field (e.g. right
        // after ticking a checkbox) are sent to the scan input.
        useExternalListener(window, "keydown", this.onWindowKeydown, { capture: true });
    }

    _initialState() {
        return {
            mode: "idle", // idle | issue | return | done
            camera: null, // desk_scan result of kind "camera"
            inspector: null, // desk_scan result of kind "inspector"
            checklist: this._emptyChecklist(""),
            error: "",
            result: null, // entry summary after issue or return
            resultKind: "", // issue | return
            busy: false,
        };
    }

    _emptyChecklist(sealNumber) {
        const checklist = { battery_level: "", clock_offset_seconds: 0, check_seal_number: sealNumber || "" };
        for (const key of CHECKS) {
            checklist[key] = false;
        }
        return checklist;
    }

    // ------------------------------------------------------------------ getters

    get entry() {
        return this.state.camera?.entry || null;
    }

    get needsReturnBadge() {
        return this.state.mode === "return" && !this.entry?.return_confirmed && !this.state.inspector;
    }

    get canIssue() {
        return (
            this.state.mode === "issue" &&
            this.state.camera &&
            this.state.inspector &&
            !this.cameraNotAvailable &&
            !this.state.busy
        );
    }

    get canReturn() {
        return this.state.mode === "return" && !this.needsReturnBadge && !this.state.busy;
    }

    get cameraStateLabel() {
        const camera = this.state.camera;
        return camera ? this.deviceStates[camera.state] || camera.state : "";
    }

    get cameraNotAvailable() {
        return this.state.mode === "issue" && this.state.camera && this.state.camera.state !== "available";
    }

    get nextStep() {
        const { mode, camera, inspector } = this.state;
        if (mode === "done") {
            return _t("Done. Scan the next bodycam.");
        }
        if (mode === "return") {
            if (this.needsReturnBadge) {
                return _t("Scan the badge of %s to confirm the return.", this.entry.inspector);
            }
            return _t("Press “Receive back”.");
        }
        if (!camera) {
            return _t("Scan the bodycam.");
        }
        if (this.cameraNotAvailable) {
            return _t("This bodycam cannot be issued now. Scan another one.");
        }
        if (!inspector) {
            return _t("Scan the inspector's badge.");
        }
        return _t("Complete the pre-use check, then press “Issue”.");
    }

    // ------------------------------------------------------------------ scanning

    focusScanInput() {
        this.scanInput.el?.focus();
    }

    onWindowKeydown(ev) {
        const input = this.scanInput.el;
        if (!input || ev.ctrlKey || ev.metaKey || ev.altKey || ev.key.length !== 1 || ev.key === " ") {
            return;
        }
        const active = document.activeElement;
        if (active === input || (active && active.closest(".modal"))) {
            return;
        }
        const typing =
            active &&
            (active.isContentEditable ||
                active.tagName === "TEXTAREA" ||
                active.tagName === "SELECT" ||
                (active.tagName === "INPUT" && !["checkbox", "radio", "button", "submit"].includes(active.type)));
        if (!typing) {
            input.focus();
        }
    }

    onScanKeydown(ev) {
        if (ev.key !== "Enter") {
            return;
        }
        ev.preventDefault();
        const text = ev.target.value;
        ev.target.value = "";
        this.enqueueScan(text);
    }

    async onClickCameraScan() {
        let code;
        try {
            code = await scanBarcode(this.env);
        } catch (error) {
            this.showError(error?.message || _t("The camera could not be opened."));
            return;
        }
        if (code) {
            this.enqueueScan(code);
        }
    }

    enqueueScan(text) {
        text = (text || "").trim();
        if (!text) {
            return this.queue;
        }
        this.queue = this.queue.then(() => this.handleScan(text));
        return this.queue;
    }

    async handleScan(payload) {
        this.state.error = "";
        let result;
        try {
            this.state.busy = true;
            result = await this.orm.call(MODEL, "desk_scan", [payload]);
        } catch (error) {
            this.handleRpcError(error);
            return;
        } finally {
            this.state.busy = false;
            this.focusScanInput();
        }
        if (!result.ok) {
            this.showError(result.message);
            return;
        }
        if (this.state.mode === "done") {
            Object.assign(this.state, this._initialState());
        }
        if (result.kind === "inspector") {
            this.state.inspector = result;
            return;
        }
        // a bodycam: out under an issued entry means it comes back, otherwise it goes out
        this.state.camera = result;
        this.state.checklist = this._emptyChecklist(result.seal_number);
        if (result.entry && result.entry.state === "issued") {
            if (this.state.mode !== "return") {
                // a badge scanned before the bodycam only counts if it is the holder's
                if (this.state.inspector && this.state.inspector.name !== result.entry.inspector) {
                    this.state.inspector = null;
                }
            } else {
                this.state.inspector = null;
            }
            this.state.mode = "return";
        } else {
            if (this.state.mode === "return") {
                this.state.inspector = null;
            }
            this.state.mode = "issue";
        }
    }

    // ------------------------------------------------------------------ issue and return

    _checklistValues() {
        const values = {};
        const checklist = this.state.checklist;
        for (const key of CHECKS) {
            values[key] = Boolean(checklist[key]);
        }
        values.battery_level = parseInt(checklist.battery_level, 10) || 0;
        values.clock_offset_seconds = parseInt(checklist.clock_offset_seconds, 10) || 0;
        values.check_seal_number = (checklist.check_seal_number || "").trim();
        return values;
    }

    async onClickIssue() {
        if (!this.canIssue) {
            return;
        }
        await this._confirm("issue", () =>
            this.orm.call(MODEL, "desk_issue", [
                this.state.camera.id,
                this.state.inspector.payload,
                this._checklistValues(),
            ])
        );
    }

    async onClickReturn() {
        if (!this.canReturn) {
            return;
        }
        await this._confirm("return", () =>
            this.orm.call(MODEL, "desk_return", [this.state.camera.id, this.state.inspector?.payload || false])
        );
    }

    async _confirm(kind, call) {
        this.state.error = "";
        this.state.busy = true;
        try {
            const entry = await call();
            this.state.result = entry;
            this.state.resultKind = kind;
            this.state.mode = "done";
        } catch (error) {
            this.handleRpcError(error);
        } finally {
            this.state.busy = false;
            this.focusScanInput();
        }
    }

    onClickReset() {
        Object.assign(this.state, this._initialState());
        this.focusScanInput();
    }

    // ------------------------------------------------------------------ errors

    handleRpcError(error) {
        if (error instanceof RPCError) {
            this.showError(error.data?.message || error.message);
            return;
        }
        throw error;
    }

    showError(message) {
        // shown in the alert area under the scan input (no toast: it would cover the input on
        // phones), brought into view when the refusal comes from a button lower on the screen
        this.state.error = message;
        this.focusScanInput();
        setTimeout(() => this.alerts.el?.scrollIntoView({ block: "nearest" }));
    }
}

registry.category("actions").add("mchs_bodycam.scan_desk", ScanDesk);
