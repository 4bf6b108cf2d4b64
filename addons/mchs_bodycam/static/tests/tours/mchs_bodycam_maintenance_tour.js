import { registry } from "@web/core/registry";

// issue 14, point 4: the Maintenance app shows a bodycam's unit and holder (its equipment's
// department and employee).
registry.category("web_tour.tours").add("mchs_bodycam_maintenance_tour", {
    url: "/odoo/action-maintenance.hr_equipment_action",
    steps: () => [
        {
            content: "The kanban card names the holder",
            trigger: ".o_kanban_record:contains('MNT-BC-00001'):contains('Inspector of the tour')",
        },
        {
            content: "Switch to the list",
            trigger: ".o_switch_view.o_list",
            run: "click",
        },
        {
            content: "The list shows the unit and the holder",
            trigger: ".o_data_row:contains('MNT-BC-00001'):has(td[name=department_id]:contains('Unit MNT')):has(td[name=employee_id]:contains('Inspector of the tour'))",
        },
        {
            trigger: ".o_data_row:contains('MNT-BC-00001') td[name=name]",
            run: "click",
        },
        {
            content: "The form shows the unit and the holder",
            trigger: ".o_form_view div[name=department_id] input:value('Unit MNT')",
        },
        {
            trigger: ".o_form_view div[name=employee_id] input:value('Inspector of the tour')",
        },
    ],
});
