"""Kinds of secret and personal data a trace may carry: (kind, a sentence holding it, the value itself).

Shared by the redaction unit tests and the adversarial leak suite: the value must appear in no
output, file, request or record. ``DETECT_SECRETS`` names the kinds Yelp's detect-secrets flags
too, so a test can check that our formats agree with a maintained scanner's.
"""

from __future__ import annotations

LEAKS: tuple[tuple[str, str, str], ...] = (
    # secrets
    ("anthropic key", "my key is {v} please", "sk-ant-api03-Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNbVcXz"),
    ("openai project key", "OPENAI_API_KEY={v}", "sk-proj-Qm4Tn8Wr2Yp6Zs0Xv3Bc7Nd1Fg5Hj9Kl"),
    ("github classic token", "token {v} failed", "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3s12"),
    ("github fine-grained token", "use {v}", "github_pat_11ABCDEFG0Zq8Wx7Ce6Vr5Bt4_Ny3Mu2Ki1Lo0Pj9Hh8Gg7Ff6Dd5"),
    ("github oauth token", "oauth {v}", "gho_Pq9Wo8Ei7Ru6Ty5Yt4Ur3Ie2Wo1Qp0AsDfGh"),
    ("gitlab token", "gitlab {v}", "glpat-Xy7Zw6Vu5Ts4Rq3Po2Nm"),
    ("slack bot token", "slack {v}", "xoxb-2048611231-4096123456789-Zq8Wx7Ce6Vr5Bt4Ny3Mu2Ki1"),
    (
        "slack webhook",
        "post to {v}",
        "https://hooks.slack.com/services/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",
    ),
    ("aws access key id", "aws {v}", "AKIAZQ8WX7CE6VR5BT4N"),
    ("aws secret key unlabelled", "then {v} was pasted", "Zq8Wx7Ce6Vr5Bt4Ny3Mu2Ki1Lo0Pj9Hh8Gg7Ff6D"),
    ("aws secret key labelled", "aws_secret_access_key = {v}", "Qa1Ws2Ed3Rf4Tg5Yh6Uj7Ik8Ol9Pz0Xc/Vb+NmAs"),
    ("stripe live secret key", "charge with {v}", "sk_live_51Hq8Wx7Ce6Vr5Bt4Ny3Mu2Ki"),
    ("stripe restricted key", "restricted {v}", "rk_live_51Hq8Wx7Ce6Vr5Bt4Ny3Mu2Ki"),
    ("stripe webhook secret", "whsec {v}", "whsec_Zq8Wx7Ce6Vr5Bt4Ny3Mu2Ki1Lo0Pj9"),
    ("google api key", "maps {v}", "AIzaSyZq8Wx7Ce6Vr5Bt4Ny3Mu2Ki1Lo0Pj9Hh8"),
    ("twilio api key", "twilio {v}", "SK0123456789abcdef0123456789abcdef"),
    ("sendgrid key", "sendgrid {v}", "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"),
    ("mailchimp key", "mailchimp {v}", "0123456789abcdef0123456789abcdef-us12"),
    ("npm token", "npm {v}", "npm_Zq8Wx7Ce6Vr5Bt4Ny3Mu2Ki1Lo0Pj9Hh8Gg7"),
    (
        "pypi token",
        "pypi {v}",
        "pypi-AgEIcHlwaS5vcmcCJGE0ZjM1ZWQ0LTk3ZTMtNDhjNi1hYjYwLTlmNDM5ZTA0YjY5MQACKlsiJ2Zq8Wx7Ce6Vr5Bt4Ny3",
    ),
    ("discord bot token", "bot {v}", "MTA4NzY1NDMyMTA5ODc2NTQz.GZq8Wx.Ce6Vr5Bt4Ny3Mu2Ki1Lo0Pj9Hh8Gg7Ff6Dd5"),
    ("telegram bot token", "telegram {v}", "123456789:AAZq8Wx7Ce6Vr5Bt4Ny3Mu2Ki1Lo0Pj9Hh8"),
    ("square token", "square {v}", "sq0atp-Zq8Wx7Ce6Vr5Bt4Ny3Mu2K"),
    ("square oauth secret", "square {v}", "sq0csp-Zq8Wx7Ce6Vr5Bt4Ny3Mu2Ki1Lo0Pj9Hh8Gg7Ff6Dd5Ss"),
    ("hugging face token", "hf {v}", "hf_Zq8Wx7Ce6Vr5Bt4Ny3Mu2Ki1Lo0Pj9Hh8"),
    ("shopify token", "shop {v}", "shpat_0123456789abcdef0123456789abcdef"),
    ("digitalocean token", "do {v}", "dop_v1_" + "0123456789abcdef" * 4),
    ("supabase access token", "supabase {v}", "sbp_0123456789abcdef0123456789abcdef01234567"),
    ("jwt", "session {v}", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJyYWNoZWwifQ.Zq8Wx7Ce6Vr5Bt4Ny3Mu2Ki1Lo0Pj9Hh8Gg7Ff6Dd5"),
    (
        "pem private key",
        "key:\n{v}\nend",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAzq8Wx7Ce6Vr5Bt4Ny3Mu2Ki1Lo0Pj9Hh8Gg7Ff6Dd5Ss4Aa3Qq2Ww1E\n"
        "e0Rr9Tt8Yy7Uu6Ii5Oo4Pp3==\n-----END RSA PRIVATE KEY-----",
    ),
    ("pem body alone", "body {v}", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCzq8Wx7Ce6Vr5Bt4Ny3Mu2Ki1Lo0"),
    ("postgres url password", "db postgres://app:{v}@db.internal:5432/main down", "Pg5ecretPassw0rd"),
    ("redis url password", "cache redis://default:{v}@cache:6379", "R3disS3cret99"),
    ("bearer token", "Authorization: Bearer {v}", "Zq8Wx7Ce6Vr5Bt4Ny3Mu2Ki1"),
    ("basic auth header", "Authorization: Basic {v}", "cmFjaGVsOnMzY3JldA=="),
    ("password field", '{{"password": "{v}"}}', "hunter2-Blue"),
    ("password in prose", "my password is {v} ok", "Tr0ub4dor&3"),
    ("api key field", "api_key={v}&q=1", "k3y9876543210abcd"),
    ("client secret", "client_secret: {v}", "cs_9f8e7d6c5b4a39281706"),
    # personal data
    ("email", "write to {v} today", "rachel.wright+hotel@example.co.uk"),
    ("email non-ascii domain", "mail {v}", "zoe@exämple-hotel.de"),
    ("email non-ascii local part", "mail {v}", "zoë.müller@example.com"),
    ("phone international", "call {v}", "+44 20 7946 0958"),
    ("phone us", "my number is {v}.", "(415) 555-0123"),
    ("phone uk national", "ring {v}", "020 7946 0958"),
    ("phone france", "portable {v}", "06 12 34 56 78"),
    ("card with spaces", "card {v} exp 12/27", "4111 1111 1111 1111"),
    ("card with dashes", "card {v}", "5555-5555-5555-4444"),
    ("card with dots", "card {v}", "4012.8888.8888.1881"),
    ("card plain", "paid with {v}", "4242424242424242"),
    ("amex", "amex {v}", "3782 822463 10005"),
    ("iban", "IBAN {v} thanks", "DE89 3704 0044 0532 0130 00"),
    ("iban lower case", "iban {v}", "gb82 west 1234 5698 7654 32"),
    ("iban compact", "pay to {v}", "FR1420041010050500013M02606"),
    ("ssn labelled", "my SSN is {v}", "078-05-1120"),
    ("ssn unlabelled", "number {v} on file", "219-09-9999"),
    ("ssn labelled no dashes", "SSN: {v}", "536220918"),
    ("uk national insurance", "NI number {v}", "AB123456C"),
    ("canadian sin", "SIN: {v}", "046 454 286"),
    ("spanish dni", "DNI {v}", "12345678Z"),
    ("italian codice fiscale", "CF {v}", "RSSMRA85T10A562S"),
    ("indian pan", "PAN {v}", "ABCPE1234F"),
    ("aadhaar", "aadhaar {v}", "2345 6789 0124"),
    ("passport", "passport no. {v}", "X12345678"),
    ("driver licence", "driver's license {v}", "D1234-56789-01234"),
    ("name in greeting", "Hi {v}, is breakfast included?", "Rachel"),
    ("name in sign-off", "Thanks for the help. Kind regards, {v}", "Rachel Wright"),
    ("name after thanks", "Ok. Thanks, {v}", "Pete"),
    ("name on its own line", "See you soon!\nBest,\n{v}", "Tomasz Kowalczyk"),
    ("name introduced", "Hello, my name is {v} and I booked", "Anneliese Brandt"),
    ("name with title", "Is this Mrs {v}'s room?", "Okonkwo"),
    ("name non-ascii", "Dear {v}, thanks", "Zoë Lefèvre"),
    ("street address us", "I live at {v}, Springfield", "742 Evergreen Terrace"),
    ("street address uk", "send it to {v}", "221B Baker Street"),
    ("street address german", "wohne {v}, Berlin", "Hauptstraße 5"),
    ("street address french", "chez moi {v}", "12 rue de la Paix"),
    ("uk postcode", "London {v}", "NW1 6XE"),
    ("us zip with state", "Washington, {v}", "DC 20500"),
)

# The kinds detect-secrets 1.5 flags as well (with its keyword and entropy plugins off).
DETECT_SECRETS = frozenset(
    {
        "github classic token",
        "github oauth token",
        "gitlab token",
        "slack bot token",
        "slack webhook",
        "aws access key id",
        "stripe live secret key",
        "stripe restricted key",
        "twilio api key",
        "sendgrid key",
        "mailchimp key",
        "pypi token",
        "discord bot token",
        "telegram bot token",
        "square oauth secret",
        "jwt",
        "pem private key",
        "postgres url password",
        "redis url password",
    }
)


def leak_texts() -> list[tuple[str, str, str]]:
    """(kind, the sentence with its value, the value)."""
    return [
        (kind, template.replace("{v}", value).replace("{{", "{").replace("}}", "}"), value)
        for kind, template, value in LEAKS
    ]
