"""The addon's one hardened XML parse (finvoice/reader.py), and that every parser of the addon is it."""

import contextlib
from unittest import mock

from lxml import etree

from odoo.tests import BaseCase, tagged

from ..finvoice import reader, schema
from ..ubl import validation

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]><r>&secret;</r>"""
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><r>&d;</r>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/r.dtd"><r/>"""


@tagged("post_install", "-at_install")
class TestXmlReader(BaseCase):
    def assertRefused(self, data, reason, **limits):
        with self.assertRaises(reader.UnsafeXmlError) as caught:
            reader.parse_xml(data, **limits)
        self.assertEqual(caught.exception.reason, reason, str(caught.exception))
        self.assertNotIn("root:", str(caught.exception))
        return caught.exception

    def test_hostile_documents_are_refused(self):
        for data in (XXE, BILLION_LAUGHS, EXTERNAL_DTD, XXE.replace(b"<!DOCTYPE", b"<!doctype")):
            with self.subTest(data[:60]):
                self.assertRefused(data, "doctype")
        self.assertRefused(b"<r><a>cut", "not_xml")
        self.assertRefused(b"%PDF-1.4", "not_xml")
        self.assertRefused("<r/>".encode("utf-16"), "encoding")
        self.assertRefused(b"  ", "empty")
        self.assertRefused("<r/>", "not_xml")

    def test_size_limit_before_parsing(self):
        self.assertEqual(reader.parse_xml(b"<r/>", max_size=4).tag, "r")
        self.assertRefused(b"<r/> ", "too_large", max_size=4)
        # 200 MB, made on the fly (bytes(n) is zeroed lazily by the OS): refused unparsed.
        with mock.patch.object(reader, "etree") as lxml_etree:
            error = self.assertRefused(bytes(200 * 1024 * 1024), "too_large")
        lxml_etree.fromstring.assert_not_called()
        self.assertIn(str(reader.MAX_BYTES), str(error))

    def test_long_values_are_refused(self):
        self.assertRefused(b"<r>" + b"A" * (reader.MAX_TEXT_LENGTH + 1) + b"</r>", "text_too_long")
        self.assertRefused(b'<r a="' + b"A" * 101 + b'"/>', "text_too_long", max_text_length=100)
        # libxml2 lets a plain text node of 11 MB through even without huge_tree.
        self.assertRefused(
            b"<r>" + b"A" * (11 * 1024 * 1024) + b"</r>", "text_too_long", max_size=12 * 1024 * 1024
        )

    def test_the_parser_resolves_nothing(self):
        """Even where a DOCTYPE gets past the byte check (own documents, XSDs): nothing is expanded."""
        root = etree.fromstring(XXE, reader.safe_parser())
        self.assertNotIn("root:", "".join(root.itertext()))
        # libxml2 itself may stop at the entity loop (a syntax error); if it parses, nothing grew.
        with contextlib.suppress(etree.XMLSyntaxError):
            root = etree.fromstring(BILLION_LAUGHS, reader.safe_parser())
            self.assertLess(len("".join(root.itertext())), 100)
        root = etree.fromstring(b"<r><!-- note --><?pi x?><a>1</a></r>", reader.safe_parser())
        self.assertEqual([child.tag for child in root], ["a"])

    def test_every_parser_of_the_addon_is_the_reader(self):
        """The Finvoice XSD check and the UBL checks parse with the reader's parser, not their own."""
        for parser_factory in (schema.safe_parser, validation._parser):
            with (
                self.subTest(parser_factory.__module__),
                mock.patch.object(reader, "safe_parser", wraps=reader.safe_parser) as wrapped,
            ):
                parser_factory()
                wrapped.assert_called_once()
