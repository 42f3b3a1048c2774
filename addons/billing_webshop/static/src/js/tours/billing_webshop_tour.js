/** @odoo-module **/

import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * Import a shop order: every order the shop reports (webhook, polling or the API) waits as an
 * event until it is imported as customer, confirmed order, invoice and payment. Steps marked
 * "auto" only run in tests (HttpCase.start_tour), where the order is one of the test's "Tour
 * Shop"; a user who starts the tour opens an event of their own shop.
 */
registry.category("web_tour.tours").add("billing_webshop_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("billing_webshop.billing_webshop_menu_root", _t("Your shops' orders arrive in the Webshop app.")),
        {
            trigger: '.o_menu_sections [data-menu-xmlid="billing_webshop.billing_webshop_event_menu"]',
            content: _t("Every order the shop reports arrives here as an event."),
            run: "click",
        },
        {
            trigger: ".o_searchview_facet:contains(Errors) .o_facet_remove",
            content: _t("The list opens on the events in error; remove the filter to see every event."),
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row:contains(Tour Shop) td[name=external_id]",
            content: _t("Open an order that waits to be imported."),
            run: "click",
        },
        {
            trigger: ".o_form_view button[name=action_process_now]",
            content: _t("Import it now instead of waiting for the next scheduled run."),
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(Done)",
            // The server's work (a whole run, a file, a send, an import) may take a while.
            timeout: 60000,
            content: _t("Imported: customer, confirmed order, invoice and payment."),
        },
        {
            trigger: ".o_form_view button[name=action_open_sale_order]",
            content: _t("Open the sales order made from it."),
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=partner_id]:contains(Bakker)",
            content: _t("The shop's customer, found or created."),
        },
        {
            trigger: ".o_form_view .o_field_widget[name=state] .o_arrow_button_current:contains(Sales Order)",
            content: _t("The order is confirmed, for the shop's total to the cent."),
        },
        {
            trigger: ".o_form_view button[name=action_view_invoice]",
            content: _t("Its invoice, paid when the shop was paid."),
        },
    ],
});
