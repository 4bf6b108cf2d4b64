import { registry } from "@web/core/registry";

// issue 12, point 5: each role opens the app where it works
registry.category("web_tour.tours").add("mchs_bodycam_landing_inspector_tour", {
    steps: () => [
        { content: "The inspector lands in My duty", trigger: ".o_breadcrumb:contains('My duty')" },
        { trigger: ".o_kanban_view" },
    ],
});

registry.category("web_tour.tours").add("mchs_bodycam_landing_responsible_tour", {
    steps: () => [
        { content: "The responsible person lands at the scan desk", trigger: ".o_mchs_scan_desk .o_mchs_scan_next" },
    ],
});

// issue 12, point 4: the banner of a time zone other than the unit's
registry.category("web_tour.tours").add("mchs_bodycam_tz_banner_tour", {
    steps: () => [
        {
            content: "The banner names both zones",
            trigger: ".o_mchs_tz_banner:contains('Europe/Brussels'):contains('Asia/Aqtobe')",
        },
        { content: "Use the unit's time zone", trigger: ".o_mchs_tz_banner_use", run: "click" },
        { content: "The page reloads without the banner", trigger: "body:not(:has(.o_mchs_tz_banner))" },
        { trigger: ".o_breadcrumb" },
    ],
});

registry.category("web_tour.tours").add("mchs_bodycam_no_tz_banner_tour", {
    steps: () => [
        { trigger: ".o_breadcrumb" },
        { content: "No banner in the unit's zone", trigger: "body:not(:has(.o_mchs_tz_banner))" },
    ],
});
