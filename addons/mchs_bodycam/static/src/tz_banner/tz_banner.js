import { Component, useState } from "@odoo/owl";
import { _t } from "@web/core/l10n/translation";
import { browser } from "@web/core/browser/browser";
import { user } from "@web/core/user";
import { useService } from "@web/core/utils/hooks";
import { session } from "@web/session";
import { WebClient } from "@web/webclient/webclient";

/**
 * A banner under the menu bar when the user's time zone is not the unit's (issue 12, point 4):
 * the screen shows times in the user's zone while the journal and its prints are the unit's
 * (item 9). One click puts the user in the unit's zone; the server sends the zones
 * (session_info: bodycam_tz_warning).
 */
export class BodycamTzBanner extends Component {
    static template = "mchs_bodycam.TzBanner";
    static props = {};

    setup() {
        this.orm = useService("orm");
        this.warning = session.bodycam_tz_warning || null;
        this.state = useState({ hidden: false });
    }

    get message() {
        return _t(
            "Your time zone (%(user)s) is not your unit's (%(unit)s): times on screen differ from the journal's.",
            { user: this.warning.user, unit: this.warning.unit }
        );
    }

    async onClickUseUnitZone() {
        // a user may write their own time zone (res.users SELF_WRITEABLE_FIELDS)
        await this.orm.write("res.users", [user.userId], { tz: this.warning.unit });
        browser.location.reload();
    }
}

// the web client shows it between the menu bar and the action (tz_banner.xml)
WebClient.components = { ...WebClient.components, BodycamTzBanner };
