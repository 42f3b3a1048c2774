from odoo.addons.billing_base.tests.apps_screenshot import AppsScreenshotCase
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestAppsScreenshot(AppsScreenshotCase):
    """The e-invoice deliveries of the demo data, as on the Apps page of the addon."""

    def test_main_screen(self):
        self._check_list_screenshot("billing_einvoice", "billing_einvoice.billing_einvoice_delivery_action")
