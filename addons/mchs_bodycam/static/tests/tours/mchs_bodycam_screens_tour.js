import { registry } from "@web/core/registry";

// issue 12, point 6: a row opens its form, and no inventory number is cut in the list
registry.category("web_tour.tours").add("mchs_bodycam_row_opens_form_tour", {
    steps: () => [
        {
            content: "Inventory numbers show whole",
            trigger: ".o_list_view .o_data_row",
            run() {
                const cells = document.querySelectorAll(
                    ".o_data_cell[name=camera_id], .o_data_cell[name=card_id], .o_data_cell[name=inventory_text]"
                );
                for (const cell of cells) {
                    if (cell.scrollWidth > cell.clientWidth + 1) {
                        throw new Error(`cut: "${cell.textContent}" (${cell.scrollWidth} > ${cell.clientWidth})`);
                    }
                }
            },
        },
        { content: "Open the first row", trigger: ".o_data_row:first .o_data_cell:first", run: "click" },
        { content: "Its form opens", trigger: ".o_form_view .o_form_sheet" },
    ],
});

// issue 12, point 6: the book's prints on its form
registry.category("web_tour.tours").add("mchs_bodycam_journal_print_buttons_tour", {
    steps: () => [
        { trigger: ".o_form_view .o_statusbar_buttons button:contains('Print Appendix 1 (PDF)')" },
        { trigger: ".o_form_view .o_statusbar_buttons button:contains('Appendix 1 (Excel)')" },
        { trigger: ".o_form_view:not(:has(button:contains('Appendix 2')))" },
    ],
});

// issue 12, point 7: the responsible person's chest badges
registry.category("web_tour.tours").add("mchs_bodycam_badges_tour", {
    steps: () => [
        { trigger: ".o_list_view .o_data_row .o_data_cell:contains('t.inspector')" },
        { content: "Select a person", trigger: ".o_data_row:first .o_list_record_selector input", run: "click" },
        { content: "The print button is there", trigger: ".o_control_panel button.o_mchs_print_badges" },
    ],
});
