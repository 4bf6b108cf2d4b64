import { registry } from "@web/core/registry";

// item 8: the responsible person installs a memory card and seals the slot, from the screens.
registry.category("web_tour.tours").add("mchs_bodycam_card_slot_tour", {
    url: "/odoo/action-mchs_bodycam.mchs_bodycam_camera_action",
    steps: () => [
        {
            content: "Open the bodycam from the kanban",
            trigger: ".o_kanban_record:contains('TOUR-BC-00001')",
            run: "click",
        },
        {
            content: "Open the card slot",
            trigger: ".o_form_view button[name=action_open_slot_wizard]",
            run: "click",
        },
        {
            content: "Choose the memory card",
            trigger: ".modal div[name=card_id] input",
            run: "edit TOUR-MC",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains('TOUR-MC-00001')",
            run: "click",
        },
        {
            content: "Enter the new seal number",
            trigger: ".modal div[name=new_seal_number] input",
            run: "edit T-SEAL-1",
        },
        {
            trigger: ".modal button[name=action_apply]",
            run: "click",
        },
        {
            content: "The form shows the new seal and the installed card",
            trigger: ".o_form_view:not(:has(.modal)) div[name=seal_number]:contains('T-SEAL-1')",
        },
        {
            trigger: ".o_form_view div[name=card_ids] td:contains('TOUR-MC-00001')",
        },
    ],
});
