import { registry } from "@web/core/registry";

// Issue 13: a commission member confirms a destruction act (item 12) by signing it with their key
// through NCALayer (a stand-in started by the test, tests/ncalayer_standin.py). The test opens the
// act and logs in as each member in turn.

function confirmSteps() {
    return [
        {
            content: "Confirm the act as a member",
            trigger: ".o_form_view button[name=action_confirm]",
            run: "click",
        },
        {
            content: "Yes, the files are removed once every member has confirmed",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("mchs_bodycam_signature_tour", {
    steps: () => [
        ...confirmSteps(),
        {
            content: "NCALayer signed, the server verified: the member's confirmation is recorded",
            trigger: ".o_notification:contains('Signed by')",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:not(:contains('Review'))",
        },
        {
            content: "The signature is listed with the act",
            trigger: ".o_form_view button[name=action_view_signatures]",
        },
    ],
});

// the refusals the user is told about, each with its own words
const refusals = {
    mchs_bodycam_signature_not_running_tour: ["Not signed", "NCALayer is not running"],
    mchs_bodycam_signature_cancelled_tour: ["Not signed", "cancelled"],
    mchs_bodycam_signature_wrong_key_tour: ["Not signed", "not a signing key"],
    mchs_bodycam_signature_refused_tour: ["The signature was refused", "only its holder signs it"],
    mchs_bodycam_signature_authentication_key_tour: ["The signature was refused", "not a signing key"],
};
for (const [name, [title, text]] of Object.entries(refusals)) {
    registry.category("web_tour.tours").add(name, {
        steps: () => [
            ...confirmSteps(),
            {
                content: `The user is told: ${title}, ${text}`,
                trigger: `.o_notification:contains('${title}'):contains('${text}')`,
            },
            {
                content: "Nothing was confirmed",
                trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Review')",
            },
        ],
    });
}
