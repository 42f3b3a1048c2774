"""ISO 20022 external reason codes of SEPA direct debit R-transactions, as plain data.

Every code of the domain note (shared/domain/sepa.md section 6), plus AC13, ED05 and NARR,
which the EPC guidance on SDD reason codes also uses. Meanings follow the ISO External
Code Set, shortened for a user; ``action`` is the suggested default (the company can
change it per code):

- ``reopen``: reopen the invoice only;
- ``represent``: reopen and present it once more in the next collection (AM04, MS03);
- ``suspend_mandate``: reopen and stop collecting on the mandate; ``close_mandate``
  says the mandate is dead for good (account closed, no mandate, debtor deceased) rather
  than waiting for a new IBAN or the debtor's word;
- ``dispute``: reopen, mark disputed and never present it again automatically (MD06, MS02);
- ``technical``: our file or master data is wrong; fix it and resubmit (FF01, AG02, BE05...).

``charge_fee`` suggests charging the return fee to the customer: only where the
customer caused the return (no funds, account closed or blocked, refusal), never for a
refund, a bank's own reason or our own error.

The Dutch and German texts (``TEXTS["nl"]``, ``TEXTS["de"]``) are for the .po files.
"""

import dataclasses

REOPEN = "reopen"
REPRESENT = "represent"
SUSPEND_MANDATE = "suspend_mandate"
DISPUTE = "dispute"
TECHNICAL = "technical"
ACTIONS = (REOPEN, REPRESENT, SUSPEND_MANDATE, DISPUTE, TECHNICAL)


@dataclasses.dataclass(frozen=True)
class ReasonCode:
    code: str
    text: str
    action: str
    close_mandate: bool = False
    charge_fee: bool = False


REASON_CODES = (
    ReasonCode("AC01", "Account number incorrect (invalid IBAN)", SUSPEND_MANDATE),
    ReasonCode("AC04", "Account closed", SUSPEND_MANDATE, close_mandate=True, charge_fee=True),
    ReasonCode("AC06", "Account blocked, or blocked for direct debits", SUSPEND_MANDATE, charge_fee=True),
    ReasonCode("AC13", "Debtor account is a consumer account (B2B direct debit)", SUSPEND_MANDATE),
    ReasonCode("AG01", "Direct debit forbidden on this type of account", SUSPEND_MANDATE),
    ReasonCode("AG02", "Invalid transaction code or file format", TECHNICAL),
    ReasonCode("AM04", "Insufficient funds", REPRESENT, charge_fee=True),
    ReasonCode("AM05", "Duplicate collection", REOPEN),
    ReasonCode("BE05", "Creditor identifier or creditor data incorrect", TECHNICAL),
    ReasonCode("CNOR", "Creditor bank not reachable (not registered)", TECHNICAL),
    ReasonCode("DNOR", "Debtor bank not reachable (not registered)", TECHNICAL),
    ReasonCode("ED05", "Settlement failed", TECHNICAL),
    ReasonCode("FF01", "Invalid file format", TECHNICAL),
    ReasonCode("FOCR", "Returned after a cancellation request", REOPEN),
    ReasonCode(
        "MD01",
        "No valid mandate, or unauthorised transaction",
        SUSPEND_MANDATE,
        close_mandate=True,
    ),
    ReasonCode("MD02", "Mandate data missing or incorrect", TECHNICAL),
    ReasonCode("MD06", "Refund requested by the debtor", DISPUTE),
    ReasonCode("MD07", "Debtor deceased", SUSPEND_MANDATE, close_mandate=True),
    ReasonCode("MS02", "Refused by the debtor (no reason given)", DISPUTE, charge_fee=True),
    ReasonCode("MS03", "No reason given by the bank", REPRESENT),
    ReasonCode("NARR", "Reason given as text in the additional information", REOPEN),
    ReasonCode("RC01", "Bank identifier (BIC) incorrect", TECHNICAL),
    ReasonCode("RR01", "Debtor account or identification missing", TECHNICAL),
    ReasonCode("RR02", "Debtor name or address missing", TECHNICAL),
    ReasonCode("RR03", "Creditor name or address missing", TECHNICAL),
    ReasonCode("RR04", "Regulatory reason", SUSPEND_MANDATE),
    ReasonCode(
        "SL01",
        "Blocked by a service of the debtor bank (e.g. a direct debit block)",
        SUSPEND_MANDATE,
    ),
)

BY_CODE = {reason.code: reason for reason in REASON_CODES}

TEXTS = {
    "nl": {
        "AC01": "Rekeningnummer onjuist (ongeldig IBAN)",
        "AC04": "Rekening opgeheven",
        "AC06": "Rekening geblokkeerd, of geblokkeerd voor incasso's",
        "AC13": "Rekening van de debiteur is een consumentenrekening (zakelijke incasso)",
        "AG01": "Incasso niet toegestaan op dit type rekening",
        "AG02": "Ongeldige transactiecode of ongeldig bestandsformaat",
        "AM04": "Onvoldoende saldo",
        "AM05": "Dubbele incasso",
        "BE05": "Incassant-ID of gegevens van de incassant onjuist",
        "CNOR": "Bank van de incassant niet bereikbaar (niet geregistreerd)",
        "DNOR": "Bank van de debiteur niet bereikbaar (niet geregistreerd)",
        "ED05": "Verrekening mislukt",
        "FF01": "Ongeldig bestandsformaat",
        "FOCR": "Teruggeboekt na een verzoek tot annulering",
        "MD01": "Geen geldige machtiging, of niet-geautoriseerde transactie",
        "MD02": "Machtigingsgegevens ontbreken of zijn onjuist",
        "MD06": "Terugboeking op verzoek van de debiteur",
        "MD07": "Debiteur overleden",
        "MS02": "Geweigerd door de debiteur (geen reden opgegeven)",
        "MS03": "Geen reden opgegeven door de bank",
        "NARR": "Reden als tekst in de aanvullende informatie",
        "RC01": "Bankidentificatie (BIC) onjuist",
        "RR01": "Rekening of identificatie van de debiteur ontbreekt",
        "RR02": "Naam of adres van de debiteur ontbreekt",
        "RR03": "Naam of adres van de incassant ontbreekt",
        "RR04": "Wettelijke of regelgevende reden",
        "SL01": "Geblokkeerd door een dienst van de bank van de debiteur (bijv. incassoblokkade)",
    },
    "de": {
        "AC01": "Kontonummer fehlerhaft (ungültige IBAN)",
        "AC04": "Konto aufgelöst",
        "AC06": "Konto gesperrt oder für Lastschriften gesperrt",
        "AC13": "Konto des Zahlungspflichtigen ist ein Verbraucherkonto (Firmenlastschrift)",
        "AG01": "Lastschrift auf dieser Kontoart nicht zulässig",
        "AG02": "Ungültiger Transaktionscode oder ungültiges Dateiformat",
        "AM04": "Keine ausreichende Deckung",
        "AM05": "Doppelte Lastschrift",
        "BE05": "Gläubiger-Identifikationsnummer oder Gläubigerdaten fehlerhaft",
        "CNOR": "Bank des Zahlungsempfängers nicht erreichbar (nicht registriert)",
        "DNOR": "Bank des Zahlungspflichtigen nicht erreichbar (nicht registriert)",
        "ED05": "Verrechnung fehlgeschlagen",
        "FF01": "Ungültiges Dateiformat",
        "FOCR": "Rückgabe nach einer Stornierungsanfrage",
        "MD01": "Kein gültiges Mandat oder nicht autorisierte Lastschrift",
        "MD02": "Mandatsdaten fehlen oder sind fehlerhaft",
        "MD06": "Erstattung auf Verlangen des Zahlungspflichtigen",
        "MD07": "Zahlungspflichtiger verstorben",
        "MS02": "Widerspruch des Zahlungspflichtigen (ohne Angabe von Gründen)",
        "MS03": "Keine Angabe von Gründen durch die Bank",
        "NARR": "Grund als Text in den zusätzlichen Informationen",
        "RC01": "Bankidentifikation (BIC) fehlerhaft",
        "RR01": "Konto oder Kennung des Zahlungspflichtigen fehlt",
        "RR02": "Name oder Adresse des Zahlungspflichtigen fehlt",
        "RR03": "Name oder Adresse des Zahlungsempfängers fehlt",
        "RR04": "Regulatorische Gründe",
        "SL01": "Gesperrt durch einen Dienst der Bank des Zahlungspflichtigen (z. B. Lastschriftsperre)",
    },
}


def reason(code):
    """The ``ReasonCode`` for ``code`` (any case), or None for a code not in the table."""
    return BY_CODE.get((code or "").strip().upper())
