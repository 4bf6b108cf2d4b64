import { registry } from "@web/core/registry";

// item 12: the chairman opens the year's destruction act, keeps one recording with a reason and
// confirms; item 13: then starts the annual audit.
registry.category("web_tour.tours").add("mchs_bodycam_commission_tour", {
    url: "/odoo/action-mchs_bodycam.mchs_bodycam_commission_action",
    steps: () => [
        {
            content: "Open the year's commission",
            trigger: ".o_data_row td[name=department_id]:contains('Unit A (test)')",
            run: "click",
        },
        {
            content: "Open a destruction act: the due recordings are proposed",
            trigger: ".o_form_view button[name=action_new_destruction]",
            run: "click",
        },
        {
            trigger: ".o_form_view div[name=line_ids] .o_data_row:nth-child(2)",
        },
        {
            content: "Keep the first recording",
            trigger: ".o_form_view div[name=line_ids] .o_data_row:first td[name=exclusion_reason]",
            run: "click",
        },
        {
            trigger: ".o_form_view div[name=line_ids] .o_selected_row td[name=exclusion_reason] input",
            run: "edit Complaint under review",
        },
        {
            trigger: ".o_form_view div[name=line_ids] .o_selected_row td[name=excluded] input",
            run: "click",
        },
        {
            content: "Save the act",
            trigger: ".o_form_view .o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_view div[name=excluded_count]:contains('1')",
        },
        {
            content: "Confirm as a member",
            trigger: ".o_form_view button[name=action_confirm]",
            run: "click",
        },
        {
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Confirming')",
        },
        {
            content: "Back to the commission",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('Unit A (test) 2026')",
            run: "click",
        },
        {
            content: "A new audit",
            trigger: ".o_form_view button[name=action_new_audit]",
            run: "click",
        },
        {
            trigger: ".o_form_view button[name=action_start]",
            run: "click",
        },
        {
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Running')",
        },
    ],
});
