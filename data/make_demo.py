"""Write the demo CRM of a small German supplier of machine monitoring, which the package
ships as smallcrm/store/demo_data/demo.json.

    python data/make_demo.py   # rewrites smallcrm/store/demo_data/demo.json (same seed, same file)

The business sells SensorKit vibration sensors, the Wartungsplaner maintenance-planning
software, retrofits, service contracts and training to about 50 European companies. The file
holds 50 accounts, 200 contacts, 60 opportunities, 1,000 interactions and 80 appointments.

Dates are relative so the demo always looks current: ``day`` is a number of days from the day
the demo is loaded (negative in the past), ``time`` a local wall-clock time. Birthdays are
plain dates. ``smallcrm.store.demo.load_demo`` reads the file; people and companies refer to
each other by ``ref``. Every name, address, phone number and ``.example`` domain is invented.
"""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path
from typing import Any

SEED = 20261125
# Inside the package, which ships it; this script is a tool of the source tree and does not ship.
OUT = Path(__file__).resolve().parents[1] / "smallcrm" / "store" / "demo_data" / "demo.json"
OWNERS = ("lena", "tomas", "mia")

# name, industry, street, postal code, city, country, phone country code + area, domain, tags
ACCOUNTS = [
    ("Müller Maschinenbau GmbH", "Machinery", "Industriestraße 12", "70565", "Stuttgart",
     "DE", "+49711", "mueller-maschinenbau", "customer key-account"),
    ("Brandt Elektrotechnik KG", "Electrical engineering", "Wendenstraße 130", "20537",
     "Hamburg", "DE", "+4940", "brandt-elektro", "customer"),
    ("Nordlicht Logistik GmbH", "Logistics", "Am Waller Freihafen 4", "28217", "Bremen", "DE",
     "+49421", "nordlicht-logistik", "prospect"),
    ("Bäckerei Hofmann GmbH & Co. KG", "Food", "Fürther Straße 212", "90429", "Nürnberg", "DE",
     "+49911", "baeckerei-hofmann", "customer"),
    ("Weber & Söhne Metallbau GmbH", "Metalworking", "Hafenstraße 27", "44147", "Dortmund",
     "DE", "+49231", "weber-soehne", "customer"),
    ("Rheinland Kunststofftechnik AG", "Plastics", "Emil-Hoffmann-Straße 9", "50996", "Köln",
     "DE", "+49221", "rheinland-kunststoff", "prospect"),
    ("Alpenblick Hotels GmbH", "Hospitality", "Zugspitzstraße 44", "82467",
     "Garmisch-Partenkirchen", "DE", "+498821", "alpenblick-hotels", "prospect"),
    ("Schröder Verpackungen GmbH", "Packaging", "Lister Damm 18", "30163", "Hannover", "DE",
     "+49511", "schroeder-verpackungen", "customer"),
    ("Kessler Medizintechnik GmbH", "Medical devices", "Zeppelinstraße 3", "78532",
     "Tuttlingen", "DE", "+497461", "kessler-medtech", "customer key-account reference"),
    ("Fischer Fördertechnik GmbH", "Materials handling", "Löbtauer Straße 60", "01159",
     "Dresden", "DE", "+49351", "fischer-foerdertechnik", "customer"),
    ("Lindner Druckerei e.K.", "Printing", "Karl-Heine-Straße 85", "04229", "Leipzig", "DE",
     "+49341", "druckerei-lindner", "former-customer"),
    ("Sonnenhof Molkerei eG", "Dairy", "Ludwigstraße 70", "87437", "Kempten", "DE", "+49831",
     "sonnenhof-molkerei", "customer"),
    ("Hartmann Automotive Components GmbH", "Automotive", "Ettinger Straße 107", "85057",
     "Ingolstadt", "DE", "+49841", "hartmann-ac", "prospect key-account"),
    ("Vogel Gebäudetechnik GmbH", "Building services", "Hanauer Landstraße 291", "60314",
     "Frankfurt am Main", "DE", "+4969", "vogel-gebaeudetechnik", "partner"),
    ("Elbtal Brauerei GmbH", "Brewing", "Bautzner Straße 121", "01099", "Dresden", "DE",
     "+49351", "elbtal-brauerei", "customer"),
    ("Krüger Holzbau GmbH", "Construction", "Werftstraße 6", "18057", "Rostock", "DE",
     "+49381", "krueger-holzbau", "prospect"),
    ("Stadtwerke Neustadt GmbH", "Utilities", "Bahnhofstraße 1", "67434",
     "Neustadt an der Weinstraße", "DE", "+496321", "stadtwerke-neustadt", "customer"),
    ("Becker Lebensmitteltechnik GmbH", "Food machinery", "Eckendorfer Straße 48", "33609",
     "Bielefeld", "DE", "+49521", "becker-lmt", "customer"),
    ("Zimmermann Pumpen GmbH", "Pumps", "Industriestraße 55", "68169", "Mannheim", "DE",
     "+49621", "zimmermann-pumpen", "customer key-account"),
    ("Schwarzwald Präzision GmbH", "Precision engineering", "Tullastraße 72", "79108",
     "Freiburg im Breisgau", "DE", "+49761", "sw-praezision", "prospect"),
    ("Neumann Landtechnik GmbH", "Agricultural machinery", "Stedinger Straße 33", "26135",
     "Oldenburg", "DE", "+49441", "neumann-landtechnik", "customer"),
    ("Wolf Kältetechnik GmbH", "Refrigeration", "Haunstetter Straße 112", "86161",
     "Augsburg", "DE", "+49821", "wolf-kaelte", "partner reseller"),
    ("Koch Spedition GmbH", "Logistics", "Ruhrorter Straße 9", "47059", "Duisburg", "DE",
     "+49203", "koch-spedition", "prospect"),
    ("Richter Textil AG", "Textiles", "Annaberger Straße 240", "09125", "Chemnitz", "DE",
     "+49371", "richter-textil", "customer at-risk"),
    ("Ostsee Windservice GmbH", "Wind energy", "Schwedenkai 1", "24103", "Kiel", "DE",
     "+49431", "ostsee-windservice", "customer"),
    ("Lehmann Laborbedarf GmbH", "Laboratory supplies", "Rheinallee 88", "55120", "Mainz",
     "DE", "+496131", "lehmann-labor", "prospect"),
    ("Hansa Hafenlogistik GmbH", "Logistics", "Am Sandtorkai 50", "20457", "Hamburg", "DE",
     "+4940", "hansa-hafenlogistik", "customer"),
    ("Graf Papierfabrik GmbH", "Paper", "Würzburger Straße 152", "63743", "Aschaffenburg",
     "DE", "+496021", "graf-papier", "prospect"),
    ("Wagner Werkzeugbau GmbH", "Toolmaking", "Altenaer Straße 21", "58507", "Lüdenscheid",
     "DE", "+492351", "wagner-werkzeugbau", "customer"),
    ("Krause IT-Service GmbH", "IT services", "Chausseestraße 86", "10115", "Berlin", "DE",
     "+4930", "krause-it", "partner reseller"),
    ("Huber Seilbahntechnik GmbH", "Ropeways", "Grabenweg 68", "6020", "Innsbruck", "AT",
     "+43512", "huber-seilbahn", "customer"),
    ("Gruber Fensterbau GmbH", "Windows and doors", "Industriezeile 36", "4020", "Linz", "AT",
     "+43732", "gruber-fenster", "prospect"),
    ("Steiner Nahrungsmittel AG", "Food", "Puchstraße 41", "8020", "Graz", "AT", "+43316",
     "steiner-nahrung", "customer"),
    ("Donau Chemie Service GmbH", "Chemicals", "Erdbergstraße 200", "1030", "Wien", "AT",
     "+431", "donau-chemie-service", "prospect"),
    ("Keller Präzisionsteile AG", "Precision engineering", "Zürcherstrasse 310", "8406",
     "Winterthur", "CH", "+4152", "keller-praezision", "customer"),
    ("Brunner Uhrenkomponenten SA", "Watch components", "Rue de la Gare 14", "2502",
     "Biel/Bienne", "CH", "+4132", "brunner-uhren", "prospect"),
    ("Zürcher Gleisbau AG", "Rail construction", "Hardturmstrasse 120", "8005", "Zürich",
     "CH", "+4144", "zuercher-gleisbau", "customer"),
    ("Novák Strojírny s.r.o.", "Machinery", "Škroupova 12", "636 00", "Brno", "CZ", "+420",
     "novak-strojirny", "customer key-account"),
    ("Dvořák Logistika s.r.o.", "Logistics", "Sokolovská 95", "186 00", "Praha", "CZ",
     "+420", "dvorak-logistika", "prospect"),
    ("Svoboda Plasty a.s.", "Plastics", "Zahradní 17", "301 00", "Plzeň", "CZ", "+420",
     "svoboda-plasty", "customer"),
    ("Černý Pivovar s.r.o.", "Brewing", "Pražská 44", "370 04", "České Budějovice", "CZ",
     "+420", "cerny-pivovar", "prospect"),
    ("Kowalski Metal Sp. z o.o.", "Metalworking", "ul. Legnicka 55", "54-203", "Wrocław",
     "PL", "+48", "kowalski-metal", "customer"),
    ("Wiśniewski Transport Sp. z o.o.", "Logistics", "ul. Głogowska 150", "60-214",
     "Poznań", "PL", "+48", "wisniewski-transport", "prospect"),
    ("De Vries Kassenbouw B.V.", "Horticulture", "Middel Broekweg 29", "2675", "Honselersdijk",
     "NL", "+31", "devries-kassenbouw", "customer"),
    ("Van Dijk Voedingsmiddelen B.V.", "Food", "Hurksestraat 16", "5652", "Eindhoven", "NL",
     "+31", "vandijk-voeding", "prospect"),
    ("Lefèvre Emballages SARL", "Packaging", "Rue de Gerland 101", "69007", "Lyon", "FR",
     "+33", "lefevre-emballages", "customer"),
    ("Dubois Énergie SAS", "Utilities", "Route du Rhin 8", "67100", "Strasbourg", "FR", "+33",
     "dubois-energie", "prospect"),
    ("Jensen Vindteknik ApS", "Wind energy", "Hasselager Allé 5", "8260", "Viby J", "DK",
     "+45", "jensen-vind", "customer"),
    ("Lindqvist Trä AB", "Timber", "Hisingsgatan 30", "417 03", "Göteborg", "SE", "+4631",
     "lindqvist-tra", "prospect"),
    ("Rossi Macchine S.r.l.", "Machinery", "Via Galvani 31", "39100", "Bolzano", "IT",
     "+390471", "rossi-macchine", "customer"),
]  # fmt: skip

# Given names (f = female, m = male) and family names per country; Czech and Polish family
# names have female forms.
GIVEN = {
    "DE": [("Anna", "f"), ("Lukas", "m"), ("Sophie", "f"), ("Jonas", "m"),
           ("Katharina", "f"), ("Felix", "m"), ("Julia", "f"), ("Maximilian", "m"),
           ("Laura", "f"), ("Tobias", "m"), ("Sabine", "f"), ("Thomas", "m"), ("Stefan", "m"),
           ("Andrea", "f"), ("Michael", "m"), ("Petra", "f"), ("Jürgen", "m"), ("Jörg", "m"),
           ("Björn", "m"), ("Heike", "f"), ("Uwe", "m"), ("Birgit", "f"), ("Frank", "m"),
           ("Claudia", "f"), ("Markus", "m"), ("Nicole", "f"), ("Sven", "m"), ("Ute", "f"),
           ("Jana", "f"), ("Jan", "m"), ("Jannik", "m"), ("Lea", "f"), ("Hannah", "f"),
           ("Moritz", "m"), ("Niklas", "m"), ("Franziska", "f"), ("Kerstin", "f"),
           ("Christian", "m"), ("Susanne", "f"), ("Matthias", "m"), ("Zoë", "f"),
           ("Sören", "m"), ("Dörte", "f"), ("Götz", "m"), ("Ayşe", "f"), ("Mehmet", "m"),
           ("Jane", "f"), ("Florian", "m"), ("Anja", "f"), ("Kai", "m")],
    "AT": [("Florian", "m"), ("Katrin", "f"), ("Andreas", "m"), ("Elisabeth", "f"),
           ("Lukas", "m"), ("Johanna", "f"), ("Martin", "m"), ("Theresa", "f")],
    "CH": [("Reto", "m"), ("Ursula", "f"), ("Beat", "m"), ("Corinne", "f"), ("Luca", "m"),
           ("Noemi", "f"), ("Urs", "m"), ("Seraina", "f")],
    "CZ": [("Jan", "m"), ("Jana", "f"), ("Tomáš", "m"), ("Petra", "f"), ("Lucie", "f"),
           ("Jiří", "m"), ("Kateřina", "f"), ("Pavel", "m"), ("Zdeněk", "m"), ("Veronika", "f")],
    "PL": [("Łukasz", "m"), ("Agnieszka", "f"), ("Krzysztof", "m"), ("Małgorzata", "f"),
           ("Piotr", "m"), ("Katarzyna", "f")],
    "NL": [("Daan", "m"), ("Sanne", "f"), ("Joost", "m"), ("Femke", "f"), ("Pieter", "m"),
           ("Lotte", "f")],
    "FR": [("Chloé", "f"), ("Étienne", "m"), ("Hélène", "f"), ("François", "m"),
           ("Amélie", "f"), ("Théo", "m"), ("Cécile", "f")],
    "DK": [("Søren", "m"), ("Mette", "f"), ("Rasmus", "m"), ("Freja", "f")],
    "SE": [("Åsa", "f"), ("Björn", "m"), ("Linnéa", "f"), ("Erik", "m")],
    "IT": [("Giulia", "f"), ("Matteo", "m"), ("Francesca", "f"), ("Lorenzo", "m"),
           ("Magdalena", "f"), ("Matthias", "m")],
}  # fmt: skip
FAMILY = {
    "DE": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
           "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
           "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange",
           "Schmitt", "Werner", "Krause", "Meier", "Lehmann", "Köhler", "Maier", "Kaiser",
           "Fuchs", "Peters", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Vogel", "Keller",
           "Günther", "Berger", "Winkler", "Roth", "Lorenz", "Baumann", "Böhm", "Jäger",
           "Groß", "Sommer", "Graf", "Brandt", "Ziegler", "Kuhn", "Engel", "Bergmann",
           "Voigt", "Sauer", "Pfeiffer", "Jansen", "Smith", "Yılmaz", "Öztürk", "Zimmerman"],
    "AT": ["Huber", "Gruber", "Bauer", "Pichler", "Steiner", "Moser", "Hofer", "Leitner",
           "Eder", "Mayr"],
    "CH": ["Keller", "Brunner", "Meier", "Schmid", "Gerber", "Frei", "Favre", "Bühler"],
    "CZ": [("Novák", "Nováková"), ("Dvořák", "Dvořáková"), ("Svoboda", "Svobodová"),
           ("Černý", "Černá"), ("Procházka", "Procházková"), ("Kučera", "Kučerová"),
           ("Veselý", "Veselá"), ("Horák", "Horáková")],
    "PL": [("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"), ("Nowak", "Nowak"),
           ("Wójcik", "Wójcik"), ("Zieliński", "Zielińska"), ("Lewandowski", "Lewandowska")],
    "NL": ["de Vries", "van Dijk", "Jansen", "Bakker", "Visser", "de Jong", "van den Berg"],
    "FR": ["Lefèvre", "Dubois", "Moreau", "Laurent", "Girard", "Rousseau", "Bonnet"],
    "DK": ["Jensen", "Nielsen", "Hansen", "Sørensen"],
    "SE": ["Lindqvist", "Andersson", "Johansson", "Karlsson"],
    "IT": ["Rossi", "Bianchi", "Ferrari", "Colombo", "Pichler", "Oberhofer"],
}  # fmt: skip
# Family firms are run by the family: the managing director of the account named first.
FAMILY_HEADS = {
    "Müller": ("Sabine", "Müller"), "Schröder": ("Jörg", "Schröder"),
    "Zimmermann": ("Klaus", "Zimmermann"), "Novák": ("Jan", "Novák"),
    "Dvořák": ("Jana", "Dvořáková"), "Kowalski": ("Łukasz", "Kowalski"),
    "Lefèvre": ("Zoë", "Lefèvre"), "Keller": ("Reto", "Keller"), "Weber": ("Uwe", "Weber"),
}  # fmt: skip
# People whose names are not in Latin script, with the Latin spelling of their email address.
NON_LATIN = [
    ("Олена", "Коваленко", "olena.kovalenko", "f"),
    ("Γιώργος", "Παπαδόπουλος", "georgios.papadopoulos", "m"),
    ("Дмитро", "Шевченко", "dmytro.shevchenko", "m"),
]
TITLES = [
    "Managing Director", "Head of Maintenance", "Maintenance Manager", "Purchasing Manager",
    "Buyer", "Plant Manager", "Production Manager", "CTO", "IT Manager", "Quality Manager",
    "Energy Manager", "Project Engineer", "Maintenance Technician", "CFO", "Office Manager",
    "Assistant to the Managing Director", "Head of Operations", "Facility Manager",
    "Leiter Instandhaltung", "Einkauf", "Technical Director", "Sales Director",
]  # fmt: skip
DECISION_TITLES = {"Managing Director", "CTO", "CFO", "Technical Director", "Plant Manager",
                   "Head of Operations", "Head of Maintenance"}  # fmt: skip
CONTACT_TAGS = ["technical", "purchasing", "newsletter", "champion", "hannover-messe",
                "invoice-contact", "sps-nuernberg", "webinar"]  # fmt: skip
SOURCES = ["Hannover Messe", "SPS Nürnberg", "website form", "referral", "cold call",
           "webinar", "partner", "LinkedIn"]  # fmt: skip
EMAIL_CONSENT = ["Hannover Messe, signed lead form", "Website newsletter form (double opt-in)",
                 "Order confirmation, newsletter box ticked", "Webinar registration",
                 "Asked by email, replied yes"]  # fmt: skip
CONTACT_NOTES = [
    "Prefers calls before 10:00; in meetings most afternoons.",
    "Speaks German and English; emails in English please.",
    "Met at Hannover Messe, very interested in retrofitting the old presses.",
    "Her assistant schedules all meetings.",
    "Decides together with the CFO on anything above 20k.",
    "Technical contact for the SensorKit installation; knows the PLCs well.",
    "Moved here from a competitor last year; knows our products.",
    "Only reachable by mobile during plant shutdowns.",
    "Wants quarterly reports on sensor health by email.",
]  # fmt: skip
FREELANCERS = [  # contacts without an account
    ("Ingenieurbüro", "Consultant, vibration analysis"), ("", "Independent maintenance consultant"),
    ("", "Freelance PLC programmer"), ("", "Energy auditor"), ("", "Trade fair organiser"),
    ("", "Journalist, Instandhaltung magazine"), ("", "Architect, industrial buildings"),
    ("", "University of Stuttgart, research associate"), ("", "Interim plant manager"),
    ("", "Photographer for case studies"),
]  # fmt: skip

PRODUCTS = [
    # name, low, high amount (EUR), typical deal name
    ("SensorKit pilot", 4_800, 12_000, "SensorKit pilot on {line}"),
    ("SensorKit rollout", 35_000, 180_000, "SensorKit rollout, {n} machines"),
    ("Wartungsplaner", 9_600, 48_000, "Wartungsplaner licences for {n} users"),
    ("Retrofit", 18_000, 95_000, "Retrofit of {line}"),
    ("Service contract", 6_000, 30_000, "Service contract {year}"),
    ("Training", 2_400, 7_500, "Training for the maintenance team"),
    ("Edge gateway", 7_500, 26_000, "Edge gateway upgrade"),
    ("Spare parts", 5_000, 22_000, "Spare parts framework agreement"),
]  # fmt: skip
LINES = ["press line 3", "the bottling line", "the paper machine PM2", "packaging line B",
         "the injection moulding hall", "the cooling compressors", "conveyor system 2",
         "the CNC hall", "the extruders", "the gearboxes of turbine 7"]  # fmt: skip
STAGE_COUNTS = {"lead": 10, "qualified": 9, "proposal": 10, "negotiation": 7, "won": 14,
                "lost": 10}  # fmt: skip
LOST_REASONS = [
    "Price: a competitor offered 20 % less",
    "Chose an in-house solution with their own PLC data",
    "Budget frozen for this fiscal year",
    "No decision: the project was cancelled",
    "Stayed with their current service provider",
    "Timing: plant expansion postponed indefinitely",
]
NEXT_STEPS = [
    "Send the revised quote", "Technical workshop with the maintenance team",
    "Wait for budget approval at the board meeting", "Call about the pilot results",
    "Site visit to measure the machines", "Send references from the food industry",
    "Clarify data protection questions with their IT", "Agree the rollout schedule",
]  # fmt: skip


def ascii_local(text: str) -> str:
    """An email local part from a name: German umlauts as ae/oe/ue, other accents dropped."""
    text = text.lower()
    for old, new in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("ł", "l"),
                     ("ø", "oe"), ("å", "aa"), ("æ", "ae"), ("ı", "i")):  # fmt: skip
        text = text.replace(old, new)
    plain = unicodedata.normalize("NFKD", text)
    kept = "".join(ch for ch in plain if ch.isascii() and (ch.isalnum() or ch in ".- "))
    return kept.replace(" ", "").replace("-", "")


class Demo:
    """Builds the demo records from one random generator, so the output is reproducible."""

    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)
        self.accounts: list[dict[str, Any]] = []
        self.contacts: list[dict[str, Any]] = []
        self.opportunities: list[dict[str, Any]] = []
        self.interactions: list[dict[str, Any]] = []
        self.appointments: list[dict[str, Any]] = []
        self.used_names: set[tuple[str, str]] = set()
        self.by_account: dict[str, list[dict[str, Any]]] = {}

    # helpers ------------------------------------------------------------------------------

    def phone(self, prefix: str, mobile: bool = False) -> str:
        """A made-up number that phonenumbers accepts as valid for its country."""
        import phonenumbers

        for _ in range(1000):
            number = self._phone_candidate(prefix, mobile)
            if phonenumbers.is_valid_number(phonenumbers.parse(number, None)):
                return number
        raise RuntimeError(f"no valid number found for {prefix}")

    def _phone_candidate(self, prefix: str, mobile: bool) -> str:
        r = self.rng
        digits = lambda n: "".join(str(r.randint(0, 9)) for _ in range(n))  # noqa: E731
        country = prefix[:3]
        if mobile:
            return {
                "+49": f"+49 1{r.choice('567')}{r.randint(0, 9)} {digits(7)}",
                "+43": f"+43 664 {digits(7)}",
                "+41": f"+41 79 {digits(7)}",
                "+42": f"+420 6{digits(2)} {digits(3)} {digits(3)}",
                "+48": f"+48 5{digits(2)} {digits(3)} {digits(3)}",
                "+31": f"+31 6 {digits(8)}",
                "+33": f"+33 6 {digits(2)} {digits(2)} {digits(2)} {digits(2)}",
                "+45": f"+45 2{digits(7)}",
                "+46": f"+46 70 {digits(7)}",
                "+39": f"+39 3{digits(2)} {digits(7)}",
            }[country]
        rest = {
            "+420": f"5{digits(2)} {digits(3)} {digits(3)}",
            "+48": f"6{digits(1)} {digits(3)} {digits(2)} {digits(2)}",
            "+31": f"40 {digits(7)}",
            "+33": f"4 {digits(2)} {digits(2)} {digits(2)} {digits(2)}",
            "+45": f"8{digits(7)}",
        }.get(prefix)
        if rest:
            return f"{prefix} {rest}"
        return f"{prefix} {digits(6 if len(prefix) > 6 else 7)}"

    def pick_name(self, country: str) -> tuple[str, str]:
        """A given and family name not used yet (gendered family names where they are)."""
        for _ in range(200):
            given, gender = self.rng.choice(GIVEN[country])
            family = self.rng.choice(FAMILY[country])
            if isinstance(family, tuple):
                family = family[1] if gender == "f" else family[0]
            if (given, family) not in self.used_names:
                self.used_names.add((given, family))
                return given, family
        raise RuntimeError(f"ran out of names for {country}")

    def consent(self, low: int = -720, high: int = -3) -> dict[str, Any] | None:
        """Email consent: given (with day and source), refused, or never asked."""
        roll = self.rng.random()
        if roll < 0.45:
            return {
                "opt_in": True,
                "day": self.rng.randint(low, high),
                "source": self.rng.choice(EMAIL_CONSENT),
            }
        if roll < 0.55:
            return {
                "opt_in": False,
                "day": self.rng.randint(low, high),
                "source": "Unsubscribed with the newsletter link",
            }
        return None

    # accounts and people -----------------------------------------------------------------

    def make_accounts(self) -> None:
        for index, row in enumerate(ACCOUNTS, start=1):
            name, industry, street, postal, city, country, prefix, domain, tags = row
            ref = f"a{index:02d}"
            account = {
                "ref": ref,
                "name": name,
                "industry": industry,
                "website": f"www.{domain}.example",
                "phone": self.phone(prefix),
                "street": street,
                "postal_code": postal,
                "city": city,
                "country": country,
                "owner": OWNERS[index % 3],
                "tags": tags.split(),
                "created_day": -self.rng.randint(200, 1100),
            }
            if "at-risk" in tags:
                account["notes"] = "Complained twice about sensor battery life; handle with care."
            elif "partner" in tags:
                account["notes"] = "Reseller partner: 15 % discount on SensorKit hardware."
            elif "key-account" in tags:
                account["notes"] = "Key account: quarterly review with the plant management."
            self.accounts.append(account)
            self.by_account[ref] = []

    def make_contacts(self) -> None:
        counts = [4] * 50
        for index in self.rng.sample(range(50), 40):  # 190 employees, unevenly spread
            counts[index] += 1
        for index in self.rng.sample(range(50), 20):
            counts[index] -= 1
        for index in range(50):
            counts[index] = max(counts[index], 2)
        while sum(counts) > 187:
            counts[counts.index(max(counts))] -= 1
        while sum(counts) < 187:
            counts[self.rng.randrange(50)] += 1
        non_latin = iter(NON_LATIN)
        non_latin_at = {3, 17, 26}
        for account_index, (account, count) in enumerate(zip(self.accounts, counts, strict=True)):
            domain = account["website"][4:]
            for person in range(count):
                head = FAMILY_HEADS.get(account["name"].split()[0])
                if account_index in non_latin_at and person == 1:
                    given, family, local, _ = next(non_latin)
                elif person == 0 and head:
                    given, family = head
                    self.used_names.add(head)
                    local = ascii_local(f"{given}.{family}")
                else:
                    given, family = self.pick_name(account["country"])
                    local = ascii_local(f"{given}.{family}")
                title = TITLES[0] if person == 0 else self.rng.choice(TITLES[1:])
                self.add_contact(account, given, family, title, f"{local}@{domain}")
        for given_family, (company, title) in zip(
            [self.pick_name("DE") for _ in range(10)], FREELANCERS, strict=True
        ):
            given, family = given_family
            local = ascii_local(f"{given}.{family}")
            contact = self.add_contact(None, given, family, title, f"{local}@mail.example")
            if company:
                contact["notes"] = f"{company} {family}: independent, bills by the day."
        # Three more without an account: the demo needs 200 people.
        for title in ("Retired plant manager, gives referrals", "Student, master's thesis",
                      "Recruiter"):  # fmt: skip
            given, family = self.pick_name("DE")
            self.add_contact(None, given, family, title, f"{ascii_local(given)}@post.example")

    def add_contact(
        self, account: dict[str, Any] | None, given: str, family: str, title: str, email: str
    ) -> dict[str, Any]:
        r = self.rng
        ref = f"c{len(self.contacts) + 1:03d}"
        country = account["country"] if account else "DE"
        contact: dict[str, Any] = {
            "ref": ref,
            "account": account["ref"] if account else None,
            "first_name": given,
            "last_name": family,
            "title": title,
            "emails": [["work", email]],
            "phones": [],
            "source": r.choice(SOURCES),
            "owner": account["owner"] if account else r.choice(OWNERS),
            "tags": [],
            "created_day": -r.randint(20, 900),
        }
        if account:
            contact["phones"].append(["work", self._office_extension(account["phone"])])
        if r.random() < 0.55 or not account:
            contact["phones"].append(
                ["mobile", self.phone(account["phone"][:3] if account else "+49", mobile=True)]
            )
        if r.random() < 0.12:
            contact["emails"].append(
                ["home", f"{ascii_local(given)}{r.randint(7, 89)}@mail.example"]
            )
        if not account or r.random() < 0.2:
            contact.update(street=f"{r.choice(['Gartenweg', 'Lindenallee', 'Bergstraße'])} "
                                  f"{r.randint(1, 60)}", postal_code=f"{r.randint(10, 99)}"
                                  f"{r.randint(100, 999)}", city=account["city"] if account
                           else r.choice(["Stuttgart", "München", "Berlin", "Köln"]),
                           country=country)  # fmt: skip
        if title in DECISION_TITLES:
            contact["tags"].append("decision-maker")
        contact["tags"] += r.sample(CONTACT_TAGS, r.choice((0, 0, 1, 1, 2)))
        if r.random() < 0.3:
            contact["birthday"] = (
                f"{r.randint(1962, 1996)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
            )
        if r.random() < 0.25:
            contact["notes"] = r.choice(CONTACT_NOTES)
        email_consent = self.consent()
        if email_consent:
            contact["email_consent"] = email_consent
        if r.random() < 0.15:
            contact["phone_consent"] = {
                "opt_in": True,
                "day": r.randint(-400, -5),
                "source": "Verbal consent on the phone, confirmed by email",
            }
        self.contacts.append(contact)
        if account:
            self.by_account[account["ref"]].append(contact)
        return contact

    def _office_extension(self, switchboard: str) -> str:
        """A direct line: the account's switchboard with another ending."""
        import phonenumbers

        compact = switchboard.replace(" ", "")
        for _ in range(1000):
            number = compact[:-3] + f"{self.rng.randint(100, 999)}"
            if phonenumbers.is_valid_number(phonenumbers.parse(number, None)):
                return number
        raise RuntimeError(f"no direct line found for {switchboard}")

    # deals ---------------------------------------------------------------------------------

    def make_opportunities(self) -> None:
        r = self.rng
        stages = [stage for stage, count in STAGE_COUNTS.items() for _ in range(count)]
        r.shuffle(stages)
        customers = [a for a in self.accounts if self.by_account[a["ref"]]]
        for index, stage in enumerate(stages, start=1):
            account = customers[(index * 7) % len(customers)]
            people = self.by_account[account["ref"]]
            contact = r.choice(people[: max(2, len(people) // 2)])
            product, low, high, pattern = r.choice(PRODUCTS)
            amount = round(r.uniform(low, high) / 100) * 100
            name = pattern.format(line=r.choice(LINES), n=r.choice((5, 8, 12, 20, 40)),
                                  year=2026 + (index % 2))  # fmt: skip
            opportunity: dict[str, Any] = {
                "ref": f"o{index:02d}",
                "name": f"{account['name'].split()[0]}: {name}",
                "account": account["ref"],
                "contact": contact["ref"],
                "stage": stage,
                "amount": f"{amount}.00",
                "currency": "EUR",
                "owner": account["owner"],
                "product": product,
            }
            if stage in ("won", "lost"):
                closed = -r.randint(4, 330)
                opportunity.update(
                    closed_day=closed,
                    expected_close_day=closed + r.randint(-20, 20),
                    created_day=closed - r.randint(30, 150),
                )
                if stage == "lost":
                    opportunity["lost_reason"] = r.choice(LOST_REASONS)
            else:
                created = -r.randint(10, 200)
                if index % 5 == 0:  # stale: nothing happened for over a month
                    created = -r.randint(90, 200)
                    opportunity["story_end"] = -r.randint(36, 60)
                close = r.randint(-12, 150) if stage != "lead" else r.randint(30, 200)
                opportunity.update(created_day=created, expected_close_day=max(close, created + 5))
                opportunity["next_step"] = r.choice(NEXT_STEPS)
                if r.random() < 0.25:
                    opportunity["probability"] = {"lead": 15, "qualified": 30, "proposal": 40,
                                                  "negotiation": 85}[stage]  # fmt: skip
            self.opportunities.append(opportunity)

    # timelines -----------------------------------------------------------------------------

    def interaction(self, kind: str, day: int, subject: str, body: str | None,
                    contact: dict[str, Any] | None, account: str | None = None,
                    opportunity: str | None = None, direction: str | None = None
                    ) -> dict[str, Any]:  # fmt: skip
        r = self.rng
        if kind in ("call", "email") and direction is None:
            direction = r.choice(("inbound", "outbound", "outbound"))
        minutes = {"call": r.choice((5, 10, 15, 20, 30)), "meeting": r.choice((30, 45, 60, 90)),
                   "visit": r.choice((60, 90, 120, 180))}.get(kind)  # fmt: skip
        entry: dict[str, Any] = {
            "kind": kind,
            "day": min(day, -1),
            "time": f"{r.randint(8, 17):02d}:{r.choice(('00', '10', '15', '30', '40', '45'))}",
            "subject": subject,
        }
        for key, value in (("direction", direction), ("body", body),
                           ("duration_minutes", minutes),
                           ("contact", contact["ref"] if contact else None),
                           ("account", account if contact is None else None),
                           ("opportunity", opportunity)):  # fmt: skip
            if value is not None:
                entry[key] = value
        self.interactions.append(entry)
        return entry

    def deal_story(self, opportunity: dict[str, Any]) -> None:
        """The calls, emails, meetings and visits that moved a deal to its stage."""
        r = self.rng
        contact = next(c for c in self.contacts if c["ref"] == opportunity["contact"])
        first = contact["first_name"]
        product = opportunity["product"]
        ref = opportunity["ref"]
        stage = opportunity["stage"]
        start = opportunity["created_day"]
        end = opportunity.get("closed_day", opportunity.pop("story_end", -1))
        steps: list[tuple[str, str, str | None]] = [
            (
                "call",
                f"First call about {product}",
                f"{first} called after the newsletter; "
                f"they have unplanned downtime on {r.choice(LINES)}. Sent our case study.",
            ),
            (
                "email",
                f"Datasheets {product}",
                f"Sent datasheets and the reference list to "
                f"{first}. Asked for machine list and shift model.",
            ),
        ]
        if stage != "lead":
            steps += [
                (
                    "meeting",
                    f"Demo of {product} (online)",
                    "Showed the live dashboard and the "
                    "alarm rules. Questions about data storage and the OPC UA interface.",
                ),
                (
                    "visit",
                    "Site survey",
                    f"Walked the plant with {first}. About "
                    f"{r.randint(6, 40)} machines suitable; WLAN coverage is poor in hall 2.",
                ),
            ]
        if stage in ("proposal", "negotiation", "won", "lost"):
            steps += [
                (
                    "email",
                    f"Quote {product}",
                    f"Sent quote over {opportunity['amount']} EUR, "
                    "valid for 30 days, payment 30 days net.",
                ),
                (
                    "call",
                    "Follow-up on the quote",
                    f"{first} has the quote on the table for the "
                    "next management meeting. Price is the main question.",
                ),
            ]
        if stage in ("negotiation", "won", "lost"):
            steps += [
                (
                    "meeting",
                    "Negotiation with purchasing",
                    "Purchasing asks for 8 % discount "
                    "and a longer warranty. Offered 5 % with a three-year service contract.",
                ),
                ("note", "Internal: discount approved", "Lena approved up to 6 % for this deal."),
            ]
        if stage == "won":
            steps.append(
                (
                    "email",
                    f"Order confirmation {product}",
                    f"Order received from "
                    f"{first}. Delivery in calendar week planned with production.",
                )
            )
        if stage == "lost":
            steps.append(("note", "Deal lost", opportunity["lost_reason"] + "."))
        span = max(end - start, len(steps))
        days = sorted(r.sample(range(start, start + span), len(steps)))
        for day, (kind, subject, body) in zip(days, steps, strict=True):
            self.interaction(kind, day, subject, body, contact, opportunity=ref)

    def account_care(self, total: int) -> None:
        """Everyday contact with customers: support, invoices, check-ins, notes."""
        r = self.rng
        templates = [
            (
                "call",
                "Support: sensor offline",
                "Sensor {s} on {line} sends no data since the "
                "weekend. Walked {first} through the gateway restart; works again.",
            ),
            (
                "call",
                "Quick check-in",
                "{first} is happy with the dashboard; asked about the new vibration thresholds.",
            ),
            (
                "call",
                "Question about invoice {inv}",
                "{first} asked why the service fee rose; explained the index clause.",
            ),
            (
                "email",
                "Re: maintenance report {month}",
                "Sent the monthly sensor health report. "
                "Two bearings on {line} show rising vibration.",
            ),
            ("email", "Invitation: user meeting in Stuttgart", None),
            (
                "email",
                "Firmware update 2.4 for SensorKit",
                "Release notes sent; update is optional, recommended before winter.",
            ),
            (
                "email",
                "Re: access for new colleague",
                "Created a Wartungsplaner login for {first}'s new colleague.",
            ),
            (
                "meeting",
                "Quarterly review",
                "Reviewed downtime figures with {first}: "
                "unplanned stops down by a third since the rollout.",
            ),
            (
                "meeting",
                "Planning next year's budget",
                "{first} plans to extend monitoring to {line}; budget decision in Q1.",
            ),
            (
                "note",
                "Met at the trade fair",
                "Talked to {first} at the booth; interested in the edge gateway.",
            ),
            (
                "note",
                "Reorganisation",
                "{first} says maintenance will move under operations from next quarter.",
            ),
            (
                "visit",
                "Installation of additional sensors",
                "Installed {n} more sensors on {line}; handed over to {first}.",
            ),
            ("visit", "Annual service visit", "Calibrated sensors and replaced {n} batteries."),
            (
                "call",
                "Rückruf wegen Wartungsvertrag",
                "{first} möchte den Wartungsvertrag um ein Jahr verlängern. Angebot folgt.",
            ),
            ("email", "Schulungstermine", "Drei Termine für die Schulung vorgeschlagen."),
        ]
        people = [c for c in self.contacts if c["account"]]
        for _ in range(total):
            contact = r.choice(people)
            kind, subject, body = r.choice(templates)
            values = {"first": contact["first_name"], "line": r.choice(LINES),
                      "s": f"S-{r.randint(100, 999)}", "inv": f"R-2026-{r.randint(1000, 9999)}",
                      "month": r.choice(("January", "April", "July", "October")),
                      "n": r.randint(2, 12)}  # fmt: skip
            day = -int(r.triangular(1, 365, 1))
            to_account = r.random() < 0.08
            self.interaction(
                kind,
                day,
                subject.format(**values),
                body.format(**values) if body else None,
                None if to_account else contact,
                account=contact["account"] if to_account else None,
            )

    def make_interactions(self) -> None:
        for opportunity in self.opportunities:
            self.deal_story(opportunity)
        self.account_care(1000 - len(self.interactions))
        self.interactions.sort(key=lambda i: (i["day"], i["time"]))
        self.add_follow_ups()

    def add_follow_ups(self) -> None:
        """Follow-ups: done ones in the past; some overdue, some due today, some coming up."""
        r = self.rng
        recent = [i for i in self.interactions if -21 <= i["day"] <= -1 and "contact" in i]
        older = [i for i in self.interactions if i["day"] < -21]
        for entry in r.sample(older, 80):
            entry["follow_up_day"] = entry["day"] + r.randint(2, 14)
            entry["follow_up_done"] = True
        chosen = r.sample(recent, 30)
        for n, entry in enumerate(chosen):
            if n < 9:  # overdue
                entry["follow_up_day"] = r.randint(entry["day"] + 1, 0) if entry["day"] < -1 else -1
                entry["follow_up_day"] = min(entry["follow_up_day"], -1)
            elif n < 13:  # due today
                entry["follow_up_day"] = 0
            else:  # coming up
                entry["follow_up_day"] = r.randint(1, 21)
            entry["follow_up_done"] = False

    # calendar ------------------------------------------------------------------------------

    def make_appointments(self) -> None:
        r = self.rng
        a = {acc["name"].split()[0]: acc for acc in self.accounts}
        mueller, brandt, novak = a["Müller"], a["Brandt"], a["Novák"]
        recurring = [
            {"title": "Weekly sales meeting", "day": -84, "weekday": 0, "time": "09:00",
             "minutes": 45, "location": "Office, meeting room 1", "rrule": "FREQ=WEEKLY",
             "reminder_minutes": 10, "notes": "Pipeline, follow-ups due, trade fair planning."},
            {"title": "Jour fixe Müller Maschinenbau", "day": -70, "weekday": 3, "time": "14:00",
             "minutes": 60, "location": "Teams", "rrule": "FREQ=WEEKLY;INTERVAL=2",
             "account": mueller["ref"], "contact": self.by_account[mueller["ref"]][0]["ref"],
             "reminder_minutes": 15},
            {"title": "Monthly pipeline review", "day": -60, "time": "16:00", "minutes": 60,
             "location": "Office", "rrule": "FREQ=MONTHLY;COUNT=12", "reminder_minutes": 30},
            {"title": "Support stand-up", "day": -30, "weekday": 0, "time": "08:45",
             "minutes": 15, "location": "Teams", "rrule": "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR"},
            {"title": "Quarterly review Brandt Elektrotechnik", "day": -40, "time": "10:00",
             "minutes": 90, "location": brandt["street"] + ", " + brandt["city"],
             "rrule": "FREQ=MONTHLY;INTERVAL=3", "account": brandt["ref"],
             "contact": self.by_account[brandt["ref"]][0]["ref"], "reminder_minutes": 60},
        ]  # fmt: skip
        all_day = [
            {"title": "Hannover Messe (booth B12, hall 9)", "day": 17, "days": 3,
             "all_day": True, "location": "Messegelände, Hannover",
             "notes": "Lena, Tomas and Mia at the booth; demo kit in the van."},
            {"title": "Lena on holiday", "day": -2, "days": 5, "all_day": True},
            {"title": "Stocktaking", "day": 9, "days": 1, "all_day": True,
             "location": "Warehouse"},
            {"title": "Training day at Kessler Medizintechnik", "day": 23, "days": 1,
             "all_day": True, "location": "Zeppelinstraße 3, Tuttlingen",
             "account": next(x["ref"] for x in self.accounts if x["name"].startswith("Kessler"))},
        ]  # fmt: skip
        overlapping = [
            {"title": "Demo SensorKit at Brandt", "day": 1, "time": "10:00", "minutes": 60,
             "location": brandt["street"] + ", " + brandt["city"], "account": brandt["ref"],
             "contact": self.by_account[brandt["ref"]][1]["ref"], "reminder_minutes": 30},
            {"title": "Call with Novák Strojírny about the rollout", "day": 1, "time": "10:30",
             "minutes": 45, "location": "Phone", "account": novak["ref"],
             "contact": self.by_account[novak["ref"]][0]["ref"], "reminder_minutes": 10},
            {"title": "Workshop Wartungsplaner at Müller", "day": 3, "time": "14:00",
             "minutes": 90, "location": mueller["street"] + ", " + mueller["city"],
             "account": mueller["ref"], "reminder_minutes": 60},
            {"title": "Webinar: predictive maintenance for food producers", "day": 3,
             "time": "15:00", "minutes": 60, "location": "Online"},
        ]  # fmt: skip
        self.appointments = recurring + all_day + overlapping
        self.appointments += self.one_off(80 - len(self.appointments))
        for item in self.appointments:
            item.setdefault("created_day", min(item["day"], 0) - r.randint(3, 40))

    def one_off(self, count: int) -> list[dict[str, Any]]:
        """Meetings, calls and visits with customers from three weeks ago to five weeks ahead."""
        r = self.rng
        kinds = [
            ("Demo of {product} for {account}", 60, "Teams"),
            ("Site visit {account}", 120, "{address}"),
            ("Call with {name}", 30, "Phone"),
            ("Negotiation {account}", 90, "{address}"),
            ("Lunch with {name}", 90, "Restaurant near {city}"),
            ("Installation SensorKit at {account}", 180, "{address}"),
            ("Kick-off {account}", 60, "{address}"),
            ("Review of the pilot with {name}", 45, "Teams"),
        ]  # fmt: skip
        slots = ["08:30", "09:00", "10:00", "11:00", "11:30", "13:00", "14:00", "15:00", "16:30"]
        open_deals = [o for o in self.opportunities if o["stage"] not in ("won", "lost")]
        today = [("09:30", 30), ("11:00", 60), ("14:00", 90), ("16:30", 30)]
        items = []
        for n in range(count):
            deal = open_deals[n % len(open_deals)] if n % 3 == 0 else None
            contact = next(c for c in self.contacts if c["ref"] == deal["contact"]) if deal \
                else r.choice([c for c in self.contacts if c["account"]])  # fmt: skip
            account = next(x for x in self.accounts if x["ref"] == contact["account"])
            title, minutes, where = r.choice(kinds)
            values = {"product": deal["product"] if deal else "SensorKit",
                      "account": account["name"].split(" GmbH")[0], "city": account["city"],
                      "name": f"{contact['first_name']} {contact['last_name']}",
                      "address": f"{account['street']}, {account['city']}"}  # fmt: skip
            if n < len(today):
                day, (time, minutes) = 0, today[n]
            else:
                day = int(r.triangular(-21, 35, 3))
                time = r.choice(slots)
            item: dict[str, Any] = {
                "title": title.format(**values),
                "day": day,
                "time": time,
                "minutes": minutes,
                "location": where.format(**values),
                "contact": contact["ref"],
                "account": account["ref"],
            }
            if deal:
                item["opportunity"] = deal["ref"]
            if r.random() < 0.6:
                item["reminder_minutes"] = r.choice((10, 15, 30, 60))
            if r.random() < 0.2:
                item["notes"] = r.choice(
                    (
                        "Bring the demo case.",
                        "Parking at gate 2.",
                        "Ask for the machine list.",
                        "Send agenda beforehand.",
                    )
                )
            items.append(item)
        return items

    # output ----------------------------------------------------------------------------------

    def build(self) -> dict[str, Any]:
        self.make_accounts()
        self.make_contacts()
        self.make_opportunities()
        self.make_interactions()
        self.make_appointments()
        for opportunity in self.opportunities:
            del opportunity["product"]
        return {
            "about": " ".join(__doc__.split("\n\n", 2)[2].split()),
            "format": 1,
            "accounts": self.accounts,
            "contacts": self.contacts,
            "opportunities": self.opportunities,
            "interactions": self.interactions,
            "appointments": self.appointments,
        }


def dumps(data: dict[str, Any]) -> str:
    """JSON with one record per line, so changes to the demo read well in a diff."""
    lines = ["{"]
    keys = list(data)
    for n, key in enumerate(keys):
        comma = "," if n < len(keys) - 1 else ""
        value = data[key]
        if isinstance(value, list):
            lines.append(f"  {json.dumps(key)}: [")
            for m, item in enumerate(value):
                tail = "," if m < len(value) - 1 else ""
                lines.append("    " + json.dumps(item, ensure_ascii=False) + tail)
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Write the package's demo.json and say what it holds."""
    data = Demo().build()
    OUT.write_text(dumps(data), encoding="utf-8")
    sizes = ", ".join(f"{len(v)} {k}" for k, v in data.items() if isinstance(v, list))
    print(f"wrote {OUT}: {sizes}")


if __name__ == "__main__":
    main()
