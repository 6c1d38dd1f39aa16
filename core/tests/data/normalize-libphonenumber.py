"""Regenerates normalize-libphonenumber.tsv: what Google's libphonenumber (the Python port,
`pip install phonenumbers==9.0.19`) reads each input as. Rows: text, default region, E.164
or `-` when libphonenumber cannot read it. Inputs: every region's example mobile and fixed
numbers in national (own region), international and E.164 form (own region, US, GB),
then hand-picked cases (trunk prefixes, international prefixes, extensions, vanity)."""

import phonenumbers as p
from phonenumbers import PhoneNumberFormat as F
from phonenumbers import PhoneNumberType as T

EXTRA = [
    ("+7 800 555 35 35", "US"), ("8 800 555 35 35", "RU"), ("+7 (912) 345-67-89", "RU"),
    ("8 (912) 345-67-89", "RU"), ("+44 (0) 20 7946 0958", "US"), ("+44 (0)117 496 0123", "US"),
    ("011 44 20 7946 0958", "US"), ("00 33 1 42 68 53 00", "GB"), ("0033142685300", "DE"),
    ("011 86 131 2345 6789", "US"), ("+86 131 2345 6789", "CN"), ("+1 202 555 0162 ext. 123", "US"),
    ("202-555-0162 x12", "US"), ("1-800-FLOWERS", "US"), ("tel:+1-202-555-0162", "US"),
    ("+１ ２０２ ５５５ ０１６２", "US"), ("٠٢٠ ٧٩٤٦ ٠٩٥٨", "GB"), ("33 1 42 68 53 00", "FR"),
    ("06 1 234 5678", "HU"), ("+36 1 234 5678", "US"), ("+2011114612", "US"), ("+20 10 1234 5678", "US"),
    ("1 202 555 0162", "US"), ("+1 (202) 555-0162", "CA"), ("+49 (0) 30 123456", "GB"),
    ("0049 30 123456", "FR"), ("+39 06 1234 5678", "US"), ("06 1234 5678", "IT"),
    ("+54 9 11 2345-6789", "US"), ("011 15-2345-6789", "AR"), ("250 123 456", "RW"),
    ("+250 250 123 456", "US"), ("+55 11 96123-4567", "US"), ("(11) 96123-4567", "BR"),
    ("+61 4 1234 5678", "GB"), ("04 1234 5678", "AU"), ("+353 1 234 5678", "GB"),
    ("+1 242 359 1234", "GB"), ("+47 22 12 34 56", "US"), ("+358 18 1234567", "GB"),
]


def read(text: str, region: str) -> str:
    try:
        return p.format_number(p.parse(text, region), F.E164)
    except Exception:
        return "-"


rows = []
for r in sorted(p.SUPPORTED_REGIONS):
    for kind in (T.MOBILE, T.FIXED_LINE):
        n = p.example_number_for_type(r, kind)
        if n is None:
            continue
        for fmt in (F.NATIONAL, F.INTERNATIONAL, F.E164):
            text = p.format_number(n, fmt)
            for default in sorted({r, "US", "GB"}):
                if fmt == F.NATIONAL and default != r:
                    continue
                rows.append((text, default, read(text, default)))
rows += [(text, region, read(text, region)) for text, region in EXTRA]
with open(__file__.replace(".py", ".tsv"), "w", encoding="utf-8") as out:
    for row in rows:
        out.write("\t".join(row) + "\n")
