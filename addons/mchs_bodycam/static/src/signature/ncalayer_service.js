import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";

/**
 * Issue 13: signing in the browser through NCALayer, the desktop program of NCA RK that signs
 * with the user's key. The page opens NCALayer's WebSocket (wss://127.0.0.1:13579 unless the
 * settings say otherwise), skips its first frame {"result": {"version": ...}}, and asks
 * kz.gov.pki.knca.basics.sign for a detached CMS over the bytes, with a timestamp and a signing
 * key (EKU 1.3.6.1.5.5.7.3.4). An NCALayer without the basics module is asked through the legacy
 * kz.gov.pki.knca.commonUtils.createCAdESFromBase64 instead.
 */

const BASICS = "kz.gov.pki.knca.basics";
const COMMON_UTILS = "kz.gov.pki.knca.commonUtils";
const SIGNING_EKU = "1.3.6.1.5.5.7.3.4";
const CONNECT_TIMEOUT = 10000;

export class NcaLayerError extends Error {
    /**
     * @param {"not_running"|"cancelled"|"wrong_key"|"failed"} code
     * @param {string} message translated, for the user
     */
    constructor(code, message) {
        super(message);
        this.name = "NcaLayerError";
        this.code = code;
    }
}

function notRunning(url) {
    return new NcaLayerError(
        "not_running",
        _t(
            "NCALayer is not running on this computer (it is expected at %(url)s). Start NCALayer, or install it from pki.gov.kz, then sign again.",
            { url }
        )
    );
}

function cancelled() {
    return new NcaLayerError("cancelled", _t("Signing was cancelled in NCALayer: nothing was signed."));
}

function refusedBy(code, message) {
    if (/EKU|KEY_?USAGE|KEYUSAGE|NO_KEY/i.test(`${code || ""} ${message || ""}`)) {
        return new NcaLayerError(
            "wrong_key",
            _t(
                "The chosen key is not a signing key: choose your signing key (RSA or GOST, for signing), not the authentication key."
            )
        );
    }
    return new NcaLayerError(
        "failed",
        _t("NCALayer could not sign: %(reason)s", { reason: [code, message].filter(Boolean).join(": ") })
    );
}

/**
 * One conversation with NCALayer: connect, skip its version frame, then one request and its
 * answer per call of `ask`.
 */
class NcaLayerConnection {
    constructor(url) {
        this.url = url;
        this.socket = null;
        this.pending = null;
        this.version = null;
    }

    open() {
        return new Promise((resolve, reject) => {
            let socket;
            try {
                socket = new WebSocket(this.url);
            } catch {
                reject(notRunning(this.url));
                return;
            }
            this.socket = socket;
            const timer = setTimeout(() => {
                socket.close();
                reject(notRunning(this.url));
            }, CONNECT_TIMEOUT);
            let greeted = false;
            socket.onerror = () => {
                clearTimeout(timer);
                if (!greeted) {
                    reject(notRunning(this.url));
                }
            };
            socket.onclose = () => {
                clearTimeout(timer);
                if (!greeted) {
                    reject(notRunning(this.url));
                } else if (this.pending) {
                    const { reject: rejectPending } = this.pending;
                    this.pending = null;
                    rejectPending(new NcaLayerError("failed", _t("NCALayer closed the connection.")));
                }
            };
            socket.onmessage = (event) => {
                let message;
                try {
                    message = JSON.parse(event.data);
                } catch {
                    message = {};
                }
                if (!greeted) {
                    greeted = true;
                    clearTimeout(timer);
                    // NCALayer speaks first: {"result": {"version": "1.4"}}
                    if (message.result && message.result.version) {
                        this.version = message.result.version;
                        resolve(this);
                        return;
                    }
                    resolve(this);
                    // not a greeting: it may already be an answer to nobody; ignore it
                    return;
                }
                if (this.pending) {
                    const { resolve: resolvePending } = this.pending;
                    this.pending = null;
                    resolvePending(message);
                }
            };
        });
    }

    ask(request) {
        return new Promise((resolve, reject) => {
            this.pending = { resolve, reject };
            this.socket.send(JSON.stringify(request));
        });
    }

    close() {
        if (this.socket) {
            this.socket.onclose = null;
            this.socket.close();
        }
    }
}

function isMissingModule(answer) {
    // an NCALayer without the basics module (or an older one) answers in the legacy shape, or
    // says the module or method is unknown
    if (!answer || typeof answer !== "object") {
        return true;
    }
    if (!("status" in answer)) {
        return true;
    }
    return (
        answer.status === false &&
        /MODULE|METHOD|NOT_FOUND|UNKNOWN/i.test(`${answer.code || ""}`) &&
        !/EKU|KEY/i.test(`${answer.code || ""}`)
    );
}

async function signWithBasics(connection, data, locale) {
    const answer = await connection.ask({
        module: BASICS,
        method: "sign",
        args: {
            allowedStorages: null,
            format: "cms",
            data,
            signingParams: { decode: true, encapsulate: false, digested: false, tsaProfile: {} },
            signerParams: { extKeyUsageOids: [SIGNING_EKU], chain: null },
            locale,
        },
    });
    if (isMissingModule(answer)) {
        return null;
    }
    if (answer.status === true) {
        const result = answer.body && answer.body.result;
        if (!result || !result.length) {
            throw cancelled();
        }
        return Array.isArray(result) ? result[0] : result;
    }
    throw refusedBy(answer.code, answer.message);
}

async function signWithCommonUtils(connection, data) {
    const answer = await connection.ask({
        module: COMMON_UTILS,
        method: "createCAdESFromBase64",
        args: ["PKCS12", "SIGNATURE", data, false],
    });
    if (answer && String(answer.code) === "200" && answer.responseObject) {
        return answer.responseObject;
    }
    if (answer && /action\.canceled/i.test(`${answer.message || ""}`)) {
        throw cancelled();
    }
    throw refusedBy(answer && answer.code, answer && answer.message);
}

export const ncalayerService = {
    start() {
        return {
            /**
             * Sign `data` (base64) with the user's key in NCALayer: the base64 of a detached CMS.
             *
             * @param {string} data base64 of the bytes to sign
             * @param {{url: string, locale: string}} options
             * @returns {Promise<string>}
             * @throws {NcaLayerError}
             */
            async sign(data, { url, locale }) {
                const connection = await new NcaLayerConnection(url).open();
                try {
                    const signature = await signWithBasics(connection, data, locale || "kk");
                    if (signature) {
                        return signature;
                    }
                    return await signWithCommonUtils(connection, data);
                } finally {
                    connection.close();
                }
            },
        };
    },
};

registry.category("services").add("mchs_bodycam_ncalayer", ncalayerService);
