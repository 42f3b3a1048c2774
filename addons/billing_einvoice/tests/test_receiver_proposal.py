import base64
from unittest import mock

from lxml import etree

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from ..finvoice import receiver_proposal
from ..finvoice.transport import TransportError, TransportResult
from .common import DATA_DIR


@tagged("post_install", "-at_install")
class TestReceiverProposal(AccountTestInvoicingCommon):
    """A proposal of e-invoicing to a consumer, its message, and its answer (an RI ADD)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.subject = cls.env["billing.einvoice.billing.subject"].create(
            {
                "name": "Sähkö",
                "code": "ELECTRICITY",
                "sender_info_identifier": "SUBJ-TEST-001",
                "seller_party_identifier": "1234567-1",
                "einvoice_address": "FI4950009420028730",
                "einvoice_intermediator": "OKOYFIHH",
                "company_id": cls.company_data["company"].id,
                "state": "announced",
            }
        )
        nordea = cls.env["res.bank"].create({"name": "Nordea", "bic": "NDEAFIHH"})
        cls.consumer = cls.env["res.partner"].create(
            {
                "name": "Virtanen Ville",
                "street": "Kotikatu 1",
                "city": "Helsinki",
                "zip": "00100",
                "email": "ville@example.fi",
                "invoice_sending_method": "email",
                "bank_ids": [
                    (0, 0, {"acc_number": "FI14 1009 3000 1234 58", "bank_id": nordea.id}),
                ],
            }
        )

    def _propose(self, identifier="PROP-0077"):
        action = self.consumer.action_einvoice_propose()
        wizard_form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        self.assertEqual(wizard_form.billing_subject_id, self.subject)
        self.assertEqual(wizard_form.recipient_address, "FI1410093000123458")
        self.assertEqual(wizard_form.recipient_intermediator, "NDEAFIHH")
        wizard_form.identifier = identifier
        wizard_form.free_text = "Tilaa e-lasku"
        result = wizard_form.save().action_send()
        return self.env[result["res_model"]].browse(result["res_id"])

    def _answer(self, identifier):
        data = (DATA_DIR / "ri_bare_utf8.xml").read_bytes().replace(b"CUST-3001", identifier.encode())
        orders = self.env["billing.einvoice.consumer.order"].import_file(
            base64.b64encode(data).decode(), "ri.xml"
        )
        order = self.env["billing.einvoice.consumer.order"].browse(orders)
        order.action_match()
        return order

    def test_proposal_message_and_its_answer(self):
        proposal = self._propose()
        self.assertEqual(proposal.state, "ready", "no operator transport: kept as a bank file")
        payload = base64.b64decode(proposal.file)
        message = payload[payload.index(b"<?xml", 1) :]
        self.assertIn(b"<eb:PartyId>FI1410093000123458</eb:PartyId>", payload[: payload.index(b"<?xml", 1)])
        self.assertTrue(receiver_proposal.check_structure(message))
        root = etree.fromstring(message)
        self.assertEqual(root.tag, "FinvoiceReceiverProposal")
        self.assertEqual(root.findtext("MessageDetails/SenderInfoIdentifier"), "SUBJ-TEST-001")
        self.assertEqual(root.findtext("SellerInvoiceDetails/PaymentInstructionIdentifier"), "ELECTRICITY")
        self.assertEqual(root.findtext("BuyerPartyDetails/BuyerOrganisationName"), "Virtanen Ville")
        self.assertEqual(
            root.findtext("InvoiceRecipientDetails/InvoiceRecipientIntermediatorAddress"), "NDEAFIHH"
        )
        identifier = root.find("InvoiceRecipientDetails/SellerInvoiceIdentifier")
        self.assertEqual(
            (identifier.text, identifier.get("SellerInvoiceIdentifierType")), ("PROP-0077", "09")
        )
        self.assertEqual(root.findtext("RPFreeText"), "Tilaa e-lasku")

        # The consumer approves: the RI ADD names the proposed identifier, which no customer has.
        order = self._answer("PROP-0077")
        self.assertEqual(
            (order.state, order.partner_id, order.proposal_id), ("done", self.consumer, proposal)
        )
        self.assertEqual(proposal.state, "accepted")
        self.assertEqual(proposal.order_id, order)
        self.assertEqual(proposal.agreement_id, order.agreement_id)
        self.assertEqual(proposal.agreement_id.state, "active")
        self.assertEqual(self.consumer.invoice_sending_method, "elasku")

    def test_cancelled_proposal_is_not_an_answer_and_bad_bank_details_are_refused(self):
        proposal = self._propose()
        proposal.action_cancel()
        order = self._answer("PROP-0077")
        self.assertEqual((order.state, order.partner_id.id), ("to_match", False))
        action = self.consumer.action_einvoice_propose()
        wizard_form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        wizard_form.identifier = "PROP-0078"
        wizard_form.recipient_address = "FI00 1234"
        with self.assertRaisesRegex(UserError, "not an IBAN"):
            wizard_form.save().action_send()

    def test_structure_check_names_the_field(self):
        with self.assertRaises(receiver_proposal.ReceiverProposalError) as caught:
            receiver_proposal.check_structure(
                b"<FinvoiceReceiverProposal><MessageDetails/></FinvoiceReceiverProposal>"
            )
        self.assertEqual(caught.exception.field, "SellerPartyDetails")

    def test_sent_through_the_operator_transport_and_retried(self):
        self.company_data["company"].write(
            {
                "finvoice_transport": "operator_api",
                "finvoice_operator_api_url": "https://operator.invalid/api",
            }
        )
        results = iter([TransportError("operator down", retryable=True), TransportResult("OP-7", "accepted")])

        def send(self_transport, message_identifier, payload, encoding="UTF-8"):
            self.assertIn(b"<FinvoiceReceiverProposal", payload)
            result = next(results)
            if isinstance(result, Exception):
                raise result
            return result

        with mock.patch("odoo.addons.billing_einvoice.finvoice.transport.OperatorRestTransport.send", send):
            proposal = self._propose()
            self.assertEqual((proposal.state, proposal.error), ("error", "operator down"))
            self.assertTrue(proposal.action_retry())
        self.assertEqual((proposal.state, proposal.transport_reference), ("sent", "OP-7"))
