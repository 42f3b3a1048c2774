import base64
from unittest import mock

from lxml import etree

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..finvoice import sender_info
from ..finvoice.transport import TransportError, TransportResult


@tagged("post_install", "-at_install")
class TestSenderInfo(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company_data["company"]
        company.company_registry = "1234567-1"
        bic = cls.env["res.bank"].create({"name": "OP", "bic": "OKOYFIHH"})
        cls.account = cls.env["res.partner.bank"].create(
            {"acc_number": "FI4950009420028730", "partner_id": company.partner_id.id, "bank_id": bic.id}
        )
        cls.banks = cls.env["billing.einvoice.bank"].search([])
        cls.subject = cls.env["billing.einvoice.billing.subject"].create(
            {
                "name": "Sähkölaskut",
                "name_sv": "Elräkningar",
                "name_en": "Electricity bills",
                "code": "ELECTRICITY",
                "sender_info_identifier": "SUBJ-SI-001",
                "einvoice_address": "FI4950009420028730",
                "einvoice_intermediator": "OKOYFIHH",
                "bank_account_ids": [(6, 0, cls.account.ids)],
                "identifier_type": "both",
                "direct_payment_identifier": "SM123",
                "free_text": "Tilaa e-lasku verkkopankista.",
                "proposed_due_date_accepted": True,
                "company_id": company.id,
            }
        )

    def _message(self, log):
        data = base64.b64decode(log.file)
        start = data.index(b"<?xml", 1)
        return etree.fromstring(data[start:])

    def test_bank_list_is_data(self):
        self.assertIn("NDEAFIHH", self.banks.mapped("bic"))
        self.assertGreaterEqual(len(self.banks), 10)

    def test_add_one_message_per_bank(self):
        log_ids = self.subject.action_send_add()
        logs = self.env["billing.einvoice.sender.info.log"].browse(log_ids)
        self.assertEqual(logs.bank_id, self.banks)
        self.assertEqual(set(logs.mapped("state")), {"ready"})
        self.assertEqual(len(set(logs.mapped("message_identifier"))), len(self.banks))
        self.assertEqual(self.subject.state, "announced")
        log = logs.filtered(lambda log: log.bank_id.bic == "NDEAFIHH")
        data = base64.b64decode(log.file)
        self.assertIn(b"<eb:PartyId>NDEAFIHH</eb:PartyId>", data)
        root = self._message(log)
        self.assertEqual(root.tag, "FinvoiceSenderInfo")
        self.assertEqual(root.findtext("MessageDetails/MessageActionCode"), "ADD")
        self.assertEqual(root.findtext("MessageDetails/SenderInfoIdentifier"), "SUBJ-SI-001")
        self.assertEqual(root.findtext("SellerPartyDetails/SellerPartyIdentifier"), "1234567-1")
        names = {
            element.get("LanguageCode"): element.findtext("SellerOrganisationName")
            for element in root.findall("SellerPartyDetails/SellerOrganisationNames")
        }
        self.assertEqual(names, {"FI": "Sähkölaskut", "SV": "Elräkningar", "EN": "Electricity bills"})
        self.assertEqual(root.findtext("SellerAccountDetails/SellerAccountID"), "FI4950009420028730")
        self.assertEqual(root.findtext("SellerAccountDetails/SellerBic"), "OKOYFIHH")
        self.assertEqual(root.findtext("SellerInvoiceDetails/PaymentInstructionIdentifier"), "ELECTRICITY")
        self.assertEqual(root.findtext("SellerInvoiceDetails/SellerDirectPaymentIdentifier"), "SM123")
        self.assertEqual(root.findtext("SellerInvoiceDetails/ProposedDueDateAccepted"), "YES")
        types = {
            element.get("SellerInvoiceIdentifierType")
            for element in root.findall(
                "SellerInvoiceDetails/SellerInvoiceTypeDetails/SellerInvoiceIdentifierText"
            )
        }
        self.assertEqual(types, {"02", "09"})
        self.assertIsNone(root.find("InvoiceSenderInformationDetails/NewInvoiceSenderAddress"))

    def test_latin9_bank_file(self):
        self.subject.company_id.finvoice_encoding = "ISO-8859-15"
        log = self.env["billing.einvoice.sender.info.log"].browse(self.subject.action_send_add()[0])
        data = base64.b64decode(log.file)
        self.assertTrue(data.startswith(b'<?xml version="1.0" encoding="ISO-8859-15"?>'))
        self.assertIn("Sähkölaskut".encode("iso-8859-15"), data)
        self.assertTrue(log.file_name.endswith(".xml"))
        self.assertEqual(log.action_download()["type"], "ir.actions.act_url")

    def test_change_carries_the_new_values(self):
        self.subject.action_send_add()
        self.subject.write(
            {"new_einvoice_address": "FI2112345600000785", "new_einvoice_intermediator": "NDEAFIHH"}
        )
        logs = self.env["billing.einvoice.sender.info.log"].browse(self.subject.action_send_change())
        root = self._message(logs[0])
        self.assertEqual(root.findtext("MessageDetails/MessageActionCode"), "CHANGE")
        self.assertEqual(
            root.findtext("InvoiceSenderInformationDetails/NewInvoiceSenderAddress"), "FI2112345600000785"
        )
        self.assertEqual(
            root.findtext("InvoiceSenderInformationDetails/NewInvoiceSenderIntermediatorAddress"), "NDEAFIHH"
        )

    def test_delete_withdraws(self):
        with self.assertRaisesRegex(UserError, "before changing or withdrawing"):
            self.subject.action_send_delete()
        self.subject.action_send_add()
        logs = self.env["billing.einvoice.sender.info.log"].browse(self.subject.action_send_delete())
        self.assertEqual(set(logs.mapped("action")), {"DELETE"})
        self.assertEqual(self._message(logs[0]).findtext("MessageDetails/MessageActionCode"), "DELETE")
        self.assertEqual(self.subject.state, "withdrawn")

    def test_invalid_message_never_leaves(self):
        self.subject.bank_account_ids = False
        count = self.env["billing.einvoice.sender.info.log"].search_count([])
        with self.assertRaisesRegex(UserError, "SellerAccountDetails"):
            self.subject.action_send_add()
        self.assertEqual(self.env["billing.einvoice.sender.info.log"].search_count([]), count)

    def test_structure_check(self):
        data = self.env["billing.einvoice.finvoice.builder"]._get_sender_info_data(
            self.subject, "ADD", self.banks[0]
        )
        xml = sender_info.build_sender_info(data)
        self.assertTrue(sender_info.check_structure(xml))
        broken = xml.replace(b"<MessageTypeCode>SENDERINFO", b"<MessageTypeCode>RECEIVERINFO")
        with self.assertRaisesRegex(sender_info.SenderInfoError, "SENDERINFO"):
            sender_info.check_structure(broken)
        data.action = "CHANGE"
        with self.assertRaisesRegex(sender_info.SenderInfoError, "New"):
            sender_info.build_sender_info(data)

    def test_operator_transport_and_retry(self):
        company = self.subject.company_id
        company.write(
            {
                "finvoice_transport": "operator_api",
                "finvoice_operator_api_url": "https://operator.invalid/api",
            }
        )
        results = iter(
            [TransportError("operator down", retryable=True)] + [TransportResult("OP-1", "accepted")] * 50
        )

        def send(self_transport, message_identifier, payload, encoding="UTF-8"):
            result = next(results)
            if isinstance(result, Exception):
                raise result
            return result

        with mock.patch("odoo.addons.billing_einvoice.finvoice.transport.OperatorRestTransport.send", send):
            logs = self.env["billing.einvoice.sender.info.log"].browse(self.subject.action_send_add())
            failed = logs.filtered(lambda log: log.state == "error")
            self.assertEqual(len(failed), 1)
            self.assertIn("operator down", failed.error)
            self.assertEqual(set((logs - failed).mapped("transport_reference")), {"OP-1"})
            self.assertTrue(failed.action_retry())
        self.assertEqual((failed.state, failed.transport_reference), ("sent", "OP-1"))

    def test_multi_company_subjects(self):
        other = self.setup_other_company()["company"]
        subject = (
            self.env["billing.einvoice.billing.subject"]
            .with_company(other)
            .create(
                {
                    "name": "Vesi",
                    "code": "ELECTRICITY",
                    "seller_party_identifier": "7654321-8",
                    "einvoice_address": "FI2112345600000785",
                    "einvoice_intermediator": "NDEAFIHH",
                }
            )
        )
        self.assertEqual(subject.company_id, other)
        user = self.env["res.users"].create(
            {
                "name": "SI first company",
                "login": "si_first_company",
                "company_id": self.subject.company_id.id,
                "company_ids": [(6, 0, self.subject.company_id.ids)],
                "groups_id": [(6, 0, self.env.ref("account.group_account_manager").ids)],
            }
        )
        visible = (
            self.env["billing.einvoice.billing.subject"]
            .with_user(user)
            .search([("code", "=", "ELECTRICITY")])
        )
        self.assertEqual(visible, self.subject)
