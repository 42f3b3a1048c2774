"""The customers of the SEPA benchmarks: German and Dutch names, addresses and valid IBANs,
drawn from a fixed seed, so that every run and every contender sees the same ones.
"""

import random

from stdnum import iban as stdnum_iban
from stdnum.iso7064 import mod_97_10

SEED = 20260311

FIRST_NAMES = [
    "Jürgen", "Björn", "Günther", "Käthe", "Sören", "Jörg", "Zoë", "Ulrike", "Maximilian", "Grete",
    "Anouk", "Daan", "Sanne", "Bram", "Femke", "Renée", "Maaike", "Joëlle", "Thijs", "Lieke",
]  # fmt: skip
LAST_NAMES = [
    "Müller", "Schröder", "Weiß", "Bäcker", "Groß", "Köhler", "Jäger", "Fuchs", "Hoffmann", "Krüger",
    "Öztürk", "Žukauskas", "de Vries", "van den Berg", "Jansen", "Bakker", "van Dijk", "Visser",
    "de Jong", "Smit", "Meijer", "van 't Hof",
]  # fmt: skip
LEGAL_FORMS = {"DE": ["GmbH", "GmbH & Co. KG", "KG", "OHG", "e.K."], "NL": ["B.V.", "V.O.F.", "N.V."]}
TRADES = ["Bäckerei", "Gärtnerei", "Schreinerei", "Fahrradhandel", "Bloemenhandel", "Bouwbedrijf"]
STREETS = {
    "DE": ["Hauptstraße", "Schloßallee", "Mühlenweg", "Königsstraße", "Am Bäckerhof", "Lindenstraße"],
    "NL": ["Dorpsstraat", "Kerkstraat", "Molenweg", "Prinsengracht", "Stationsplein", "Ĳsselkade"],
}
CITIES = {
    "DE": [("50667", "Köln"), ("80331", "München"), ("40213", "Düsseldorf"), ("90402", "Nürnberg"),
           ("21335", "Lüneburg"), ("97070", "Würzburg")],
    "NL": [("5211 AA", "'s-Hertogenbosch"), ("2511 BT", "Den Haag"), ("3511 AB", "Utrecht"),
           ("9711 AA", "Groningen")],
}  # fmt: skip
NL_BANKS = ["ABNA", "INGB", "RABO", "SNSB", "TRIO", "ASNB"]


def make_iban(country, bban):
    """IBAN of ``bban`` in ``country``, check digits by ISO 7064 MOD 97-10."""
    number = country + mod_97_10.calc_check_digits(bban + country) + bban
    return stdnum_iban.validate(number)


def generate_customers(n):
    """The same ``n`` customers on every call: names, addresses, IBANs and invoice amounts."""
    rng = random.Random(SEED)
    customers = []
    for index in range(n):
        country = "DE" if rng.random() < 0.6 else "NL"
        last, other = rng.choice(LAST_NAMES), rng.choice(LAST_NAMES)
        kind = rng.random()
        if kind < 0.5:
            name, is_company = f"{rng.choice(FIRST_NAMES)} {last}", False
        elif kind < 0.8:
            name, is_company = f"{last} & {other} {rng.choice(LEGAL_FORMS[country])}", True
        else:
            name, is_company = f"{rng.choice(TRADES)} {last} & Söhne {rng.choice(LEGAL_FORMS[country])}", True
        zip_code, city = rng.choice(CITIES[country])
        if country == "DE":
            bban = f"{rng.randrange(10**7, 10**8)}{rng.randrange(10**10):010d}"
        else:
            bban = f"{rng.choice(NL_BANKS)}{rng.randrange(10**10):010d}"
        customers.append(
            {
                "ref": f"{index + 1:06d}",
                "name": name,
                "is_company": is_company,
                "street": f"{rng.choice(STREETS[country])} {rng.randint(1, 250)}",
                "zip": zip_code,
                "city": city,
                "country": country,
                "iban": make_iban(country, bban),
                "amount": rng.randint(500, 50000) / 100,
                "signed_days_ago": rng.randint(60, 900),
            }
        )
    return customers
