#!/usr/bin/env python3
"""Deterministic generator of the labelled classifier corpus (synthetic values only).

    python3 test-data/payloads/generate.py            # writes corpus.jsonl beside this script

Each line of corpus.jsonl is one sample:
    {"id": "...", "kind": "positive|negative", "text": "...",
     "labels": [{"type": "credit_card", "start": 12, "end": 31, "language": "python"?}]}
Offsets are character offsets (Python str indices == Java UTF-16 indices here, the text is ASCII
apart from a few Latin-1 letters). Values are computed here from the published formats (Luhn,
mod 97, NHS mod 11, DEA check digit, NPI Luhn with the 80840 prefix, GitHub CRC32/base62, JWT
base64url JSON), independently of the Java detectors. The seed is fixed: the output is
byte-for-byte reproducible.
"""
import base64, json, os, random, string, zlib

R = random.Random(20261121)
B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits
FIRST = ["James", "Mary", "Ahmed", "Wei", "Olga", "Lucas", "Priya", "Kenji", "Fatima", "Noah", "Elena", "Tomasz",
         "Aisha", "Diego", "Hannah", "Mateo", "Sofia", "Liam", "Chloe", "Ravi"]
LAST = ["Smith", "Garcia", "Kowalski", "Chen", "Okafor", "Muller", "Rossi", "Tanaka", "Haddad", "Novak", "Silva",
        "Johnson", "Nguyen", "Petrov", "Dubois", "Fischer", "Kim", "Larsen", "Moreau", "Brown"]
DOMAINS = ["acme-corp.com", "globex.io", "initech.net", "umbrella-health.org", "example.co.uk", "mail.contoso.com",
           "northwind.de", "fabrikam.fr", "hooli.xyz", "stark-industries.com"]

# ---------------------------------------------------------------- text assembly

class Doc:
    def __init__(self):
        self.parts, self.labels, self.n = [], [], 0
    def add(self, s):
        self.parts.append(s); self.n += len(s); return self
    def val(self, typ, s, **extra):
        lab = {"type": typ, "start": self.n, "end": self.n + len(s)}
        lab.update(extra)
        self.labels.append(lab)
        return self.add(s)
    def text(self):
        return "".join(self.parts)

def pick(xs):
    return R.choice(xs)

def rnd(chars, n):
    return "".join(R.choice(chars) for _ in range(n))

def name():
    return pick(FIRST), pick(LAST)

PROSE = [
    "Can you help me write a polite reply to this customer?",
    "Please summarise the thread below in three bullet points.",
    "Draft an email to the team about the migration next week.",
    "I need a short status update for the steering committee.",
    "Rewrite this paragraph so it sounds less formal.",
    "What is wrong with the following? It worked yesterday.",
    "Translate the note into German, keep the tone friendly.",
    "Give me a checklist for onboarding a new contractor.",
]

def prose():
    return pick(PROSE)

# ---------------------------------------------------------------- value generators (published formats)

def luhn_digit(body):
    s = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9: d -= 9
        s += d
    return str((10 - s % 10) % 10)

def luhn_ok(num):
    return luhn_digit(num[:-1]) == num[-1]

def card_number():
    kind = pick(["visa", "visa", "mc", "mc2", "amex", "disc", "jcb", "diners"])
    if kind == "visa": prefix, n = "4" + rnd(string.digits, 5), 16
    elif kind == "mc": prefix, n = str(R.randint(51, 55)) + rnd(string.digits, 4), 16
    elif kind == "mc2": prefix, n = str(R.randint(2221, 2720)) + rnd(string.digits, 2), 16
    elif kind == "amex": prefix, n = pick(["34", "37"]) + rnd(string.digits, 4), 15
    elif kind == "disc": prefix, n = pick(["6011", "65" + rnd(string.digits, 2)]) + rnd(string.digits, 2), 16
    elif kind == "jcb": prefix, n = str(R.randint(3528, 3589)) + rnd(string.digits, 2), 16
    else: prefix, n = "36" + rnd(string.digits, 4), 14
    body = prefix + rnd(string.digits, n - len(prefix) - 1)
    return body + luhn_digit(body), kind

def fmt_card(num, kind):
    style = R.random()
    if kind == "amex" and style < 0.6:
        return num[:4] + " " + num[4:10] + " " + num[10:]
    if style < 0.4 and len(num) == 16:
        return " ".join(num[i:i + 4] for i in range(0, 16, 4))
    if style < 0.6 and len(num) == 16:
        return "-".join(num[i:i + 4] for i in range(0, 16, 4))
    return num

def ssn():
    while True:
        area = R.randint(1, 899)
        if area != 666: break
    return "%03d-%02d-%04d" % (area, R.randint(1, 99), R.randint(1, 9999))

def phone():
    a, x, sub = R.randint(201, 989), R.randint(200, 999), R.randint(0, 9999)
    if a % 100 == 11 or str(a)[1:] == "99": a = 415
    forms = [
        "(%d) %d-%04d" % (a, x, sub), "%d-%d-%04d" % (a, x, sub), "%d.%d.%04d" % (a, x, sub),
        "+1 %d %d %04d" % (a, x, sub), "+1-%d-%d-%04d" % (a, x, sub), "+1 (%d) %d-%04d" % (a, x, sub),
        "+44 20 %04d %04d" % (R.randint(1000, 9999), sub), "020 %04d %04d" % (R.randint(1000, 9999), sub),
        "07700 %06d" % R.randint(100000, 999999), "+49 30 %07d" % R.randint(1000000, 9999999),
        "+33 1 %02d %02d %02d %02d" % tuple(R.randint(10, 99) for _ in range(4)),
        "01 %02d %02d %02d %02d" % tuple(R.randint(10, 99) for _ in range(4)),
        "+91 9%04d %05d" % (R.randint(0, 9999), R.randint(0, 99999)), "+61 4%02d %03d %03d" % (R.randint(0, 99), R.randint(0, 999), R.randint(0, 999)),
    ]
    return pick(forms)

IBAN_FMT = {"DE": ("n", 18), "GB": ("a4n14", 18), "FR": ("n10a11n2", 23), "ES": ("n", 20), "IT": ("a1n10a12", 23),
            "NL": ("a4n10", 14), "CH": ("n", 17), "BE": ("n", 12), "AT": ("n", 16), "PL": ("n", 24)}

def bban(fmt, n):
    if fmt == "n": return rnd(string.digits, n)
    out, i = "", 0
    import re
    for kind, cnt in re.findall(r"([an])(\d+)", fmt):
        out += rnd(string.ascii_uppercase if kind == "a" else string.digits, int(cnt))
    return out

def iban_check(cc, b):
    s = b + cc + "00"
    num = "".join(str(int(ch, 36)) for ch in s)
    return "%02d" % (98 - int(num) % 97)

def iban():
    cc = pick(list(IBAN_FMT))
    b = bban(*IBAN_FMT[cc])
    v = cc + iban_check(cc, b) + b
    return " ".join(v[i:i + 4] for i in range(0, len(v), 4)) if R.random() < 0.5 else v

def ipv4():
    return "%d.%d.%d.%d" % (pick([10, 172, 192, 203, 198, 52, 34, 81]), R.randint(0, 255), R.randint(0, 255), R.randint(1, 254))

def ipv6():
    groups = ["%x" % R.randint(0, 0xffff) for _ in range(8)]
    if R.random() < 0.5:
        return "2001:db8:" + ":".join(groups[2:4]) + "::" + groups[7]
    if R.random() < 0.3:
        return "fe80::" + ":".join(groups[4:8])
    return ":".join(groups)

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]

def dob():
    y, m, d = R.randint(1935, 2005), R.randint(1, 12), R.randint(1, 28)
    return pick(["%04d-%02d-%02d" % (y, m, d), "%02d/%02d/%04d" % (m, d, y), "%02d.%02d.%04d" % (d, m, y),
                 "%d %s %d" % (d, MONTHS[m - 1], y), "%s %d, %d" % (MONTHS[m - 1], d, y)])

def passport():
    return pick([rnd(string.digits, 9), pick("XACEGHJKLM") + rnd(string.digits, 8), rnd("PN", 1) + rnd(string.digits, 7)])

def npi():
    body = pick("12") + rnd(string.digits, 8)
    return body + luhn_digit("80840" + body)

def nhs():
    while True:
        d = [R.randint(0, 9) for _ in range(9)]
        d[0] = R.choice([4, 6, 7])
        c = 11 - sum(x * (10 - i) for i, x in enumerate(d)) % 11
        if c == 11: c = 0
        if c != 10: break
    s = "".join(map(str, d)) + str(c)
    return s[:3] + " " + s[3:6] + " " + s[6:] if R.random() < 0.7 else s

MBI_L = [c for c in string.ascii_uppercase if c not in "SLOIBZ"]

def mbi():
    c = lambda: R.choice(MBI_L + list(string.digits))
    v = str(R.randint(1, 9)) + R.choice(MBI_L) + c() + str(R.randint(0, 9)) + R.choice(MBI_L) + c() + \
        str(R.randint(0, 9)) + R.choice(MBI_L) + R.choice(MBI_L) + rnd(string.digits, 2)
    return v[:4] + "-" + v[4:7] + "-" + v[7:] if R.random() < 0.4 else v

def dea():
    d = [R.randint(0, 9) for _ in range(6)]
    chk = (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10
    return pick("ABFGM") + pick(string.ascii_uppercase) + "".join(map(str, d)) + str(chk)

ICD = ["E11.9", "I10", "J45.909", "F32.9", "M54.5", "K21.9", "N39.0", "Z79.4", "E78.5", "G43.909", "R51.9",
       "F41.1", "I25.10", "J44.1", "E03.9", "M17.11", "C50.911", "S72.001A", "O24.419", "U07.1"]

def gh_token():
    r = rnd(ALNUM, 30)
    c, s = zlib.crc32(r.encode()), ""
    while c: s, c = B62[c % 62] + s, c // 62
    return pick(["ghp_", "gho_", "ghs_", "ghu_", "ghr_"]) + r + s.rjust(6, "0")

def b64(n):
    return rnd(string.ascii_letters + string.digits + "+/", n)

def b64u(obj):
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")

def jwt():
    h = {"alg": pick(["HS256", "RS256", "ES256"]), "typ": "JWT"}
    p = {"sub": rnd(string.digits, 8), "name": " ".join(name()), "iat": R.randint(1600000000, 1760000000),
         "scope": pick(["read", "read write", "admin"])}
    return b64u(h) + "." + b64u(p) + "." + rnd(ALNUM + "-_", 43)

def pem():
    kind = pick(["RSA ", "EC ", "", "OPENSSH "])
    lines = [b64(64) for _ in range(R.randint(4, 12))]
    return "-----BEGIN %sPRIVATE KEY-----\n%s\n%s=\n-----END %sPRIVATE KEY-----" % (kind, "\n".join(lines), b64(20), kind)

def password():
    words = ["Summer", "Falcon", "Orange", "River", "Tiger", "Maple", "Copper", "Winter"]
    return pick([pick(words) + str(R.randint(1000, 9999)) + pick("!#$%&*"), rnd(ALNUM + "!@#%^&*", R.randint(10, 20)),
                 pick(words).lower() + "-" + pick(words).lower() + "-" + str(R.randint(10, 99))])

def secret_value():
    return pick([rnd(ALNUM, 32), rnd(string.hexdigits.lower()[:16], 40), rnd(ALNUM + "_-", 48), b64(44)])

# ---------------------------------------------------------------- positives

def ctx_sentence(d, lead, typ, value, tail="."):
    d.add(lead).val(typ, value).add(tail)

def wrap(builder):
    """Put a sensitive snippet in a realistic container: prose prompt, JSON, email, log, CSV row."""
    d = Doc()
    style = R.random()
    if style < 0.35:
        d.add(prose() + "\n\n")
        builder(d)
        d.add("\n\nThanks!")
    elif style < 0.55:
        f, l = name()
        d.add("Hi %s,\n\n" % f)
        builder(d)
        d.add("\n\nBest regards,\n%s %s" % (pick(FIRST), l))
    elif style < 0.75:
        d.add('{"model": "gpt-4o", "messages": [{"role": "user", "content": "')
        builder(d)
        d.add('"}], "temperature": 0.2}')
    else:
        builder(d)
    return d

def p_email(d):
    f, l = name()
    local = pick(["%s.%s" % (f, l), "%s%s" % (f[0], l), "%s_%s%d" % (f, l, R.randint(1, 99)), "%s+%s" % (f, pick(["news", "work"]))]).lower()
    form = R.random()
    if form < 0.2:
        d.add("From: %s %s <" % (f, l)).val("email", local + "@" + pick(DOMAINS)).add(">")
    elif form < 0.3:
        d.add('<a href="mailto:').val("email", local + "@" + pick(DOMAINS)).add('">write to us</a>')
    else:
        lead = pick(["Contact %s at " % f, "Email: ", "Please forward it to ", "cc ", "reach me on ", "", "(", "- "])
        ctx_sentence(d, lead, "email", local + "@" + pick(DOMAINS), pick([".", ")", ", thanks", ""]))

def p_phone(d):
    ctx_sentence(d, pick(["Call me at ", "Phone: ", "Mobile ", "You can reach the front desk on ", "Tel. ", "my number is "]),
                 "phone_number", phone())

def p_ssn(d):
    if R.random() < 0.15:
        v = ssn().replace("-", " ")
        ctx_sentence(d, pick(["social security no. ", "SSN "]), "us_ssn", v)
        return
    ctx_sentence(d, pick(["SSN: ", "Social Security Number ", "His SSN is ", "ssn=", "Employee SSN - "]), "us_ssn", ssn())

def p_card(d):
    num, kind = card_number()
    if R.random() < 0.15:
        d.add('{"customer": "%s", "card_number": "' % " ".join(name())).val("credit_card", num).add('", "exp": "09/27"}')
        return
    ctx_sentence(d, pick(["Card number: ", "Please charge my Visa ", "cc: ", "Payment card ", "The customer paid with "]),
                 "credit_card", fmt_card(num, kind), pick([" exp 09/27.", ".", ", CVV on file."]))

def p_iban(d):
    ctx_sentence(d, pick(["IBAN: ", "Please wire the refund to ", "Bank account (IBAN) ", "Account "]), "iban", iban())

def p_ip(d):
    v = ipv4() if R.random() < 0.6 else ipv6()
    ctx_sentence(d, pick(["The attacker came from ", "Server IP: ", "ssh admin@", "Allow inbound from ", "client_ip="]),
                 "ip_address", v, pick([" last night.", ".", " on port 22."]))

def p_dob(d):
    ctx_sentence(d, pick(["DOB: ", "Date of birth: ", "Patient was born on ", "Birthday: ", "D.O.B. "]), "date_of_birth", dob())

def p_passport(d):
    ctx_sentence(d, pick(["Passport number: ", "passport no. ", "Her passport ", "Passport #"]), "passport_number", passport())

def p_npi(d):
    ctx_sentence(d, pick(["NPI: ", "Prescriber NPI ", "Provider NPI number ", "Referring physician (NPI "]), "us_npi", npi())

def p_nhs(d):
    ctx_sentence(d, pick(["NHS number: ", "NHS No. ", "Patient NHS number ", "nhs: "]), "uk_nhs_number", nhs())

def p_mbi(d):
    ctx_sentence(d, pick(["Medicare MBI: ", "Medicare number ", "MBI ", "Beneficiary ID "]), "us_mbi", mbi())

def p_dea(d):
    ctx_sentence(d, pick(["DEA: ", "Prescriber DEA number ", "DEA# ", "DEA registration "]), "us_dea_number", dea())

def p_icd(d):
    d.add(pick(["Diagnosis: ", "ICD-10: ", "dx ", "Diagnosed with type 2 diabetes ("]))
    code = pick(ICD)
    if "." not in code:
        d.add("") ; code = pick([c for c in ICD if "." in c])
    d.val("icd10_code", code).add(pick([").", ".", ", follow-up in 3 months."]))

def p_mrn(d):
    ctx_sentence(d, pick(["MRN: ", "MRN ", "Medical record number: ", "Patient ID: "]), "medical_record_number",
                 pick([rnd(string.digits, 8), "%07d" % R.randint(0, 9999999), pick("AB") + rnd(string.digits, 7)]))

def p_aws(d):
    kid = pick(["AKIA", "ASIA"]) + rnd(string.ascii_uppercase + "234567", 16)
    sec = b64(40)
    while sum(c.isdigit() for c in sec) == 0 or sum(c.isupper() for c in sec) == 0: sec = b64(40)
    st = R.random()
    if st < 0.4:
        d.add("[default]\naws_access_key_id = ").val("aws_access_key_id", kid).add("\naws_secret_access_key = ").val("aws_secret_access_key", sec).add("\n")
    elif st < 0.7:
        d.add("export AWS_ACCESS_KEY_ID=").val("aws_access_key_id", kid).add("\nexport AWS_SECRET_ACCESS_KEY=").val("aws_secret_access_key", sec)
    else:
        d.add("Access key ID: ").val("aws_access_key_id", kid).add(" (just rotated)")

def p_gcp(d):
    d.add(pick(["GOOGLE_API_KEY=", "const mapsKey = '", "key: "])).val("gcp_api_key", "AIza" + rnd(ALNUM + "_-", 35)).add(pick(["", "';", "\n"]))

def p_azure(d):
    if R.random() < 0.5:
        d.add("DefaultEndpointsProtocol=https;AccountName=%sstore;AccountKey=" % pick(LAST).lower()).val(
            "azure_storage_key", b64(86) + "==").add(";EndpointSuffix=core.windows.net")
    else:
        d.add(pick(["AZURE_CLIENT_SECRET=", "client_secret: ", "The app registration secret is "])).val(
            "azure_client_secret", rnd(ALNUM, 3) + str(R.randint(0, 9)) + "Q~" + rnd(ALNUM + "_~.-", 31 + R.randint(0, 3)))

def p_github(d):
    tok = gh_token() if R.random() < 0.8 else "github_pat_" + rnd(ALNUM, 22) + "_" + rnd(ALNUM, 59)
    lead = pick(["GITHUB_TOKEN=", "git clone https://x-access-token:", "token: ", "Use this PAT: "])
    if lead.startswith("git clone"):
        # the clone URL is itself a credential in a URL, with the token inside it
        d.add("git clone ")
        url = "https://x-access-token:" + tok + "@github.com"
        d.labels.append({"type": "credential_in_url", "start": d.n, "end": d.n + len(url)})
        d.add("https://x-access-token:").val("github_token", tok).add("@github.com/acme/app.git")
    else:
        d.add(lead).val("github_token", tok).add(pick(["", "\n"]))

def p_gitlab(d):
    d.add(pick(["GITLAB_TOKEN=", "PRIVATE-TOKEN: ", "gitlab token "])).val("gitlab_token", "glpat-" + rnd(ALNUM + "_-", 20))

def p_slack(d):
    if R.random() < 0.6:
        tok = "xoxb-%d-%d-%s" % (R.randint(10**10, 10**12), R.randint(10**11, 10**13), rnd(ALNUM, 24)) if R.random() < 0.5 else \
              "xoxp-%d-%d-%d-%s" % (R.randint(10**10, 10**12), R.randint(10**10, 10**12), R.randint(10**10, 10**12), rnd("0123456789abcdef", 32))
        d.add(pick(["SLACK_BOT_TOKEN=", "slack: ", "token "])).val("slack_token", tok)
    else:
        d.add("webhook: ").val("slack_webhook", "https://hooks.slack.com/services/T%s/B%s/%s" % (rnd(string.ascii_uppercase + string.digits, 8), rnd(string.ascii_uppercase + string.digits, 10), rnd(ALNUM, 24)))

def p_stripe(d):
    d.add(pick(["STRIPE_SECRET_KEY=", "stripe.api_key = \"", "Stripe key: "])).val(
        "stripe_key", pick(["sk_live_", "sk_test_", "rk_live_"]) + rnd(ALNUM, R.choice([24, 34, 99]))).add(pick(["", "\"", "."]))

def p_openai(d):
    tok = pick(["sk-proj-" + rnd(ALNUM + "_-", 74) + "T3BlbkFJ" + rnd(ALNUM + "_-", 74),
                "sk-" + rnd(ALNUM, 20) + "T3BlbkFJ" + rnd(ALNUM, 20),
                "sk-svcacct-" + rnd(ALNUM + "_-", 58) + "T3BlbkFJ" + rnd(ALNUM + "_-", 58)])
    d.add(pick(["OPENAI_API_KEY=", "openai.api_key = '", "Authorization: Bearer "])).val("openai_api_key", tok).add(pick(["", "'", ""]))

def p_anthropic(d):
    d.add(pick(["ANTHROPIC_API_KEY=", "x-api-key: ", "client = Anthropic(api_key=\""])).val(
        "anthropic_api_key", "sk-ant-api03-" + rnd(ALNUM + "_-", 93) + "AA").add(pick(["", "", "\")"]))

def p_pem(d):
    d.add(pick(["Here is the deploy key:\n", "", "key.pem:\n"])).val("private_key", pem())

def p_jwt(d):
    d.add(pick(["Authorization: Bearer ", "token=", "The session cookie was "])).val("jwt", jwt())

def p_url(d):
    scheme = pick(["postgres", "postgresql", "mysql", "mongodb+srv", "redis", "amqp", "https"])
    user = pick(["app", "admin", "svc_report", pick(FIRST).lower()])
    host = pick(["db.internal", "10.2.3.4", "cluster0.ab12c.mongodb.net", "mq.prod.acme-corp.com", "cache-01"])
    port = pick(["", ":5432", ":3306", ":6379"])
    d.add(pick(["DATABASE_URL=", "conn = \"", "Connection string: "])).val(
        "credential_in_url", "%s://%s:%s@%s%s" % (scheme, user, password().replace("@", "").replace(":", "").replace("/", ""), host, port)).add(pick(["/app", "/prod?sslmode=require\"", ""]))

def p_generic(d):
    pw, sv = password(), secret_value()
    forms = [
        ("DB_PASSWORD=", pw, ""), ("password: \"", pw, "\""), ("\"password\": \"", pw, "\""), ("client_secret = '", sv, "'"),
        ("SECRET_KEY = \"", sv, "\""), ("api_key: ", sv, ""), ("spring.datasource.password=", pw, ""),
        ("<password>", pw, "</password>"), ("my password is ", pw, ""), ("const apiKey = \"", sv, "\";"),
        ("auth_token := \"", sv, "\""), ("Authorization: Bearer ", sv, ""), ("x-api-key: ", sv, ""),
        ("  password: '", pw, "'"), ("export API_TOKEN='", sv, "'"), ("SECRET=", sv, " ./run.sh"),
    ]
    lead, v, tail = pick(forms)
    d.add(lead).val("generic_secret", v).add(tail)

# ---------------------------------------------------------------- source code

def ident():
    return pick(["user", "order", "invoice", "cart", "session", "report", "item", "payload", "record", "event"]) + \
           pick(["", "Id", "Count", "List", "Map", "Total", "Name"])

def code_sample():
    i1, i2 = ident(), ident()
    n = R.randint(2, 9)
    samples = {
        "java": "import java.util.List;\n\npublic class %sService {\n    private final List<String> %s;\n\n    public int count(String key) {\n        if (key == null) {\n            return 0;\n        }\n        return %s.size() + %d;\n    }\n}" % (i1.capitalize(), i2, i2, n),
        "python": "import os\n\ndef load_%s(path):\n    with open(path) as f:\n        rows = [line.strip() for line in f]\n    if not rows:\n        return None\n    return rows[:%d]\n\nclass %s:\n    def __init__(self):\n        self.items = []" % (i1.lower(), n, i2.capitalize()),
        "javascript": "const express = require('express');\nconst app = express();\n\nfunction %s(req, res) {\n  const items = req.body.items || [];\n  console.log('got', items.length);\n  res.json({ total: items.length * %d });\n}\n\napp.post('/api/%s', %s);\nmodule.exports = app;" % (i1, n, i2.lower(), i1),
        "typescript": "export interface %s {\n  id: string;\n  total: number;\n  paid: boolean;\n}\n\nexport const sum%s = (xs: %s[]): number => {\n  return xs.reduce((acc, x) => acc + x.total, %d);\n};" % (i1.capitalize(), i1.capitalize(), i1.capitalize(), n),
        "go": "package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n)\n\nfunc %s(n int) (int, error) {\n\tif n < 0 {\n\t\treturn 0, fmt.Errorf(\"negative: %%d\", n)\n\t}\n\treturn n * %d, nil\n}\n\nfunc main() {\n\tv, err := %s(len(os.Args))\n\tif err != nil {\n\t\tos.Exit(1)\n\t}\n\tfmt.Println(v)\n}" % (i1, n, i1),
        "rust": "use std::collections::HashMap;\n\npub fn %s(words: &[&str]) -> HashMap<String, usize> {\n    let mut counts = HashMap::new();\n    for w in words {\n        *counts.entry(w.to_string()).or_insert(0) += %d;\n    }\n    counts\n}\n\nimpl Default for Config {\n    fn default() -> Self { Config { retries: %d } }\n}" % (i1.lower(), 1, n),
        "c": "#include <stdio.h>\n#include <stdlib.h>\n\nint main(int argc, char **argv) {\n    int *buf = malloc(sizeof(int) * %d);\n    if (buf == NULL) {\n        return 1;\n    }\n    for (int i = 0; i < %d; i++) {\n        buf[i] = i * 2;\n    }\n    printf(\"%%d\\n\", buf[%d]);\n    free(buf);\n    return 0;\n}" % (n + 10, n, n - 1),
        "cpp": "#include <iostream>\n#include <vector>\n\ntemplate <typename T>\nT total(const std::vector<T>& xs) {\n    T sum{};\n    for (auto& x : xs) {\n        sum += x;\n    }\n    return sum;\n}\n\nint main() {\n    std::vector<int> v{1, 2, %d};\n    std::cout << total(v) << std::endl;\n    return 0;\n}" % n,
        "csharp": "using System;\nusing System.Collections.Generic;\n\nnamespace Acme.Billing\n{\n    public class %s\n    {\n        public string Name { get; set; }\n        public decimal Total { get; set; }\n\n        public void Print()\n        {\n            Console.WriteLine($\"{Name}: {Total}\");\n        }\n    }\n}" % i1.capitalize(),
        "ruby": "require 'json'\n\nclass %s\n  attr_accessor :items\n\n  def initialize\n    @items = []\n  end\n\n  def total\n    @items.each do |item|\n      puts item\n    end\n    @items.size * %d\n  end\nend" % (i1.capitalize(), n),
        "php": "<?php\n\nclass %sController\n{\n    public function show($id)\n    {\n        $item = $this->repo->find($id);\n        if (!$item) {\n            return null;\n        }\n        echo json_encode($item);\n    }\n}" % i1.capitalize(),
        "sql": "SELECT c.id, c.name, SUM(o.total) AS revenue\nFROM customers c\nJOIN orders o ON o.customer_id = c.id\nWHERE o.created_at >= '2024-01-01'\nGROUP BY c.id, c.name\nORDER BY revenue DESC\nLIMIT %d;" % (n * 10),
        "shell": "#!/bin/bash\nset -euo pipefail\n\nfor f in /var/log/app/*.log; do\n  if grep -q ERROR \"$f\"; then\n    echo \"errors in $f\"\n  fi\ndone\nexport COUNT=$(ls | wc -l)\necho \"done: $COUNT\"",
        "kotlin": "package com.acme.app\n\ndata class %s(val id: String, val total: Int)\n\nfun summarize(items: List<%s>): Int {\n    val paid = items.filter { it.total > %d }\n    println(\"paid: ${paid.size}\")\n    return paid.sumOf { it.total }\n}" % (i1.capitalize(), i1.capitalize(), n),
        "swift": "import Foundation\n\nstruct %s {\n    let id: String\n    var total: Double\n}\n\nfunc summarize(_ items: [%s]) -> Double {\n    guard let first = items.first else {\n        return 0\n    }\n    print(first.id)\n    return items.reduce(0) { $0 + $1.total }\n}" % (i1.capitalize(), i1.capitalize()),
    }
    lang = pick(sorted(samples))
    return lang, samples[lang]

def p_code(d):
    lang, src = code_sample()
    fence = R.random() < 0.5
    d.add(pick(["Why does this crash?\n\n", "Please review:\n\n", "Refactor this for readability.\n\n", ""]))
    if fence:
        d.add("```\n")
    d.val("source_code", src, language=lang)
    if fence:
        d.add("\n```")
    d.add(pick(["\n\nIt fails on the second call.", "", "\n\nThanks in advance."]))

def p_custom(d):
    kw = pick(["Project Falcon", "BLUEBIRD", "CONFIDENTIAL - INTERNAL"])
    d.add(pick(["Status of ", "Re: ", "Header says "])).val("confidential_marker" if kw.startswith("CONF") else "project_codename", kw).add(pick([" is on track.", ": next steps.", "."]))

AI_TOKEN_KINDS = ["hf", "hf_org", "groq", "pplx", "r8", "bedrock", "bedrock_short", "npm", "pypi", "dapi", "do"]
AI_TOKEN_COUNT = [0]

def p_ai_tokens(d):
    # AI model platforms and the package and cloud platforms whose tokens code pasted into a prompt carries;
    # each kind in turn, so that the 60 samples cover them evenly
    kind = AI_TOKEN_KINDS[AI_TOKEN_COUNT[0] % len(AI_TOKEN_KINDS)]
    AI_TOKEN_COUNT[0] += 1
    if kind == "hf":
        lead, typ, tok = pick(["HF_TOKEN=", "huggingface-cli login --token ", "use_auth_token=\""]), "huggingface_token", \
            "hf_" + rnd(string.ascii_letters, 34)
    elif kind == "hf_org":
        lead, typ, tok = "HF_ORG_TOKEN=", "huggingface_token", "api_org_" + rnd(string.ascii_letters, 34)
    elif kind == "groq":
        lead, typ, tok = pick(["GROQ_API_KEY=", "Groq(api_key=\"", "Authorization: Bearer "]), "groq_api_key", \
            "gsk_" + rnd(ALNUM, 20) + "WGdyb3FY" + rnd(ALNUM, 24)
    elif kind == "pplx":
        lead, typ, tok = pick(["PERPLEXITY_API_KEY=", "Authorization: Bearer "]), "perplexity_api_key", "pplx-" + rnd(ALNUM, 48)
    elif kind == "r8":
        lead, typ, tok = pick(["REPLICATE_API_TOKEN=", "export REPLICATE_API_TOKEN="]), "replicate_api_token", "r8_" + rnd(ALNUM, 37)
    elif kind == "bedrock":
        raw = b"BedrockAPIKey-" + rnd(string.ascii_lowercase + string.digits, 4).encode() + b"-at-" + \
            rnd(string.digits, 12).encode() + b":" + rnd(ALNUM + "+/", 40).encode() + b"="
        lead, typ, tok = pick(["AWS_BEARER_TOKEN_BEDROCK=", "bedrock key: "]), "aws_bedrock_api_key", \
            "ABSK" + base64.b64encode(raw).decode()
    elif kind == "bedrock_short":
        raw = ("bedrock.amazonaws.com/?Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA"
               + rnd(string.ascii_uppercase + "234567", 16) + "&X-Amz-Signature=" + rnd("0123456789abcdef", 64) + "&Version=1").encode()
        lead, typ, tok = "AWS_BEARER_TOKEN_BEDROCK=", "aws_bedrock_api_key", "bedrock-api-key-" + base64.b64encode(raw).decode()
    elif kind == "npm":
        lead, typ, tok = pick(["//registry.npmjs.org/:_authToken=", "NPM_TOKEN="]), "npm_token", "npm_" + rnd(ALNUM, 36)
    elif kind == "pypi":
        lead, typ, tok = pick(["password = ", "TWINE_PASSWORD="]), "pypi_token", \
            "pypi-AgEIcHlwaS5vcmc" + rnd(ALNUM + "_-", R.randint(60, 180))
    elif kind == "dapi":
        lead, typ, tok = pick(["DATABRICKS_TOKEN=", "token = \""]), "databricks_token", \
            "dapi" + rnd("0123456789abcdef", 32) + pick(["", "-2", "-3"])
    else:
        lead, typ, tok = "DIGITALOCEAN_TOKEN=", "digitalocean_token", pick(["dop_v1_", "doo_v1_", "dor_v1_"]) + \
            rnd("0123456789abcdef", 64)
    d.add(lead).val(typ, tok).add(pick(["", "\"", "\n"]) if not lead.endswith("\"") else "\"")

POSITIVES = [p_email, p_phone, p_ssn, p_card, p_iban, p_ip, p_dob, p_passport, p_npi, p_nhs, p_mbi, p_dea, p_icd,
             p_mrn, p_aws, p_gcp, p_azure, p_github, p_gitlab, p_slack, p_stripe, p_openai, p_anthropic, p_pem,
             p_jwt, p_url, p_generic, p_code, p_custom, p_ai_tokens]

# ---------------------------------------------------------------- hard negatives

def imei():
    body = pick(["35", "86", "01", "99", "49"]) + rnd(string.digits, 12)
    return body + luhn_digit(body)

def bad_luhn_card():
    num, kind = card_number()
    last = str((int(num[-1]) + R.randint(1, 9)) % 10)
    return num[:-1] + last

LOREM = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore "
         "magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo "
         "consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur.")

def minified_js():
    parts = []
    for _ in range(R.randint(20, 60)):
        a, b = rnd(string.ascii_lowercase, 1), rnd(string.ascii_lowercase, 2)
        parts.append(pick(["function %s(%s){return %s&&%s.length>%d}" % (a, b, b, b, R.randint(0, 99)),
                           "var %s=%s||{};%s.x=%d" % (a, b, b, R.randint(0, 9999)),
                           "if(%s){%s.push(%s)}else{%s=[]}" % (a, b, a, b),
                           "%s.prototype.%s=function(e,t){return e+t*%d}" % (a.upper(), b, R.randint(2, 64)),
                           "!function(e){\"use strict\";var t=%d;e.exports=t}(module)" % R.randint(0, 99999)]))
    return ";".join(parts)

def n_uuid(): return "Request %s failed, correlation id %s." % (str(uuid4()), str(uuid4()).upper())
def uuid4():
    import uuid
    return uuid.UUID(int=R.getrandbits(128), version=4)
def n_sha(): return "Merged %s into main (short %s). Parent %s." % (rnd("0123456789abcdef", 40), rnd("0123456789abcdef", 7), rnd("0123456789abcdef", 40))
def n_b64img(): return '<img src="data:image/png;base64,iVBORw0KGgo%s=" alt="logo">' % b64(R.randint(200, 800))
def n_version(): return pick(["Upgrade to version %d.%d.%d.%d before Friday." % (R.randint(1, 9), R.randint(0, 20), R.randint(0, 9), R.randint(0, 200)),
                             "Bump lodash from 4.17.%d to 4.17.%d; node v%d.%d.%d; Chrome/%d.0.%d.%d" % (R.randint(1, 20), R.randint(21, 40), R.randint(14, 22), R.randint(0, 9), R.randint(0, 9), R.randint(100, 130), R.randint(1000, 9999), R.randint(10, 200)),
                             "Windows build 10.0.%d.%d, kernel 6.1.0-%d-amd64" % (R.randint(10000, 30000), R.randint(1, 999), R.randint(10, 30))])
def n_timestamp(): return pick(["2024-%02d-%02dT%02d:%02d:%02d.%03dZ INFO [main] c.a.Worker - processed %d records in %d ms" % (R.randint(1, 12), R.randint(1, 28), R.randint(0, 23), R.randint(0, 59), R.randint(0, 59), R.randint(0, 999), R.randint(1, 9999), R.randint(1, 9999)),
                               "created_at=%d updated_at=%d13" % (R.randint(1600000000, 1760000000), R.randint(1600000000, 1760000000)),
                               "Meeting moved to %02d/%02d/2025 at %02d:%02d." % (R.randint(1, 12), R.randint(1, 28), R.randint(8, 18), R.choice([0, 15, 30, 45]))])
def n_order(): return pick(["Order #%d shipped, tracking number 1Z%s." % (R.randint(10**9, 10**10 - 1), rnd(string.ascii_uppercase + string.digits, 16)),
                           "Invoice INV-%d-%06d, order number %d, ticket %d." % (R.randint(2020, 2025), R.randint(0, 999999), R.randint(10**9, 10**10 - 1), R.randint(100000, 999999)),
                           "Your order ORD-2024-%06d (ref %d) is confirmed." % (R.randint(0, 999999), R.randint(10**8, 10**9 - 1))])
def n_imei(): return pick(["IMEI: %s", "Device %s was enrolled.", "imei=%s;model=Pixel 8"]) % imei()
def n_code_numbers(): return pick(["const TIMEOUT_MS = %d; const MAX_RETRIES = %d; let ids = [%d, %d, %d];" % (R.randint(10**9, 10**10 - 1), R.randint(1, 9), R.randint(100, 999), R.randint(100, 999), R.randint(1000, 9999)),
                                  "assert compute(%d, %d) == %d" % (R.randint(100, 999), R.randint(100, 999), R.randint(10**9, 10**10 - 1)),
                                  "matrix = [[%d, %d, %d], [%d, %d, %d]]" % tuple(R.randint(100, 9999) for _ in range(6))])
def n_lorem(): return LOREM
def n_minjs(): return minified_js()
def n_placeholders(): return pick(['password = "<your-password>"', "API_KEY=${API_KEY}", 'token: "xxxxxxxxxxxxxxxx"',
                                  "api_key = os.environ['OPENAI_API_KEY']", "secret: {{ .Values.secret }}",
                                  'const token = getToken(user);', "password=changeme", "DB_PASSWORD=", 'password: "********"',
                                  "Enter your password and the token from the app to continue.", '"max_tokens": 4096, "token_type": "Bearer"',
                                  'next_page_token: "CiAKGjBpNDd2Nmp%s"' % rnd(ALNUM, 12), "password_reset_url = https://acme-corp.com/reset",
                                  "AWS example key AKIAIOSFODNN7EXAMPLE from the docs", "postgres://user:password@localhost/db",
                                  "export OPENAI_API_KEY=sk-...", "secret_key_base: <%= ENV['SECRET_KEY_BASE'] %>"])
def n_publishable(): return "Stripe publishable key pk_live_%s is fine in the browser." % rnd(ALNUM, 24)
def n_bad_checksum(): return pick(["ghp_%s" % rnd(ALNUM, 36), "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"]) + " (revoked, checksum fails)"
def n_bad_card(): return "Reference %s" % bad_luhn_card() if R.random() < 0.5 else "Card ending in %d, total %d.%02d" % (R.randint(1000, 9999), R.randint(1, 999), R.randint(0, 99))
def n_bad_ssn(): return "Sample SSN format %s is invalid." % pick(["000-%02d-%04d" % (R.randint(1, 99), R.randint(1, 9999)), "666-%02d-%04d" % (R.randint(1, 99), R.randint(1, 9999)), "9%02d-%02d-%04d" % (R.randint(0, 99), R.randint(1, 99), R.randint(1, 9999)), "123-45-6789", "078-05-1120", "%03d-00-%04d" % (R.randint(1, 665), R.randint(1, 9999))])
def n_bad_iban():
    cc = pick(list(IBAN_FMT)); b = bban(*IBAN_FMT[cc]); good = iban_check(cc, b)
    bad = "%02d" % ((int(good) + R.randint(1, 50)) % 97 + 2)
    return "Transfer ref %s%s%s" % (cc, bad if bad != good else "01", b)
def n_npi_no_ctx(): return "Batch %s processed with %d rows." % (npi(), R.randint(1, 999))
def n_nhs_no_ctx(): return "Reference code %s." % nhs().replace(" ", "")
def n_mac(): return "Interface eth0 %s, MTU 1500, dur 10:30:00, std::vector<int>, crate::db::add" % ":".join("%02x" % R.randint(0, 255) for _ in range(6))
def n_hashes(): return "sha256:%s  css #%s  %s" % (rnd("0123456789abcdef", 64), rnd("0123456789abcdef", 6), rnd("0123456789abcdef", 32))
def n_dates(): return "Sprint runs %s to %s; quarterly report due %d-%02d-%02d." % ("%02d/%02d/2025" % (R.randint(1, 12), R.randint(1, 28)), "%02d/%02d/2025" % (R.randint(1, 12), R.randint(1, 28)), R.randint(2023, 2026), R.randint(1, 12), R.randint(1, 28))
def n_math(): return "Compute %d * %d = %d and 0.%d; ISBN 978-%d-%02d-%06d-%d" % (R.randint(100, 999), R.randint(100, 999), R.randint(10**5, 10**6), R.randint(100, 99999), R.randint(0, 9), R.randint(10, 99), R.randint(0, 999999), R.randint(0, 9))
def n_json_data(): return json.dumps({"id": str(uuid4()), "count": R.randint(1, 10**6), "price": round(R.random() * 1000, 2), "tags": ["a", "b"], "enabled": True, "created": "2024-03-01T10:00:00Z"}, indent=2)
def n_csv(): return "sku,qty,price\n" + "\n".join("%s-%d,%d,%d.%02d" % (rnd(string.ascii_uppercase, 3), R.randint(1000, 9999), R.randint(1, 99), R.randint(1, 999), R.randint(0, 99)) for _ in range(R.randint(3, 8)))
def n_phone_like(): return pick(["Room %d-%d, building %d." % (R.randint(100, 999), R.randint(10, 99), R.randint(1, 9)),
                                  "Lottery numbers 04 11 23 35 42 48, bonus 07.", "Score was 21-14-7 after three quarters.",
                                  "Coordinates 48.8566, 2.3522 and 40.7128, -74.0060.", "Dimensions 1920x1080, 2560 x 1440 px.",
                                  "Reference 2024-5550-132 closed.", "The range 100-200-300 covers it.", "Call ext. 4417 or room 2-114."])
def n_prose(): return " ".join(pick(PROSE) for _ in range(R.randint(2, 5))) + " The meeting is at 3pm in room 204, call extension 4417 if lost."
def n_markdown(): return "# Release notes\n\n- Fixed the login page (#%d)\n- Improved search by %d%%\n- Updated docs for v%d.%d\n\nSee the changelog for details." % (R.randint(100, 9999), R.randint(2, 60), R.randint(1, 5), R.randint(0, 20))

def n_token_lookalikes(): return pick([
    "from huggingface_hub import hf_hub_download\npath = hf_hub_download(repo_id=\"org/%s\", filename=\"config.json\")" % rnd(string.ascii_lowercase, 8),
    "HF_TOKEN = os.environ[\"HF_TOKEN\"]  # hf_%s is the old one, revoked" % rnd(string.ascii_lowercase, 34),
    "npm_config_cache=/tmp/npm npm_package_version=%d.%d.%d npm_lifecycle_event=build" % (R.randint(0, 9), R.randint(0, 20), R.randint(0, 99)),
    "dapi%s" % rnd("0123456789ABCDEF", 32),
    "ABSK%s" % b64(R.randint(60, 120)),
    "pypi-AgENdGVzdC5weXBpLm9yZw%s (a TestPyPI token: another index)" % rnd(ALNUM + "_-", 80),
    "gsk_%s" % rnd(ALNUM, R.choice([16, 32, 60])),
    "Model r8_%s and pplx-%s benchmark ids" % (rnd(string.ascii_lowercase, 6), rnd(string.ascii_lowercase, 12)),
    "doo_v1_%s (truncated in the log)" % rnd("0123456789abcdef", 40),
])

NEGATIVES = [n_uuid, n_sha, n_b64img, n_version, n_timestamp, n_order, n_imei, n_code_numbers, n_lorem, n_minjs,
             n_placeholders, n_publishable, n_bad_checksum, n_bad_card, n_bad_ssn, n_bad_iban, n_npi_no_ctx,
             n_nhs_no_ctx, n_mac, n_hashes, n_dates, n_math, n_json_data, n_csv, n_prose, n_markdown, n_phone_like,
             n_token_lookalikes]

def main():
    out = []
    per_type = 60
    for f in POSITIVES:
        for i in range(per_type):
            d = wrap(f) if f not in (p_pem, p_code) else (lambda g: (lambda dd: (g(dd), dd)[1])(Doc()))(f)
            out.append({"id": "%s-%03d" % (f.__name__[2:], i), "kind": "positive", "text": d.text(), "labels": d.labels})
    # multi-item prompts: several types in one sample
    for i in range(150):
        d = Doc()
        d.add(prose() + "\n")
        for f in R.sample([p_email, p_phone, p_card, p_ssn, p_github, p_jwt, p_url, p_aws, p_iban, p_generic, p_dob], 3):
            f(d); d.add("\n")
        out.append({"id": "mixed-%03d" % i, "kind": "positive", "text": d.text(), "labels": d.labels})
    for f in NEGATIVES:
        for i in range(40):
            out.append({"id": "neg-%s-%03d" % (f.__name__[2:], i), "kind": "negative", "text": f(), "labels": []})
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "corpus.jsonl"), "w") as fh:
        for s in out:
            fh.write(json.dumps(s, sort_keys=True) + "\n")
    print("wrote %d samples" % len(out))

if __name__ == "__main__":
    main()
