from odoo.addons.billing_base.tests.apps_screenshot import AppsScreenshotCase
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestAppsScreenshot(AppsScreenshotCase):
    """The direct-debit batches of the demo data, as on the Apps page of the addon."""

    def test_main_screen(self):
        self._check_list_screenshot("billing_sepa", "billing_sepa.billing_sepa_batch_action")
