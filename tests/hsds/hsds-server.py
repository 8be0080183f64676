#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""An HSDS 3.0 API server for Haven's tests and benchmarks.

It serves a synthetic directory of support services that is generated on
the fly from a seed: service i of generation g is a pure function of
(seed, i, g), so 100,000 services are listed, paged and streamed without
ever being held in memory. A test switches generations to make services
change, disappear and appear between two syncs, and switches faults on to
see how a client copes with a server that misbehaves. tests/hsds/README.md
describes the options, the endpoints and exactly which services change.

Only the Python 3 standard library is used, so that it runs wherever the
tests run.
"""

import argparse
import datetime
import functools
import hashlib
import http.server
import json
import math
import signal
import socket
import sys
import threading
import time
import urllib.parse
from array import array

# Vocabulary ---------------------------------------------------------------

# (city, state_province, country, ISO 3166-2 code, postcode pattern,
#  telephone prefix, latitude, longitude). Postcode patterns: A = letter,
# 9 = digit; the rest is copied.
CITIES = [
    ("London", "Greater London", "GB", "GB-LND", "EC1A 9AA", "+44 20 7946 0", 51.5072, -0.1276),
    ("Manchester", "Greater Manchester", "GB", "GB-MAN", "M9 9AA", "+44 161 496 0", 53.4808, -2.2426),
    ("Leeds", "West Yorkshire", "GB", "GB-LDS", "LS9 9AA", "+44 113 496 0", 53.8008, -1.5491),
    ("Birmingham", "West Midlands", "GB", "GB-BIR", "B99 9AA", "+44 121 496 0", 52.4862, -1.8904),
    ("Glasgow", "Scotland", "GB", "GB-GLG", "G99 9AA", "+44 141 496 0", 55.8642, -4.2518),
    ("Cardiff", "Wales", "GB", "GB-CRF", "CF99 9AA", "+44 29 2018 0", 51.4816, -3.1791),
    ("Bristol", "City of Bristol", "GB", "GB-BST", "BS9 9AA", "+44 117 496 0", 51.4545, -2.5879),
    ("Belfast", "Northern Ireland", "GB", "GB-BFS", "BT9 9AA", "+44 28 9649 6", 54.5973, -5.9301),
    ("Dublin", "Leinster", "IE", "IE-D", "D99 A9A9", "+353 1 555 0", 53.3498, -6.2603),
    ("Cork", "Munster", "IE", "IE-CO", "T99 A9A9", "+353 21 555 0", 51.8985, -8.4756),
    ("Chicago", "IL", "US", "US-IL", "60699", "+1 312 555 0", 41.8781, -87.6298),
    ("Austin", "TX", "US", "US-TX", "78799", "+1 512 555 0", 30.2672, -97.7431),
    ("Seattle", "WA", "US", "US-WA", "98199", "+1 206 555 0", 47.6062, -122.3321),
    ("Boston", "MA", "US", "US-MA", "02199", "+1 617 555 0", 42.3601, -71.0589),
    ("Toronto", "ON", "CA", "CA-ON", "M9A 9A9", "+1 416 555 0", 43.6532, -79.3832),
    ("Vancouver", "BC", "CA", "CA-BC", "V9A 9A9", "+1 604 555 0", 49.2827, -123.1207),
    ("Melbourne", "VIC", "AU", "AU-VIC", "3999", "+61 3 9555 0", -37.8136, 144.9631),
    ("Sydney", "NSW", "AU", "AU-NSW", "2999", "+61 2 9555 0", -33.8688, 151.2093),
]

COUNTRY_NAMES = {
    "GB": "United Kingdom", "IE": "Ireland", "US": "United States",
    "CA": "Canada", "AU": "Australia",
}

CURRENCIES = {"GB": "GBP", "IE": "EUR", "US": "USD", "CA": "CAD", "AU": "AUD"}

STREETS = [
    "High Street", "Station Road", "Church Lane", "Victoria Road", "Market Place",
    "King Street", "Queen Street", "Mill Lane", "Park Road", "Castle Street",
    "Bridge Street", "North Road", "Union Street", "George Street", "Albert Road",
    "Main Street", "Chapel Street", "Water Lane", "York Road", "Grove Road",
]

# Streets used only by confidential places, so that a test can look for
# their addresses in what a client stored and find none.
REDACTED_STREETS = ["Larkspur Close", "Hawthorn Mews", "Quillet Row", "Sorrel Garth"]
CONFIDENTIAL_STREETS = ["Wrenfield Court", "Bramblecote Walk", "Tansy Yard", "Ostler's Croft"]
SAFE_HOUSE_NAMES = ["Rowan House", "Linden Lodge", "Harbour House", "Willow Refuge"]

ORGANIZATION_KINDS = [
    "Victim Support", "Citizens Advice", "Cyber Safety Trust", "Community Law Centre",
    "Online Safety Network", "Women's Aid", "Scam Action", "Digital Rights Advice",
    "Safer Internet Centre", "Survivors' Alliance", "Neighbourhood Advice Project",
    "Youth Counselling Service",
]

# Taxonomy terms: code -> (taxonomy, name, description). The haven terms are
# those data/directory/categories.ini maps; the AIRS ones match its
# RP-1500.1400* and RP-1400.8000-020* prefixes (every category).
TERMS = {
    "haven-account-security": ("haven", "Account security",
                               "Help getting back into a hacked account and keeping it safe."),
    "haven-malware-recovery": ("haven", "Malware recovery",
                               "Help removing malicious software and checking a device."),
    "haven-fraud-support": ("haven", "Fraud support",
                            "Help after losing money or details to an online scam."),
    "haven-identity-theft": ("haven", "Identity theft",
                             "Help when someone pretends to be you online."),
    "haven-image-abuse": ("haven", "Intimate image abuse",
                          "Help when intimate images are shared without consent."),
    "haven-sextortion": ("haven", "Sextortion",
                         "Help when someone threatens to share sexual images."),
    "haven-child-protection": ("haven", "Child protection",
                               "Help when a child is harmed or exploited online."),
    "haven-harassment-support": ("haven", "Harassment support",
                                 "Help with online harassment, stalking and threats."),
    "haven-victim-support": ("haven", "Victim support",
                             "Emotional and practical support for victims of crime."),
    "haven-counselling": ("haven", "Counselling", "Talking therapy and counselling."),
    "haven-crisis-line": ("haven", "Crisis line", "Someone to talk to at any hour."),
    "haven-legal-advice": ("haven", "Legal advice", "Free or low-cost legal advice."),
    "haven-official-reporting": ("haven", "Official reporting",
                                 "Reporting a crime or a harmful site to the authorities."),
    "RP-1500.1400-500": ("AIRS", "Crisis Intervention Hotlines",
                         "Telephone lines that offer immediate help in a crisis."),
    "RP-1400.8000-020.18": ("AIRS", "Cyber Crime Victim Counseling",
                            "Counselling for people harmed by crime online."),
}

# Kinds of service: (name, sentence about what it does, term codes,
# other names a later revision may use).
SERVICE_KINDS = [
    ("Fraud Recovery Clinic",
     "Caseworkers help people who lost money to an online scam to contact their bank, "
     "report the fraud and protect their accounts.",
     ["haven-fraud-support"], ["Scam Recovery Clinic", "Fraud Advice Centre"]),
    ("Scam Advice Line",
     "A telephone line for anyone unsure whether a message, call or website is a scam.",
     ["haven-fraud-support"], ["Scam Helpline", "Fraud Advice Line"]),
    ("Account Recovery Help Desk",
     "Volunteers walk you through getting back into hacked email and social media "
     "accounts and turning on two-step sign-in.",
     ["haven-account-security"], ["Hacked Account Help Desk", "Account Security Surgery"]),
    ("Malware Clean-up Clinic",
     "Bring your phone or laptop: we check it for spyware and stalkerware and help "
     "remove it safely.",
     ["haven-malware-recovery"], ["Device Check Clinic", "Spyware Removal Service"]),
    ("Identity Theft Support",
     "Support when someone has opened accounts, taken out credit or made profiles "
     "in your name.",
     ["haven-identity-theft"], ["Impersonation Support Service", "ID Fraud Support"]),
    ("Image Abuse Helpline",
     "Confidential help to get intimate images removed from websites and social media.",
     ["haven-image-abuse"], ["Intimate Image Removal Service", "Image Abuse Support"]),
    ("Sextortion Support Service",
     "Urgent advice when someone demands money or more images in exchange for not "
     "sharing sexual pictures of you.",
     ["haven-sextortion", "haven-image-abuse"], ["Sextortion Helpline", "Sextortion Advice"]),
    ("Child Online Safety Advice",
     "Advice for children, parents and carers when a child is groomed, exploited or "
     "harmed online.",
     ["haven-child-protection"], ["Young People's Online Safety Service",
                                  "Child Exploitation Advice"]),
    ("Online Harassment Support",
     "Practical help to record, report and stop online harassment, threats and stalking.",
     ["haven-harassment-support"], ["Cyberstalking Support", "Harassment Advice Service"]),
    ("Victim Support Drop-in",
     "Free, confidential emotional and practical support for anyone affected by crime, "
     "whether or not it was reported to the police.",
     ["haven-victim-support"], ["Victim Care Drop-in", "Support After Crime"]),
    ("Counselling After Online Abuse",
     "Up to twelve free counselling sessions for adults affected by online abuse.",
     ["haven-counselling"], ["Trauma Counselling Service", "Talking Therapies"]),
    ("Crisis Line",
     "Trained listeners answer calls day and night from anyone in distress.",
     ["haven-crisis-line", "RP-1500.1400-500"], ["Night Line", "Listening Line"]),
    ("Cyber Crime Legal Advice",
     "Solicitors give free half-hour appointments on online harassment, defamation "
     "and image abuse.",
     ["haven-legal-advice"], ["Online Abuse Legal Clinic", "Digital Rights Law Clinic"]),
    ("Report Online Crime Desk",
     "Help making a report to the police or the national fraud reporting centre, and "
     "a crime reference number to give your bank.",
     ["haven-official-reporting"], ["Crime Reporting Help Desk", "Reporting Assistance"]),
    ("Cyber Crime Victim Counselling",
     "Counsellors who specialise in the effects of online crime on people and families.",
     ["RP-1400.8000-020.18"], ["Online Crime Counselling", "Cyber Victim Counselling"]),
]

# Kinds for the places whose address must stay hidden.
SAFE_KINDS = [
    ("Domestic Abuse Refuge",
     "Safe, confidential accommodation for women and children escaping abuse, "
     "including abuse through phones and social media. Call first: the address is "
     "given only to residents.",
     ["haven-victim-support", "haven-harassment-support"], ["Refuge", "Safe Accommodation"]),
    ("Safe House for Survivors",
     "Emergency housing and support for people fleeing stalking and coercive control. "
     "Referrals by telephone; the location is never published.",
     ["haven-harassment-support"], ["Survivors' Safe House", "Emergency Refuge"]),
]

EXTRA_SENTENCES = [
    "No appointment is needed for a first visit.",
    "Interpreters can be booked for any language.",
    "Appointments can also be held by video call.",
    "Step-free access and a hearing loop are available.",
    "We never ask you to prove what happened before we help.",
    "Referrals are accepted from the police, schools and GPs.",
    "Volunteers receive specialist training in online harms.",
    "Evening appointments are available on request.",
]

LANGUAGES = [
    ("pl", "Polish"), ("ar", "Arabic"), ("ur", "Urdu"), ("es", "Spanish"),
    ("fr", "French"), ("zh", "Chinese"), ("pa", "Punjabi"), ("ro", "Romanian"),
    ("vi", "Vietnamese"), ("ru", "Russian"), ("so", "Somali"), ("pt", "Portuguese"),
]

# Weekly opening hours: rows of (byday, opens_at, closes_at, description).
SCHEDULES = [
    [("MO,TU,WE,TH,FR", "09:00", "17:00", "Monday to Friday, 9am to 5pm")],
    [("MO,TU,WE,TH,FR", "10:00", "16:00", "Weekdays, 10am to 4pm"),
     ("SA", "10:00", "13:00", "Saturday mornings")],
    [("MO,TU,WE,TH,FR,SA,SU", "00:00", "23:59", "Open 24 hours, every day")],
    [("MO,WE,FR", "18:00", "21:00", "Monday, Wednesday and Friday evenings")],
    [("TU,TH", "09:30", "19:30", "Tuesday and Thursday, late opening"),
     ("SA", "09:00", "12:00", "Saturday mornings")],
    [("MO,TU,WE,TH", "08:30", "17:30", "Monday to Thursday"),
     ("FR", "08:30", "16:00", "Friday, closing early")],
    [("FR,SA", "20:00", "02:00", "Friday and Saturday nights")],
    [("MO,TU,WE,TH,FR", "08:00", "20:00", "Weekdays, 8am to 8pm"),
     ("SA,SU", "10:00", "16:00", "Weekends, 10am to 4pm")],
]

NAME_SUFFIXES = ["Service", "Hub", "Centre", "Project", "Network", "Point", "Team"]

BASE_EPOCH = int(datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc).timestamp())
# Generation 0's services were last modified within 300 days of BASE_EPOCH.
BASE_SPAN = 300 * 86400
# With --clock fixed, generation k's changes happen at FIXED_EPOCH + k hours.
FIXED_EPOCH = int(datetime.datetime(2025, 12, 1, tzinfo=datetime.timezone.utc).timestamp())


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def parse_iso(text):
    """An ISO 8601 date or date-time; without an offset it is UTC."""
    text = text.strip()
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    value = datetime.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.timestamp()


def digest(seed, kind, i, v=0):
    """256 deterministic bits for (seed, kind, i, v)."""
    return int.from_bytes(hashlib.blake2b(b"%d/%s/%d/%d" % (seed, kind, i, v),
                                          digest_size=32).digest(), "big")


def uuidish(n):
    """A UUID (version 5 layout) from the low 128 bits of n."""
    x = "%032x" % (n & ((1 << 128) - 1))
    return "%s-%s-5%s-%s%s-%s" % (x[0:8], x[8:12], x[13:16], "89ab"[int(x[16], 16) & 3],
                                  x[17:20], x[20:32])


def slug(text):
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-").replace("--", "-")


def fill_pattern(pattern, bits):
    out = []
    for c in pattern:
        if c == "9":
            out.append("0123456789"[bits % 10])
            bits //= 10
        elif c == "A":
            out.append("ABDEFGHJLNPQRSTUWXYZ"[bits % 20])
            bits //= 20
        else:
            out.append(c)
    return "".join(out)


TERM_IDS = {code: uuidish(digest(0, b"term", i)) for i, code in enumerate(sorted(TERMS))}
TAXONOMY_IDS = {"haven": uuidish(digest(0, b"taxonomy", 1)),
                "AIRS": uuidish(digest(0, b"taxonomy", 2))}
TAXONOMY_DESCRIPTIONS = {"haven": "Haven categories of online harm and support.",
                         "AIRS": "The 211 LA County / AIRS taxonomy of human services."}


def taxonomy_term(code):
    taxonomy, name, description = TERMS[code]
    return {
        "id": TERM_IDS[code],
        "code": code,
        "name": name,
        "description": description,
        "taxonomy": taxonomy,
        "taxonomy_id": TAXONOMY_IDS[taxonomy],
        "taxonomy_detail": {"id": TAXONOMY_IDS[taxonomy], "name": taxonomy,
                            "description": TAXONOMY_DESCRIPTIONS[taxonomy], "version": "1"},
        "language": "en",
    }


def attributes_template(codes):
    """The attributes of a kind of service as JSON text, with @SID@ for the
    service's id and @HEAD@@TAIL@ around the tag of each attribute's id."""
    return "[" + ",".join(
        '{"id":"@HEAD@%04x@TAIL@","link_id":"@SID@","link_type":"category",'
        '"link_entity":"service","taxonomy_term_id":"%s","taxonomy_term":%s}'
        % (0x401 + j, TERM_IDS[code], dumps(taxonomy_term(code)))
        for j, code in enumerate(codes)) + "]"


def complete_kinds(kinds):
    return [(name, text, codes, others, slug(name), attributes_template(codes))
            for name, text, codes, others in kinds]


def dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


encode_string = json.encoder.encode_basestring
SERVICE_KINDS = complete_kinds(SERVICE_KINDS)
SAFE_KINDS = complete_kinds(SAFE_KINDS)


# The directory --------------------------------------------------------------

class Directory:
    """The services of every generation, computed from the seed on demand.

    Base services are indices 0..n-1. Generation k (k >= 1) adds
    `added` services, indices n + (k-1)*added .. n + k*added - 1, and
    applies a permutation of the base indices, pos_k(i) = (a_k*i + b_k) mod n:
    a base service with pos_k(i) < n_changed is changed in generation k,
    one with n_changed <= pos_k(i) < n_changed + n_deleted is deleted in
    generation k. Deletion is final; a deleted service is not changed again.
    """

    def __init__(self, n, seed, change_percent, delete_percent, added, clock):
        self.n = n
        self.seed = seed
        self.n_changed = 0 if n == 0 or change_percent <= 0 else \
            max(1, round(n * change_percent / 100))
        self.n_deleted = 0 if n == 0 or delete_percent <= 0 else \
            max(1, round(n * delete_percent / 100))
        self.n_changed = min(self.n_changed, n)
        self.n_deleted = min(self.n_deleted, n - self.n_changed)
        self.added = added
        self.clock = clock
        self.permutations = [None]
        self.generation_times = [None]
        self.lock = threading.Lock()
        self.live_cache = {}
        self.filter_cache = {}
        self.ids = None
        self.ids_size = 0

    # Generations.

    def permutation(self, k):
        while len(self.permutations) <= k:
            g = len(self.permutations)
            bits = digest(self.seed, b"generation", g)
            if self.n <= 1:
                self.permutations.append((1, 0))
                continue
            a = 1 + bits % (self.n - 1)
            while math.gcd(a, self.n) != 1:
                a = a % (self.n - 1) + 1
            self.permutations.append((a, (bits >> 64) % self.n))
        return self.permutations[k]

    def ensure_generation(self, g, now=None):
        """Gives generations up to g their time of change."""
        with self.lock:
            self.permutation(g)
            if now is None:
                # The next whole second: a client that notes the time of its
                # sync to the millisecond and asks for what changed on or
                # after it must not miss a change made in the same second.
                now = math.ceil(time.time())
            first_new = len(self.generation_times)
            for k in range(first_new, g + 1):
                if self.clock == "fixed":
                    t = FIXED_EPOCH + 3600 * k
                else:
                    # Generations given at start-up happened a second apart,
                    # the last one now; each is after the one before.
                    t = now - (g - k)
                    t = max(t, (self.generation_times[k - 1] or 0) + 1)
                self.generation_times.append(t)

    def history(self, i, g):
        """(version, deleted_in) of base service i at generation g: version
        is the last generation that changed it (0 if none), deleted_in the
        generation that deleted it (0 if none)."""
        version = 0
        n = self.n
        for k in range(1, g + 1):
            a, b = self.permutations[k]
            pos = (a * i + b) % n
            if pos < self.n_changed:
                version = k
            elif pos < self.n_changed + self.n_deleted:
                return version, k
        return version, 0

    def added_generation(self, i):
        """The generation that added service i (0 for a base service)."""
        return 0 if i < self.n else (i - self.n) // self.added + 1

    def exists(self, i, g):
        if i < 0:
            return False
        if i < self.n:
            return self.history(i, g)[1] == 0
        return self.added_generation(i) <= g if self.added > 0 else False

    def live(self, g):
        """The indices of the services of generation g, in listing order."""
        with self.lock:
            cached = self.live_cache.get(g)
        if cached is not None:
            return cached
        if g == 0:
            indices = range(self.n)
        else:
            indices = array("l", (i for i in range(self.n) if self.history(i, g)[1] == 0))
            indices.extend(range(self.n, self.n + g * self.added))
        with self.lock:
            self.live_cache = {g: indices}
            return indices

    def last_modified_ts(self, i, g):
        if i >= self.n:
            return self.generation_times[self.added_generation(i)]
        version = self.history(i, g)[0]
        if version > 0:
            return self.generation_times[version]
        return BASE_EPOCH + digest(self.seed, b"time", i) % BASE_SPAN

    def filtered(self, g, modified_after):
        """The live indices of generation g modified on or after a time."""
        live = self.live(g)
        if modified_after is None:
            return live
        key = (g, modified_after)
        with self.lock:
            cached = self.filter_cache.get(key)
        if cached is not None:
            return cached
        result = array("l", (i for i in live if self.last_modified_ts(i, g) >= modified_after))
        with self.lock:
            if len(self.filter_cache) > 8:
                self.filter_cache.clear()
            self.filter_cache[key] = result
        return result

    # Identity.

    def base_bits(self, i):
        """512 bits for service i: its id (the low 128), the time generation
        0 last modified it, and the choices its content is made of."""
        return int.from_bytes(hashlib.blake2b(b"%d/service/%d" % (self.seed, i),
                                              digest_size=64).digest(), "little")

    def service_id(self, i):
        return uuidish(self.base_bits(i))

    def index_of(self, service_id, g):
        """The index of a service id at generation g, or None."""
        with self.lock:
            size = self.n + g * self.added
            if self.ids is None or self.ids_size < size:
                self.ids = {self.service_id(i): i for i in range(size)}
                self.ids_size = size
            table = self.ids
        i = table.get(service_id)
        if i is None or not self.exists(i, g):
            return None
        return i

    # Records. A service is written as JSON text directly, not built as
    # objects and encoded: it is several times quicker, which is what lets
    # 100,000 services stream in a few seconds.

    @functools.lru_cache(maxsize=65536)
    def organization(self, o):
        """(JSON text, id, name, city, domain) of organization o."""
        bits = digest(self.seed, b"organization", o)
        oid = uuidish(bits)
        bits >>= 128
        city = CITIES[bits % len(CITIES)]
        bits //= len(CITIES)
        kind = ORGANIZATION_KINDS[bits % len(ORGANIZATION_KINDS)]
        bits //= len(ORGANIZATION_KINDS)
        name = "%s %s" % (kind, city[0]) if bits % 2 else "%s %s" % (city[0], kind)
        if o >= len(CITIES) * len(ORGANIZATION_KINDS) // 2:
            # Many organizations share a kind and a city: a branch number keeps
            # their names apart, as real local branches are.
            name += " (branch %d)" % (o + 1)
        domain = "%s.example.org" % slug("%s %s" % (kind, city[0]))
        text = dumps({
            "id": oid,
            "name": name,
            "description": "%s is a registered charity working in %s and the "
                           "surrounding area." % (name, city[0]),
            "email": "info@%s" % domain,
            "website": "https://%s" % domain,
        })
        return text, oid, name, city, domain

    def last_modified_ts(self, i, g, bits=None):
        if i >= self.n:
            return self.generation_times[self.added_generation(i)]
        version = self.history(i, g)[0]
        if version > 0:
            return self.generation_times[version]
        if bits is None:
            bits = self.base_bits(i)
        return BASE_EPOCH + (bits >> 128 & 0xFFFFFFFFFFFFFFFF) % BASE_SPAN

    def service(self, i, g):
        """Service i as generation g has it (assumed to exist), as an object."""
        return json.loads(self.service_json(i, g))

    def service_json(self, i, g):
        """Service i as generation g has it (assumed to exist), as JSON text."""
        seed = self.seed
        base = self.base_bits(i)
        sid = uuidish(base)
        head, tail = sid[:24], sid[28:]
        bits = base >> 192

        def sub(tag):
            # Ids of the service's parts: its own id with one group changed.
            return "%s%04x%s" % (head, tag, tail)

        # Three services to an organization, so that generation 0's service
        # i is the same whatever --services says.
        org_index = i // 3
        org_json, org_id, org_name, city, domain = self.organization(org_index)
        city_name, state, country, region, postcode_pattern, phone_prefix, lat, lon = city

        hidden = i % 50 in (17, 42)
        kinds = SAFE_KINDS if hidden else SERVICE_KINDS
        kind = kinds[bits % len(kinds)]
        kind_name, kind_text, codes, other_names, kind_slug, attributes_template = kind
        bits //= len(kinds)

        version = self.history(i, g)[0] if i < self.n else 0
        if version == 0:
            name = "%s %s" % (city_name, kind_name) if bits % 3 else \
                "%s %s" % (org_name, kind_name)
        else:
            # A revision renames the service; consecutive revisions never
            # share a name.
            name = "%s %s %s" % (city_name, other_names[version % len(other_names)],
                                 NAME_SUFFIXES[version % len(NAME_SUFFIXES)])
        bits //= 3

        extra = EXTRA_SENTENCES[bits % len(EXTRA_SENTENCES)]
        bits //= len(EXTRA_SENTENCES)
        description = "%s %s Run by %s." % (kind_text, extra, org_name)
        if version > 0:
            description += " Details reviewed in revision %d of the directory." % version

        modified = iso(self.last_modified_ts(i, g, base))

        phone = bits % 1000
        bits //= 1000
        parts = [
            '{"id":"%s","organization_id":"%s","name":%s,"description":%s,'
            '"url":"https://%s/%s","email":"help@%s","status":"%s",'
            '"assured_date":"%s","last_modified":"%s","organization":%s,'
            '"phones":[{"id":"%s","service_id":"%s","number":"%s%03d","type":"voice",'
            '"description":"Main line","languages":[]}'
            % (sid, org_id, encode_string(name), encode_string(description), domain,
               kind_slug, domain, "temporarily closed" if i % 100 == 63 else "active",
               modified[:10], modified, org_json, sub(0x101), sid, phone_prefix, phone)
        ]
        if bits % 4 == 0:
            parts.append(',{"id":"%s","service_id":"%s","number":"%s%03d","type":"text",'
                         '"description":"Text messages","languages":[]}'
                         % (sub(0x102), sid, phone_prefix, (phone + 7) % 1000))
        bits //= 4

        parts.append('],"schedules":[')
        rows = SCHEDULES[bits % len(SCHEDULES)]
        bits //= len(SCHEDULES)
        for j, (byday, opens, closes, text) in enumerate(rows):
            parts.append('%s{"id":"%s","service_id":"%s","freq":"WEEKLY","wkst":"MO",'
                         '"byday":"%s","opens_at":"%s","closes_at":"%s","description":"%s"}'
                         % ("," if j else "", sub(0x201 + j), sid, byday, opens, closes, text))

        parts.append('],"service_areas":[')
        reach = bits % 4
        bits //= 4
        if reach == 0:
            parts.append('{"id":"%s","service_id":"%s","name":"%s","x_region_codes":["%s"]}'
                         % (sub(0x801), sid, COUNTRY_NAMES[country], country))
        elif reach == 1:
            parts.append('{"id":"%s","service_id":"%s","name":"%s and %s",'
                         '"x_region_codes":["%s"]}'
                         % (sub(0x801), sid, city_name, state, region))

        location_id = sub(0x501)
        number = 1 + i // 50
        location_type = "physical"
        confidential = ""
        address_2 = ""
        if i % 50 == 17:
            location_type = "redacted"
            location_name = SAFE_HOUSE_NAMES[i // 50 % len(SAFE_HOUSE_NAMES)]
            address_1 = "%d %s" % (number, REDACTED_STREETS[i // 50 % len(REDACTED_STREETS)])
        elif i % 50 == 42:
            confidential = ',"x_confidential":true'
            location_name = SAFE_HOUSE_NAMES[(i // 50 + 1) % len(SAFE_HOUSE_NAMES)]
            address_1 = "%d %s" % (number,
                                   CONFIDENTIAL_STREETS[i // 50 % len(CONFIDENTIAL_STREETS)])
        else:
            location_name = "%s, %s office" % (org_name, city_name)
            address_1 = "%d %s" % (1 + bits % 240, STREETS[bits // 240 % len(STREETS)])
            if bits % 5 == 0:
                address_2 = ',"address_2":"Floor %d"' % (1 + bits % 4)
        bits //= 240 * len(STREETS)
        postal_code = fill_pattern(postcode_pattern, bits % 10 ** 12)
        bits //= 10 ** 12
        latitude = round(lat + ((bits % 2001) - 1000) / 20000, 5)
        bits //= 2001
        longitude = round(lon + ((bits % 2001) - 1000) / 20000, 5)
        bits //= 2001

        parts.append(
            '],"service_at_locations":[{"id":"%s","service_id":"%s","location_id":"%s",'
            '"location":{"id":"%s","location_type":"%s","name":%s,"latitude":%s,'
            '"longitude":%s,"addresses":[{"id":"%s","location_id":"%s",'
            '"address_1":"%s"%s,"city":"%s","state_province":"%s","postal_code":"%s",'
            '"country":"%s","address_type":"physical"}],"languages":[]%s}}],'
            '"languages":[{"id":"%s","name":"English","code":"en"}'
            % (sub(0x701), sid, location_id, location_id, location_type,
               encode_string(location_name), latitude, longitude, sub(0x601), location_id,
               address_1, address_2, city_name, state, postal_code, country, confidential,
               sub(0x301)))
        seen = 1
        for j in range(bits % 3):
            bits //= 3
            code, language = LANGUAGES[bits % len(LANGUAGES)]
            if not seen & (2 << (bits % len(LANGUAGES))):
                seen |= 2 << (bits % len(LANGUAGES))
                parts.append(',{"id":"%s","name":"%s","code":"%s"}'
                             % (sub(0x302 + j), language, code))
        bits //= 3

        parts.append('],"attributes":')
        parts.append(attributes_template.replace("@HEAD@", head).replace("@TAIL@", tail)
                     .replace("@SID@", sid))
        fees = bits % 5
        if fees < 3:
            parts.append(',"fees_description":"Free"')
        elif fees == 3:
            parts.append(',"cost_options":[{"id":"%s","service_id":"%s","amount":0,'
                         '"option":"Everyone","currency":"%s"}]'
                         % (sub(0x901), sid, CURRENCIES[country]))
        else:
            parts.append(',"fees_description":"Free first appointment; a full device check '
                         'is charged for those who can pay."')
        parts.append(',"x_source":"Haven HSDS test server, seed %d"}' % seed)
        return "".join(parts)

    def minimal_json(self, i, g, date_name):
        base = self.base_bits(i)
        return '{"id":"%s","%s":"%s"}' % (uuidish(base), date_name,
                                          iso(self.last_modified_ts(i, g, base)))


# HTTP -----------------------------------------------------------------------

# Each service's history is read generation by generation: keep it short.
MAX_GENERATION = 1000
FAULTS = ("none", "bad-json", "page-loop", "lying-total", "drop", "slow")


class State:
    def __init__(self, args, directory):
        self.directory = directory
        self.generation = 0
        self.fault = args.fault
        self.slow_ms = args.slow_ms
        self.ndjson = args.ndjson
        self.max_per_page = args.max_per_page
        self.minimal_date_name = args.minimal_date_name
        self.lock = threading.Lock()
        self.log = []

    def snapshot(self):
        with self.lock:
            return self.generation, self.fault, self.slow_ms


class DroppedConnection(Exception):
    pass


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "HavenHSDSTest/1.0"

    def log_message(self, format, *args):
        # Tests read stdout for the port only; keep stderr quiet too.
        pass

    @property
    def state(self):
        return self.server.state

    # Responses.

    def send_json(self, status, value):
        self.send_text(status, dumps(value))

    def send_text(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_problem(self, status, message):
        self.send_json(status, {"error": message, "status": status})

    def start_stream(self, content_type):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def write_chunk(self, data):
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def end_stream(self):
        self.wfile.write(b"0\r\n\r\n")

    def drop(self):
        """Closes the connection in the middle of a response."""
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close_connection = True
        raise DroppedConnection()

    # Dispatch.

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        url = urllib.parse.urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        try:
            query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True,
                                                strict_parsing=False))
        except ValueError:
            query = {}
        if not path.startswith("/_admin"):
            with self.state.lock:
                self.state.log.append(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        try:
            if path.startswith("/_admin/"):
                self.admin(method, path, query)
            elif method != "GET":
                self.send_problem(405, "method not allowed")
            elif path == "/":
                self.send_json(200, {
                    "version": "3.0",
                    "profile": "https://openreferral.org/",
                    "openapi_url": "https://raw.githubusercontent.com/openreferral/"
                                   "specification/3.0/schema/openapi.json",
                })
            elif path == "/services":
                self.services(query)
            elif path.startswith("/services/") and path.count("/") == 2:
                self.one_service(urllib.parse.unquote(path[len("/services/"):]))
            else:
                self.send_problem(404, "no such endpoint")
        except DroppedConnection:
            pass
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def one_service(self, service_id):
        g, fault, slow_ms = self.state.snapshot()
        directory = self.state.directory
        if fault == "slow":
            time.sleep(slow_ms / 1000)
        i = directory.index_of(service_id, g)
        if i is None:
            self.send_problem(404, "no service with this id")
            return
        self.send_text(200, directory.service_json(i, g))

    def services(self, query):
        g, fault, slow_ms = self.state.snapshot()
        directory = self.state.directory

        def flag(name):
            return query.get(name, "").lower() in ("true", "1", "yes")

        minimal = flag("minimal")
        modified_after = None
        if query.get("modified_after"):
            try:
                modified_after = parse_iso(query["modified_after"])
            except ValueError:
                self.send_problem(400, "modified_after is not an ISO 8601 date-time")
                return
        try:
            page = int(query.get("page", "1"))
            per_page = int(query["per_page"]) if "per_page" in query else None
        except ValueError:
            self.send_problem(400, "page and per_page must be whole numbers")
            return
        if page < 1 or (per_page is not None and per_page < 1):
            self.send_problem(400, "page and per_page start at 1")
            return

        fmt = query.get("format", "json").lower()
        if fmt == "ndjson" and self.state.ndjson == "reject":
            self.send_problem(400, "format ndjson is not offered")
            return
        if fmt not in ("json", "ndjson") and self.state.ndjson != "ignore":
            self.send_problem(400, "unknown format")
            return

        indices = directory.filtered(g, modified_after)
        if minimal:
            date_name = self.state.minimal_date_name

            def render(i):
                return directory.minimal_json(i, g, date_name)
        else:
            def render(i):
                return directory.service_json(i, g)

        if fmt == "ndjson" and self.state.ndjson == "yes":
            self.ndjson(indices, render, fault, slow_ms)
            return

        if minimal:
            # The spec asks a server to return every minimal record in one
            # page; a client's per_page is still honoured.
            size_limit = per_page or max(1, len(indices))
        else:
            size_limit = min(per_page or 50, self.state.max_per_page)
        self.page(indices, page, size_limit, render, fault, slow_ms)

    def page(self, indices, page, per_page, render, fault, slow_ms):
        total = len(indices)
        total_pages = math.ceil(total / per_page)
        page_number = page
        start = (page - 1) * per_page
        selected = indices[start:start + per_page]
        faulty_page = 2 if total_pages >= 2 else 1

        if fault == "slow":
            time.sleep(slow_ms / 1000)
        if fault == "page-loop":
            # Page 2 onwards repeat page 1 and say they are page 1, and
            # there is always one more page.
            if page >= 2:
                selected = indices[0:per_page]
                page_number = 1
            total_pages = max(total_pages, page + 1)
        if fault == "lying-total":
            # Twice as many services as there are, plus a page: the pages
            # past the real ones are empty.
            total = 2 * total + per_page
            total_pages = math.ceil(total / per_page)

        last = page >= total_pages
        if fault == "page-loop":
            last = False
        head = {
            "total_items": total,
            "total_pages": total_pages,
            "page_number": page_number,
            "size": len(selected),
            "first_page": page_number == 1,
            "last_page": last,
            "empty": len(selected) == 0,
        }
        opening = dumps(head)[:-1].encode() + b',"contents":['
        broken = fault in ("bad-json", "drop") and page == faulty_page

        if len(selected) <= 1000 and not broken:
            body = opening + b",".join(render(i).encode() for i in selected) + b"]}"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return

        self.start_stream("application/json")
        self.write_chunk(opening)
        half = len(selected) // 2
        out = []
        for n, i in enumerate(selected):
            if broken and n == half:
                if fault == "drop":
                    self.write_chunk("".join(out).encode())
                    self.drop()
                # A service cut off in the middle, then a stray brace.
                text = render(i)
                out.append(("," if n else "") + text[:len(text) // 2] + '"}}, {,')
                continue
            out.append(("," if n else "") + render(i))
            if len(out) >= 200:
                self.write_chunk("".join(out).encode())
                out = []
        if broken and fault == "drop":
            # An empty page: drop before its end.
            self.write_chunk("".join(out).encode())
            self.drop()
        out.append("]}")
        self.write_chunk("".join(out).encode())
        self.end_stream()

    def ndjson(self, indices, render, fault, slow_ms):
        self.start_stream("application/x-ndjson")
        half = len(indices) // 2
        while True:
            out = []
            for n, i in enumerate(indices):
                if fault == "slow" and n % 100 == 0:
                    self.write_chunk("".join(out).encode())
                    out = []
                    time.sleep(slow_ms / 1000)
                if n == half and fault == "drop":
                    self.write_chunk("".join(out).encode())
                    self.drop()
                text = render(i)
                if n == half and fault == "bad-json":
                    text = text[:len(text) // 2] + '"}}, {,'
                out.append(text)
                out.append("\n")
                if len(out) >= 400:
                    self.write_chunk("".join(out).encode())
                    out = []
            self.write_chunk("".join(out).encode())
            # page-loop: a stream that never ends, repeating itself.
            if fault != "page-loop" or not indices:
                break
        self.end_stream()

    # Administration: only for tests.

    def admin(self, method, path, query):
        state = self.state
        directory = state.directory
        parts = path.split("/")[2:]
        if method == "POST" and len(parts) == 2 and parts[0] == "generation":
            try:
                g = int(parts[1])
            except ValueError:
                g = -1
            if not 0 <= g <= MAX_GENERATION:
                self.send_problem(400, "a generation is a whole number from 0 to %d"
                                  % MAX_GENERATION)
                return
            directory.ensure_generation(g)
            with state.lock:
                state.generation = g
            self.send_json(200, self.describe())
        elif method == "POST" and len(parts) == 2 and parts[0] == "fault":
            if parts[1] not in FAULTS:
                self.send_problem(400, "faults are " + ", ".join(FAULTS))
                return
            with state.lock:
                state.fault = parts[1]
                if "ms" in query:
                    state.slow_ms = int(query["ms"])
            self.send_json(200, self.describe())
        elif method == "GET" and parts == ["state"]:
            self.send_json(200, self.describe())
        elif method == "GET" and parts == ["log"]:
            with state.lock:
                log = list(state.log)
            self.send_json(200, log)
        elif method in ("POST", "DELETE") and parts in (["log"], ["log", "clear"]):
            with state.lock:
                state.log.clear()
            self.send_json(200, [])
        elif method == "GET" and parts == ["expected"]:
            g = state.snapshot()[0]
            self.start_stream("application/json")
            out = ["["]
            for n, i in enumerate(directory.live(g)):
                out.append(("," if n else "") + directory.service_json(i, g))
                if len(out) >= 200:
                    self.write_chunk("".join(out).encode())
                    out = []
            out.append("]")
            self.write_chunk("".join(out).encode())
            self.end_stream()
        elif method == "GET" and parts == ["changes"]:
            self.send_json(200, self.changes(query))
        else:
            self.send_problem(404, "no such admin endpoint")

    def describe(self):
        g, fault, slow_ms = self.state.snapshot()
        directory = self.state.directory
        return {
            "generation": g,
            "fault": fault,
            "slow_ms": slow_ms,
            "services": len(directory.live(g)),
            "generation_times": [None] + [iso(t) for t in directory.generation_times[1:g + 1]],
        }

    def changes(self, query):
        """What generation g changed, deleted and added since generation
        `since` (default 0), by id."""
        g = self.state.snapshot()[0]
        directory = self.state.directory
        since = int(query.get("since", "0"))
        since = max(0, min(since, g))
        changed, deleted, added = [], [], []
        for i in range(directory.n):
            v_then, d_then = directory.history(i, since)
            v_now, d_now = directory.history(i, g)
            if d_then:
                continue
            if d_now:
                deleted.append(directory.service_id(i))
            elif v_now != v_then:
                changed.append(directory.service_id(i))
        for i in range(directory.n + since * directory.added, directory.n + g * directory.added):
            added.append(directory.service_id(i))
        return {"generation": g, "since": since, "changed": changed, "deleted": deleted,
                "added": added}


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def handle_error(self, request, client_address):
        # A client that hangs up mid-response is part of the tests; any
        # other error is the server's own and must show.
        if not isinstance(sys.exc_info()[1], (ConnectionError, DroppedConnection)):
            super().handle_error(request, client_address)


def main(argv=None):
    parser = argparse.ArgumentParser(description="HSDS 3.0 API test server")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--services", type=int, default=1000, help="services in generation 0")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--generation", type=int, default=0)
    parser.add_argument("--change-percent", type=float, default=1.0,
                        help="percent of the base services each generation changes")
    parser.add_argument("--delete-percent", type=float, default=0.2,
                        help="percent of the base services each generation deletes")
    parser.add_argument("--add", type=int, default=None,
                        help="services each generation adds (default max(3, services/1000))")
    parser.add_argument("--clock", choices=("wall", "fixed"), default="wall")
    parser.add_argument("--fault", choices=FAULTS, default="none")
    parser.add_argument("--slow-ms", type=int, default=500)
    parser.add_argument("--max-per-page", type=int, default=500)
    parser.add_argument("--ndjson", choices=("yes", "ignore", "reject"), default="yes",
                        help="whether format=ndjson streams (yes), is ignored and a JSON "
                             "page sent (ignore) or refused with 400 (reject)")
    parser.add_argument("--no-ndjson", dest="ndjson", action="store_const", const="ignore",
                        help="same as --ndjson ignore")
    parser.add_argument("--minimal-date-name", default="last_modified",
                        help="the date member of a minimal record")
    args = parser.parse_args(argv)

    if args.services < 0 or not 0 <= args.generation <= MAX_GENERATION:
        parser.error("--services cannot be negative, and --generation goes from 0 to %d"
                     % MAX_GENERATION)
    added = args.add if args.add is not None else max(3, args.services // 1000)
    directory = Directory(args.services, args.seed, args.change_percent, args.delete_percent,
                          added, args.clock)
    directory.ensure_generation(args.generation)

    server = Server(("127.0.0.1", args.port), Handler)
    server.state = State(args, directory)
    server.state.generation = args.generation

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    print("listening on http://127.0.0.1:%d" % server.server_address[1], flush=True)
    while not stop.wait(0.2):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
