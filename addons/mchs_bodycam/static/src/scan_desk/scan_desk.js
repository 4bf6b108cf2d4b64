import { Component, onMounted, onWillStart, useRef, useState } from "@odoo/owl";
import { isBarcodeScannerSupported } from "@web/core/barcode/barcode_video_scanner";
import { scanBarcode } from "@web/core/barcode/barcode_dialog";
import { _t } from "@web/core/l10n/translation";
import { RPCError } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";
import { useBus, useService } from "@web/core/utils/hooks";
import { standardActionServiceProps } from "@web/webclient/actions/action_service";
import { NcaLayerError } from "../signature/ncalayer_service";

const MODEL = "mchs.bodycam.custody";

/**
 * The responsible person's scan desk (items 5, 7, 10, 16), through a whole working day:
 * issue a bodycam with two scans (its label, the inspector's badge), the pre-use check and one
 * confirmation; take it back with a scan, the inspector's badge and one confirmation; then,
 * once the dock has stored its recordings, wipe its cards with one click, and it is available
 * again. A USB/Bluetooth scanner types its keys wherever the focus is and Odoo's barcode
 * service reads them; the input takes a number typed by hand; on phones and tablets the
 * device's camera reads the QR label. What the server defines (the checklist, labels, states)
 * comes from the server; every text of the desk is in its template.
 */
export class ScanDesk extends Component {
    static template = "mchs_bodycam.ScanDesk";
    static props = { ...standardActionServiceProps };

    setup() {
        this.orm = useService("orm");
        this.ncalayer = useService("mchs_bodycam_ncalayer");
        this.root = useRef("root");
        this.alerts = useRef("alerts");
        this.cameraScanSupported = isBarcodeScannerSupported();
        this.state = useState(this._initialState());
        // scans are handled one after the other, even when the scanner is faster than the server
        this.queue = Promise.resolve();
        useBus(useService("barcode").bus, "barcode_scanned", (ev) => this.enqueueScan(ev.detail.barcode));
        onWillStart(async () => {
            // item 16's checklist, the labels of the measured values and the states' names
            this.setupData = await this.orm.call(MODEL, "desk_setup", []);
        });
        onMounted(() => this.focusDesk());
    }

    _initialState() {
        return {
            mode: "idle", // idle | issue | return | wipe | done
            camera: null, // desk_scan result of kind "camera"
            inspector: null, // desk_scan result of kind "inspector"
            checklist: this._emptyChecklist(""),
            error: "",
            result: null, // the row after an issue, or the bodycam after its wipe
            resultKind: "", // issue | wipe
            received: null, // the row just received back, shown above its download and wipe
            busy: false,
            signing: "", // the inspector signing in NCALayer now (issue 13)
        };
    }

    _emptyChecklist(sealNumber) {
        const checklist = { battery_level: "", clock_offset_seconds: 0, check_seal_number: sealNumber || "" };
        for (const check of this.setupData?.checklist || []) {
            checklist[check.key] = false;
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

    get cameraNotAvailable() {
        return this.state.mode === "issue" && this.state.camera && this.state.camera.state !== "available";
    }

    get cameraStateLabel() {
        const camera = this.state.camera;
        return camera ? this.setupData.device_states[camera.state] || camera.state : "";
    }

    /** Labels of the checklist items not ticked yet (item 16). */
    get uncheckedLabels() {
        return this.setupData.checklist.filter((check) => !this.state.checklist[check.key]).map((c) => c.label);
    }

    get allChecked() {
        return this.uncheckedLabels.length === 0;
    }

    get batteryLevel() {
        const text = String(this.state.checklist.battery_level).trim();
        return /^\d{1,3}$/.test(text) ? parseInt(text, 10) : null;
    }

    get batteryTooLow() {
        const level = this.batteryLevel;
        return level === null || level < this.state.camera.min_battery || level > 100;
    }

    get sealMismatch() {
        return (this.state.checklist.check_seal_number || "").trim() !== this.state.camera.seal_number;
    }

    /** The pre-use check as the server will check it (items 8, 16), so that Issue waits for it. */
    get checksValid() {
        return this.allChecked && !this.batteryTooLow && !this.sealMismatch;
    }

    // sentences with a value in them: whole sentences for the translators

    get batteryHint() {
        return _t("Battery: enter its level, at least %s.", `${this.state.camera.min_battery}%`);
    }

    get sealHint() {
        return _t("Seal: the number on the slot is not the recorded seal %s.", this.state.camera.seal_number || "-");
    }

    get returnBadgeStep() {
        return _t("Scan the badge of %s to confirm the return.", this.entry.inspector);
    }

    get signingStep() {
        return _t("%s signs in NCALayer with their signing key.", this.state.signing);
    }

    get recordingsTitle() {
        return _t("Recordings of row № %s", this.entry.row_number);
    }

    get canIssue() {
        return (
            this.state.mode === "issue" &&
            this.state.camera &&
            this.state.inspector &&
            !this.cameraNotAvailable &&
            this.checksValid &&
            !this.state.busy
        );
    }

    get canReturn() {
        return this.state.mode === "return" && !this.needsReturnBadge && !this.state.busy;
    }

    get canWipe() {
        const entry = this.entry;
        return (
            this.state.mode === "wipe" &&
            entry &&
            (entry.recordings.length > 0 || entry.state === "downloaded") &&
            !this.state.busy
        );
    }

    // ------------------------------------------------------------------ scanning

    /** The focus on the desk itself, out of any field: a scanner's keys go to the barcode service. */
    focusDesk() {
        const active = document.activeElement;
        if (!active || !this.root.el?.contains(active) || active.tagName === "BUTTON" || active.type === "checkbox") {
            this.root.el?.focus({ preventScroll: true });
        }
    }

    /** A number typed by hand (or a scanner typing into the field) ends with Enter. */
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
            this.showError(error?.message || String(error));
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
        }
        if (!result.ok) {
            this.showError(result.message);
            return;
        }
        if (this.state.mode === "done" || (this.state.mode === "wipe" && result.kind === "inspector")) {
            // the next person at the desk
            Object.assign(this.state, this._initialState());
        }
        if (result.kind === "inspector") {
            this.state.inspector = result;
            return;
        }
        this._showCamera(result);
    }

    /** A bodycam: out under an issued row comes back, a returned row goes on to its download
     * and wipe, anything else goes out. */
    _showCamera(camera) {
        const previousMode = this.state.mode;
        const sameCamera = this.state.camera?.id === camera.id;
        const entryState = camera.entry?.state;
        let mode = "issue";
        if (entryState === "issued") {
            mode = "return";
        } else if (entryState === "returned" || entryState === "downloaded") {
            mode = "wipe";
        }
        // a badge scanned before the bodycam counts: for an issue, and for a return if it is
        // the holder's (people are matched by id)
        const inspector = this.state.inspector;
        const keepInspector =
            (mode === "issue" && ["idle", "issue"].includes(previousMode)) ||
            (mode === "return" && inspector?.id === camera.entry.inspector_id);
        if (!keepInspector) {
            this.state.inspector = null;
        }
        if (!(mode === "wipe" && sameCamera)) {
            this.state.received = null;
        }
        if (!(mode === "issue" && previousMode === "issue" && sameCamera)) {
            this.state.checklist = this._emptyChecklist(camera.seal_number);
        }
        this.state.camera = camera;
        this.state.mode = mode;
    }

    // ------------------------------------------------------------------ the pre-use check

    onClickAllChecked() {
        for (const check of this.setupData.checklist) {
            this.state.checklist[check.key] = true;
        }
        this.state.error = "";
    }

    /** A refusal of the server no longer holds once the check it named is changed. */
    onChecklistInput() {
        this.state.error = "";
    }

    _checklistValues() {
        const values = {};
        const checklist = this.state.checklist;
        for (const check of this.setupData.checklist) {
            values[check.key] = Boolean(checklist[check.key]);
        }
        values.battery_level = this.batteryLevel || 0;
        values.clock_offset_seconds = parseInt(checklist.clock_offset_seconds, 10) || 0;
        values.check_seal_number = (checklist.check_seal_number || "").trim();
        return values;
    }

    // ------------------------------------------------------------------ issue, return, wipe

    async onClickIssue() {
        if (!this.canIssue) {
            return;
        }
        const args = [this.state.camera.id, this.state.inspector.payload, this._checklistValues()];
        const entry = await this._call(() => this._signedStep("desk_issue", args));
        if (entry) {
            Object.assign(this.state, { result: entry, resultKind: "issue", mode: "done" });
        }
    }

    async onClickReturn() {
        if (!this.canReturn) {
            return;
        }
        const args = [this.state.camera.id, this.state.inspector?.payload || false];
        const entry = await this._call(() => this._signedStep("desk_return", args));
        if (entry) {
            // the desk goes on to the same row's download and wipe (items 5, 10)
            this.state.received = entry;
            this.state.camera = { ...this.state.camera, entry };
            this.state.inspector = null;
            this.state.mode = "wipe";
        }
    }

    async onClickWipe() {
        if (!this.canWipe) {
            return;
        }
        const camera = await this._call(() => this.orm.call(MODEL, "desk_wipe", [this.state.camera.id]));
        if (camera) {
            Object.assign(this.state, { result: camera, resultKind: "wipe", mode: "done", camera, received: null });
        }
    }

    /**
     * A desk step. When the company has inspectors sign at the desk (issue 13), the server answers
     * with the bytes of the step to sign: the inspector signs them with their key through
     * NCALayer, and the step is sent again with the signature. A cancel or a NCALayer error is
     * told at the desk, and nothing is written.
     */
    async _signedStep(method, args) {
        const result = await this.orm.call(MODEL, method, args);
        if (!result?.sign) {
            return result;
        }
        const request = result.sign;
        this.state.signing = request.signer;
        let signature;
        try {
            signature = await this.ncalayer.sign(request.data, { url: request.url, locale: request.locale });
        } catch (error) {
            if (error instanceof NcaLayerError) {
                this.showError(error.message);
                return null;
            }
            throw error;
        } finally {
            this.state.signing = "";
        }
        return this.orm.call(MODEL, method, [...args, signature, request.moment]);
    }

    async _call(call) {
        this.state.error = "";
        this.state.busy = true;
        try {
            return await call();
        } catch (error) {
            this.handleRpcError(error);
            return null;
        } finally {
            this.state.busy = false;
            this.focusDesk();
        }
    }

    onClickReset() {
        Object.assign(this.state, this._initialState());
        this.focusDesk();
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
        this.focusDesk();
        setTimeout(() => this.alerts.el?.scrollIntoView({ block: "nearest" }));
    }
}

registry.category("actions").add("mchs_bodycam.scan_desk", ScanDesk);
