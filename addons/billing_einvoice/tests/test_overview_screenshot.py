import base64
import io
from unittest.mock import patch

from PIL import Image

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

# In the page once the overview is drawn: an error dialog or Odoo's "nothing here" help fails it.
CHECK_PAGE = """
const problem = document.querySelector(".o_error_dialog, .o_view_nocontent, .o_notification.border-danger");
const canvas = document.querySelector(".o_graph_canvas_container canvas");
if (problem) {
    console.error("The overview shows: " + problem.innerText.slice(0, 200));
} else if (!canvas || canvas.width < 200 || canvas.height < 100) {
    console.error("The overview has no graph");
} else {
    console.log("test successful");
}
"""


@tagged("post_install", "-at_install")
class TestOverviewScreenshot(HttpCase):
    """The "Getting Paid: Open Receivables" overview as Chromium draws it, saved as a screenshot
    (in Odoo's screenshots folder, prefix overview_): the test fails on an error dialog, on
    Odoo's empty-view help, on a missing graph, and on a blank picture."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.ref("base.main_company")
        partner = cls.env["res.partner"].create(
            {"name": "Overview Customer", "email": "overview@example.com"}
        )
        invoice = (
            cls.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": "2026-01-15",
                    "invoice_date_due": "2026-02-14",
                    "invoice_line_ids": [
                        Command.create({"name": "Overview", "price_unit": 500.0, "tax_ids": []})
                    ],
                }
            )
        )
        invoice.action_post()

    def _screenshot(self, path, ready):
        """Open ``path``, run CHECK_PAGE once ``ready`` holds; return the PNG taken just before
        the browser closes."""
        shots = []
        stop = ChromeBrowser.stop

        def stop_after_screenshot(browser):
            shots.append(browser.take_screenshot(prefix="overview_").result(timeout=30)["data"])
            return stop(browser)

        with patch.object(ChromeBrowser, "stop", stop_after_screenshot):
            self.browser_js(path, CHECK_PAGE, ready=ready, login="admin")
        return base64.b64decode(shots[0])

    def test_open_receivables_overview(self):
        png = self._screenshot(
            "/odoo/action-billing_einvoice.billing_einvoice_receivable_report_action",
            "!!document.querySelector('.o_action_manager .o_graph_view .o_graph_canvas_container canvas')",
        )
        image = Image.open(io.BytesIO(png)).convert("RGB")
        self.assertGreaterEqual(image.size, (800, 500))
        # A drawn page has the navbar, the control panel and the bars: many colours, not one.
        colours = image.resize((200, 120)).getcolors(maxcolors=200 * 120)
        self.assertGreater(len(colours), 50, "the screenshot is a blank page")
        white = {colour: count for count, colour in colours}.get((255, 255, 255), 0)
        self.assertLess(white, 0.9 * 200 * 120, "the screenshot is mostly empty")
