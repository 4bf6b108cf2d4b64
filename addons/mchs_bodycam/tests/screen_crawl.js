/* Reads the screens of the web client as a person sees them (used by test_screen_language.py).
 *
 * Python drives: it opens a page, evaluates this file, then calls mchsCrawl.menus(),
 * mchsCrawl.visit(action, label, deep) or mchsCrawl.chrome(deep); each returns the texts a
 * person can read there: visible text nodes, placeholders, titles and tooltips. Python decides
 * which words are English. Nothing here changes data: forms opened with "New" are discarded.
 */
window.mchsCrawl = (() => {
    const env = () => odoo.__WOWL_DEBUG__.root.env;
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    const $ = (selector, root = document) => root.querySelector(selector);
    const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

    /** Waits until the client is idle: no loading indicator and no DOM change for `quiet` ms. */
    async function settle(quiet = 300, max = 20000) {
        let last = Date.now();
        const observer = new MutationObserver(() => (last = Date.now()));
        observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
        const start = Date.now();
        try {
            while (Date.now() - start < max) {
                await sleep(50);
                const busy = $(".o_loading_indicator, .o_blockUI, .o-mail-Thread-loading, .fa-spin:not(.o_ignore_spin)");
                if (!busy && Date.now() - last > quiet) {
                    return;
                }
            }
        } finally {
            observer.disconnect();
        }
    }

    function isVisible(el) {
        if (!el || !el.getClientRects().length) {
            return false;
        }
        const style = getComputedStyle(el);
        return style.visibility !== "hidden" && style.opacity !== "0";
    }

    /** Odoo draws made-up records (Latin names, lorem ipsum) faintly behind the help of an
     * empty view: decoration, not text of the product. */
    function isSample(el) {
        return Boolean(el.closest(".o_view_sample_data")) && !el.closest(".o_view_nocontent");
    }

    /** Texts readable inside `root`: text nodes of visible elements, then placeholders, titles, tooltips. */
    function collect(root = document.body) {
        const texts = [];
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const text = node.nodeValue.trim();
            const parent = node.parentElement;
            if (text && parent && !parent.closest("script, style, template") && !isSample(parent) && isVisible(parent)) {
                texts.push(text);
            }
        }
        for (const el of $$("[placeholder], [title], [data-tooltip], input[type=button], input[type=submit]", root)) {
            if (!isVisible(el) || isSample(el)) {
                continue;
            }
            for (const attr of ["placeholder", "title", "data-tooltip"]) {
                if (el.getAttribute(attr)) {
                    texts.push(el.getAttribute(attr));
                }
            }
            if (el.matches("input[type=button], input[type=submit]") && el.value) {
                texts.push(el.value);
            }
        }
        return texts;
    }

    function errors() {
        return $$(".o_error_dialog, .o_dialog .modal-body pre").map((el) => el.innerText.slice(0, 500));
    }

    async function click(el) {
        el.click();
        await settle();
    }

    async function escape() {
        document.activeElement?.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
        document.body.click();
        await settle(200);
    }

    /** Opens a dropdown toggler, reads what it shows, closes it. */
    async function readDropdown(toggler, label, out) {
        if (!toggler || !isVisible(toggler)) {
            return;
        }
        await click(toggler);
        for (const menu of $$(".o-dropdown--menu, .o_search_bar_menu, .dropdown-menu.show")) {
            out.push({ where: label, texts: collect(menu) });
        }
        await escape();
    }

    /** Reads the open dialogs and closes them (discarding what they hold). */
    async function readDialogs(label, out) {
        for (let i = 0; i < 3 && $(".modal .modal-content"); i++) {
            const modal = $(".modal .modal-content");
            out.push({ where: label, texts: collect(modal) });
            const close = $(".btn-close, .o_form_button_cancel", modal) || $(".modal-footer .btn-secondary", modal);
            if (!close) {
                break;
            }
            await click(close);
        }
    }

    /** The record's form: every notebook page and the form's own ⚙ menu. */
    async function readForm(label, out, deep = true) {
        out.push({ where: label, texts: collect($(".o_action_manager") || document.body) });
        if (!deep) {
            await readDialogs(`${label} (dialog)`, out);
            return;
        }
        await readDropdown($(".o_control_panel .o_cp_action_menus .dropdown-toggle, .o_control_panel .o_cp_action_menus button"),
            `${label} ⚙`, out);
        for (const tab of $$(".o_notebook .nav-link:not(.active)")) {
            if (isVisible(tab)) {
                await click(tab);
                out.push({ where: `${label} › ${tab.innerText.trim()}`, texts: collect($(".o_notebook .tab-content") || document.body) });
            }
        }
        await readDialogs(`${label} (dialog)`, out);
    }

    /** Opens an action and reads its view; when `deep`, also the search menus, the ⚙ menus and
     * a form (the first record, or a new one that is discarded) with every notebook page. */
    async function visit(action, label, deep = true) {
        const out = [];
        await readDialogs(`${label} (dialog)`, out);
        await env().services.action.doAction(action, { clearBreadcrumbs: true });
        await settle();
        await readDialogs(`${label} (dialog)`, out);
        out.push({ where: label, texts: collect($(".o_action_manager") || document.body) });
        if (deep) {
            await readDropdown($(".o_searchview_dropdown_toggler"), `${label} › search menus`, out);
            await readDropdown($(".o_control_panel .o_cp_action_menus .dropdown-toggle, .o_control_panel .o_cp_action_menus button"),
                `${label} ⚙`, out);
        }
        if (!deep) {
            await readDialogs(`${label} (dialog)`, out);
            return out;
        }
        const row = $(".o_data_row .o_data_cell:not(.o_list_record_selector)") ||
            $(".o_kanban_record:not(.o_kanban_ghost):not(.o_kanban_quick_create)");
        const createButton = $(".o_list_button_add, .o-kanban-button-new, .o_control_panel_main_buttons .btn-primary");
        if (row && isVisible(row)) {
            await click(row);
            if ($(".o_form_view")) {
                await readForm(`${label} › first record`, out, deep);
            } else {
                await readDialogs(`${label} › first record (dialog)`, out);
            }
        } else if ($(".o_form_view")) {
            await readForm(`${label} (form)`, out, deep);
        } else if (createButton && isVisible(createButton)) {
            await click(createButton);
            if ($(".o_form_view")) {
                await readForm(`${label} › new record`, out, deep);
                const discard = $(".o_form_button_cancel");
                if (discard) {
                    await click(discard);
                }
            }
            await readDialogs(`${label} › new record (dialog)`, out);
        }
        const problems = errors();
        if (problems.length) {
            out.push({ where: `${label} (error)`, texts: problems, error: true });
        }
        return out;
    }

    /** The entries of the menu tree the user sees under the app `appXmlid`: each leaf with an
     * action, with its path. */
    function menus(appXmlid) {
        const menuService = env().services.menu;
        const leaves = [];
        const walk = (menu, path) => {
            const here = [...path, menu.name];
            if (menu.actionID && !menu.children.length) {
                leaves.push({ id: menu.id, xmlid: menu.xmlid, path: here.join(" › "), actionID: menu.actionID });
            }
            for (const childId of menu.children) {
                walk(menuService.getMenu(childId), here);
            }
        };
        for (const app of menuService.getApps().filter((app) => app.xmlid === appXmlid)) {
            walk(menuService.getMenuAsTree(app.id), []);
        }
        return leaves;
    }

    /** What surrounds every screen: the navbar; when `deep`, also the apps menu, the systray's
     * menus, the user menu and its Preferences. */
    async function chrome(deep = true) {
        const out = [];
        out.push({ where: "navbar", texts: collect($(".o_main_navbar") || document.body) });
        if (!deep) {
            return out;
        }
        await readDropdown($(".o_navbar_apps_menu button, .o_navbar_apps_menu .dropdown-toggle"), "apps menu", out);
        await readDropdown($(".o-mail-ActivityMenu-counter")?.closest(".dropdown, .o-dropdown, button") ||
            $(".o_menu_systray .fa-clock-o")?.closest("button, .dropdown-toggle"), "activities menu", out);
        await readDropdown($(".o_menu_systray .o-mail-DiscussSystray-class, .o_menu_systray .fa-comments")?.closest("button, .dropdown-toggle"),
            "messaging menu", out);
        const userMenu = $(".o_user_menu button, .o_user_menu .dropdown-toggle");
        await readDropdown(userMenu, "user menu", out);
        if (userMenu) {
            await click(userMenu);
            const preferences = $(".o-dropdown--menu [data-menu=settings], .o-dropdown--menu [data-menu=preferences]");
            if (preferences) {
                await click(preferences);
                await readDialogs("preferences", out);
                if ($(".o_form_view")) {
                    await readForm("preferences", out);
                }
            } else {
                await escape();
            }
        }
        return out;
    }

    return { menus, visit, chrome, settle, collect };
})();
true;
