import base64
import io
from unittest.mock import patch

from PIL import Image

from odoo.tests import HttpCase, tagged
from odoo.tests.common import ChromeBrowser

# Once the cards are drawn: an error dialog, Odoo's "nothing here" help or a card without its
# headline figure fails the test.
CHECK_PAGE = """
const problem = document.querySelector(".o_error_dialog, .o_view_nocontent, .o_notification.border-danger");
const cards = document.querySelectorAll(".o_billing_overview_kanban .o_kanban_record:not(.o_kanban_ghost)");
const figures = document.querySelectorAll(".o_billing_overview_kanban .o_billing_overview_figure");
if (problem) {
    console.error("The overview shows: " + problem.innerText.slice(0, 200));
} else if (!cards.length || figures.length !== cards.length) {
    console.error(`The overview has ${cards.length} cards and ${figures.length} figures`);
} else if ([...figures].some((figure) => !figure.innerText.trim())) {
    console.error("A card of the overview has no figure");
} else {
    console.log("test successful");
}
"""


@tagged("post_install", "-at_install")
class TestOverviewScreenshot(HttpCase):
    """Invoicing > Getting Paid > Overview as Chromium draws it for the admin with all of the
    admin's companies selected (on the demo data: every story of the suite), saved as a
    screenshot (in Odoo's screenshots folder, prefix getting_paid_): the test fails on an error
    dialog, on Odoo's empty-view help, on a card without its figure and on a blank picture."""

    def test_overview_kanban(self):
        admin = self.env.ref("base.user_admin")
        companies = admin.company_id | admin.company_ids
        cids = "-".join(str(company_id) for company_id in companies.ids)
        shots = []
        stop = ChromeBrowser.stop

        def stop_after_screenshot(browser):
            shots.append(browser.take_screenshot(prefix="getting_paid_").result(timeout=30)["data"])
            return stop(browser)

        with patch.object(ChromeBrowser, "stop", stop_after_screenshot):
            self.browser_js(
                f"/odoo/action-billing_base.billing_overview_card_action?cids={cids}",
                CHECK_PAGE,
                ready="!!document.querySelector('.o_billing_overview_kanban .o_billing_overview_figure')",
                login="admin",
            )
        image = Image.open(io.BytesIO(base64.b64decode(shots[0]))).convert("RGB")
        self.assertGreaterEqual(image.size, (800, 500))
        colours = image.resize((200, 120)).getcolors(maxcolors=200 * 120)
        self.assertGreater(len(colours), 30, "the screenshot is a blank page")
