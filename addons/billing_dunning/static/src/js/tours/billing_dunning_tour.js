/** @odoo-module **/

import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_service/tour_utils";

/**
 * Run dunning and open a reminder: a run sends one reminder per late customer and charges the
 * level's fees. Steps marked "auto" only run in tests (HttpCase.start_tour), where the late
 * customer is the test's "Tour Late Payer"; a user who starts the tour opens a reminder of theirs.
 */
registry.category("web_tour.tours").add("billing_dunning_tour", {
    url: "/odoo",
    steps: () => [
        ...stepUtils.goToAppSteps("account.menu_finance", _t("Reminders are part of the Invoicing app.")),
        {
            trigger: 'button[data-menu-xmlid="account.menu_finance_receivables"]',
            content: _t("Dunning is under Customers."),
            run: "click",
        },
        {
            trigger: '.dropdown-item[data-menu-xmlid="billing_dunning.billing_dunning_run_menu"]',
            content: _t("A dunning run reminds every customer who pays late."),
            run: "click",
        },
        {
            trigger: ".o_list_view .o_list_button_add",
            content: _t("Start a run for today."),
            run: "click",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=date] input",
            content: _t("The run reminds what is overdue on this date."),
        },
        {
            trigger: ".o_form_view button[name=action_run]",
            content: _t("Run it now: reminders go out and fees are charged."),
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(Done)",
            // The server's work (a whole run, a file, a send, an import) may take a while.
            timeout: 60000,
            content: _t("The run is done."),
        },
        {
            trigger: ".o_form_view button[name=action_view_reminders]",
            content: _t("See the reminders of this run."),
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_row td:contains(Tour Late Payer)",
            content: _t("One reminder per customer: open one."),
            run: "click",
        },
        {
            isActive: ["auto"],
            trigger: ".o_form_view .o_field_widget[name=partner_id]:contains(Tour Late Payer)",
        },
        {
            trigger: ".o_form_view .o_field_widget[name=level_id]:contains(Tour first reminder)",
            content: _t("The level the customer has reached."),
        },
        {
            trigger: ".o_form_view .o_field_widget[name=line_ids] .o_data_row",
            content: _t("The overdue invoices it lists, with the fees charged."),
        },
        {
            trigger: ".o_field_widget[name=state] .o_arrow_button_current:contains(Sent)",
            content: _t("Sent by e-mail; printed letters and calls you mark as done."),
        },
    ],
});
