"""Bilingual labels printed on the sheets: (English, Hindi). Hindi as used on ECI forms."""

from __future__ import annotations

L: dict[str, tuple[str, str]] = {
    "ac": ("No. & Name of Assembly Constituency", "विधान सभा निर्वाचन क्षेत्र की संख्या व नाम"),
    "election": ("Election", "निर्वाचन"),
    "electors": ("Total electors", "कुल निर्वाचक"),
    "counting_date": ("Date of counting", "मतगणना की तिथि"),
    "round": ("Round", "चक्र"),
    "postal_round": ("Postal ballots (round 0)", "डाक मतपत्र (चक्र 0)"),
    "revision": ("Revision", "संशोधन क्र."),
    "status": ("Status", "स्थिति"),
    "printed": ("Printed", "मुद्रित"),
    "operator": ("Operator", "ऑपरेटर"),
    "round_sheet": ("Round sheet", "चक्र पत्रक"),
    "trv": ("Table-wise record of votes (TRV)", "टेबलवार मतों का अभिलेख (TRV)"),
    "rdf": ("Round declaration (RDF)", "चक्र घोषणा (RDF)"),
    "sl": ("Sl.", "क्र."),
    "candidate": ("Candidate", "अभ्यर्थी"),
    "party": ("Party", "दल"),
    "table": ("Table", "टेबल"),
    "ps": ("PS", "मतदान केंद्र"),
    "ps_no": ("PS No.", "मतदान केंद्र सं."),
    "nota": ("NOTA", "नोटा"),
    "rejected": ("Rejected", "अस्वीकृत"),
    "total": ("Total", "योग"),
    "round_total": ("Round total", "चक्र योग"),
    "tendered": ("Tendered", "निविदत्त"),
    "total_valid": ("Total valid (excl. NOTA)", "कुल वैध मत (नोटा छोड़कर)"),
    "total_votes": ("Total votes", "कुल मत"),
    "kept_aside": ("Kept aside (not counted)", "अलग रखी गई (गणना नहीं हुई)"),
    "brought_forward": ("Brought forward", "पिछले चक्रों से"),
    "this_round": ("This round", "इस चक्र में"),
    "cumulative": ("Cumulative", "कुल योग"),
    "leading": ("Leading", "आगे"),
    "trailing": ("Trailing", "पीछे"),
    "margin": ("Margin", "अंतर"),
    "tie": ("TIE for the lead", "बढ़त बराबर"),
    "ro": ("Returning Officer", "रिटर्निंग ऑफिसर"),
    "observer": ("Observer", "प्रेक्षक"),
    "signature": ("Signature", "हस्ताक्षर"),
    "name": ("Name", "नाम"),
    "date": ("Date", "दिनांक"),
    "place": ("Place", "स्थान"),
    "page": ("Page", "पृष्ठ"),
    "draft": ("DRAFT", "प्रारूप"),
    "not_declared": ("DRAFT — result not declared", "प्रारूप — परिणाम घोषित नहीं"),
    "form20": ("FORM 20 — Final result sheet", "प्रपत्र 20 — अंतिम परिणाम पत्रक"),
    "evm_votes": (
        "Total No. of Votes recorded at Polling Stations (EVM)",
        "मतदान केंद्रों पर दर्ज कुल मत (ईवीएम)",
    ),
    "postal_votes": ("No. of votes recorded on Postal Ballot Papers", "डाक मतपत्रों पर दर्ज मत"),
    "total_polled": ("Total Votes Polled", "कुल डाले गए मत"),
    "form21c": ("FORM 21C — Declaration of the result of election", "प्रपत्र 21ग — निर्वाचन परिणाम की घोषणा"),
    "form21d": (
        "FORM 21D — Declaration of the result of election (bye-election)",
        "प्रपत्र 21घ — निर्वाचन परिणाम की घोषणा (उप-निर्वाचन)",
    ),
    "form21e": ("FORM 21E — Return of election", "प्रपत्र 21ङ — निर्वाचन की विवरणी"),
    "form22": ("FORM 22 — Certificate of election", "प्रपत्र 22 — निर्वाचन का प्रमाण-पत्र"),
    "postal_sheet": ("Postal ballot result sheet", "डाक मतपत्र परिणाम पत्रक"),
    "annex": ("Correction annex", "संशोधन परिशिष्ट"),
    "votes": ("Votes", "मत"),
    "postal_table": ("Postal table", "डाक टेबल"),
    "reason": ("Reason", "कारण"),
    "change": ("Change", "अंतर"),
    "changed": ("changed", "परिवर्तित"),
    "part": ("part", "भाग"),
    "figures": ("figures", "आँकड़े"),
    "previous_sheet": ("previous sheet", "पिछला पत्रक"),
    "elected": ("duly elected", "विधिवत निर्वाचित"),
    "submitted": ("Submitted for RO approval — not yet approved", "आरओ अनुमोदन हेतु प्रस्तुत — अभी अनुमोदित नहीं"),
    "verify_hint": ("Verify: encore verify sheet <QR text>", "सत्यापन: encore verify sheet <QR पाठ>"),
}

# a round's status (domain.rounds.RoundStatus values) and the stage of its printed figures
STATUS_HI: dict[str, str] = {
    "draft": "प्रारूप",
    "submitted": "प्रस्तुत",
    "returned": "लौटाया गया",
    "approved": "अनुमोदित",
    "published": "प्रकाशित",
    "needs_reapproval": "पुनः अनुमोदन आवश्यक",
    "correction": "संशोधनाधीन",
}
STAGE: dict[str, tuple[str, str]] = {  # printing.chain stage codes, and "live" (annex)
    "a": ("approved", "अनुमोदित"),
    "s": ("submitted", "प्रस्तुत"),
    "d": ("not submitted", "प्रस्तुत नहीं"),
    "live": ("not yet submitted", "अभी प्रस्तुत नहीं"),
}

# States and Union Territories with a Legislative Assembly, for "<state> विधान सभा"
STATES_HI: dict[str, str] = {
    "Andhra Pradesh": "आंध्र प्रदेश",
    "Arunachal Pradesh": "अरुणाचल प्रदेश",
    "Assam": "असम",
    "Bihar": "बिहार",
    "Chhattisgarh": "छत्तीसगढ़",
    "Delhi": "दिल्ली",
    "Goa": "गोवा",
    "Gujarat": "गुजरात",
    "Haryana": "हरियाणा",
    "Himachal Pradesh": "हिमाचल प्रदेश",
    "Jammu and Kashmir": "जम्मू और कश्मीर",
    "Jharkhand": "झारखंड",
    "Karnataka": "कर्नाटक",
    "Kerala": "केरल",
    "Madhya Pradesh": "मध्य प्रदेश",
    "Maharashtra": "महाराष्ट्र",
    "Manipur": "मणिपुर",
    "Meghalaya": "मेघालय",
    "Mizoram": "मिज़ोरम",
    "Nagaland": "नागालैंड",
    "Odisha": "ओडिशा",
    "Puducherry": "पुडुचेरी",
    "Punjab": "पंजाब",
    "Rajasthan": "राजस्थान",
    "Sikkim": "सिक्किम",
    "Tamil Nadu": "तमिलनाडु",
    "Telangana": "तेलंगाना",
    "Tripura": "त्रिपुरा",
    "Uttar Pradesh": "उत्तर प्रदेश",
    "Uttarakhand": "उत्तराखंड",
    "West Bengal": "पश्चिम बंगाल",
}


def state_hi(state: str) -> str:
    """The state's name in Hindi; a name not in the table is printed as given."""
    return STATES_HI.get(" ".join(state.split()).title().replace(" And ", " and "), state)


def en(key: str) -> str:
    return L[key][0]


def hi(key: str) -> str:
    return L[key][1]


def bi(key: str, sep: str = " / ") -> str:
    e, h = L[key]
    return f"{e}{sep}{h}"
