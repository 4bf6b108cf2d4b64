/**
 * What the scan desk's tours share: a QR scanner and the person at the desk.
 *
 * A scanner is a keyboard. It types the label's characters as key presses, then Enter, into
 * whatever has the focus; Odoo's barcode service reads them there. ``scannerTypes`` does the
 * same with keydown events on the focused element. ``counts`` keeps what the person did: scans,
 * clicks and values typed by hand, so that a tour can assert the cost of a day at the desk.
 */

export const counts = { scans: 0, clicks: 0, typed: 0 };

export function resetCounts() {
    Object.assign(counts, { scans: 0, clicks: 0, typed: 0 });
}

/** Keys of ``text`` then Enter, on the focused element, as a scanner sends them: a key that
 * lands in a text field types its character there (the browser's default action). */
export function scannerTypes(text) {
    const target = document.activeElement || document.body;
    const field = target.matches("input:not([type=checkbox]):not([type=radio]), textarea");
    for (const key of text) {
        const typed = target.dispatchEvent(new KeyboardEvent("keydown", { key, bubbles: true, cancelable: true }));
        if (typed && field) {
            target.value += key;
            target.dispatchEvent(new InputEvent("input", { data: key, bubbles: true }));
        }
    }
    target.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true }));
}

/** The desk waits for nothing (a scan is handled once the one before it is). */
export const DESK_IDLE = ".o_mchs_scan_desk:not(:has(.o_mchs_scan_next .fa-spinner))";

export function scan(keys, content) {
    return {
        content,
        trigger: DESK_IDLE,
        run() {
            counts.scans++;
            scannerTypes(keys);
        },
    };
}

export function click(trigger, content) {
    return {
        content,
        trigger,
        run(helpers) {
            counts.clicks++;
            return helpers.click();
        },
    };
}

export function type(trigger, value, content) {
    return {
        content,
        trigger,
        run(helpers) {
            counts.typed++;
            return helpers.edit(value);
        },
    };
}

export function assertCounts(expected, content) {
    return {
        content,
        trigger: DESK_IDLE,
        run() {
            const got = JSON.stringify(counts);
            if (got !== JSON.stringify(expected)) {
                throw new Error(`the desk's day took ${got}, expected ${JSON.stringify(expected)}`);
            }
        },
    };
}
