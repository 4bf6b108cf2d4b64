import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { RPCError } from "@web/core/network/rpc";
import { NcaLayerError } from "./ncalayer_service";

/**
 * Issue 13: the signing flow a document's button opens when qualified signing is on
 * (mchs.bodycam.signable.mixin._signing_action). The bytes to sign come from the server; NCALayer
 * signs them with the user's key; the server verifies the CMS as the seat holder's signature and
 * takes the step (action_sign). Whatever happens, the user is told why, and the document is shown
 * again (a refusal is in its chatter).
 */
async function mchsBodycamSign(env, action) {
    const params = action.params;
    const { notification, orm } = env.services;
    const reload = { type: "ir.actions.client", tag: "soft_reload" };
    let signature;
    try {
        signature = await env.services.mchs_bodycam_ncalayer.sign(params.data, {
            url: params.url,
            locale: params.locale,
        });
    } catch (error) {
        if (error instanceof NcaLayerError) {
            notification.add(error.message, {
                title: _t("Not signed"),
                type: error.code === "cancelled" ? "warning" : "danger",
                sticky: error.code !== "cancelled",
            });
            return;
        }
        throw error;
    }
    try {
        await orm.call(params.model, "action_sign", [[params.res_id], params.purpose, signature]);
    } catch (error) {
        if (error instanceof RPCError && error.data && error.data.message) {
            notification.add(error.data.message, {
                title: _t("The signature was refused"),
                type: "danger",
                sticky: true,
            });
            return reload;
        }
        throw error;
    }
    notification.add(_t("Signed by %(signer)s: %(title)s", { signer: params.signer, title: params.title }), {
        type: "success",
    });
    return reload;
}

registry.category("actions").add("mchs_bodycam_sign", mchsBodycamSign);
