"""UI labels in English and Hindi (`--lang hi`).

Only labels are translated. Candidate names stay Latin inside the grid so columns never
misalign (terminals measure Devanagari widths differently); Hindi names appear in detail
lines only.
"""

from __future__ import annotations

_LANG = "en"

HI: dict[str, str] = {
    "Sign in": "साइन इन",
    "User name": "उपयोगकर्ता नाम",
    "PIN": "पिन",
    "Opening the store…": "भंडार खोला जा रहा है…",
    "Constituency": "विधानसभा क्षेत्र",
    "Demo accounts": "डेमो खाते",
    "Keep aside": "अलग रखें",
    "Ack 17C": "17C स्वीकारें",
    "Submit": "जमा करें",
    "Totals": "कुल",
    "Choose the constituency (↑↓, Enter).": "विधानसभा क्षेत्र चुनें (↑↓, Enter)।",
    "Type your user name, then Enter.": "अपना उपयोगकर्ता नाम लिखें, फिर Enter।",
    "Type your PIN, then Enter to sign in.": "अपना पिन लिखें, फिर साइन इन के लिए Enter।",
    "Counting dashboard": "मतगणना डैशबोर्ड",
    "Round": "चक्र",
    "Postal": "डाक मतपत्र",
    "Status": "स्थिति",
    "Tables": "टेबल",
    "Kept aside": "अलग रखी",
    "Leading": "आगे",
    "Trailing": "पीछे",
    "Margin": "अंतर",
    "Push queue": "भेजने की कतार",
    "Table": "टेबल",
    "Total (CU)": "कुल (CU)",
    "Sum": "योग",
    "17C Part I": "17C भाग I",
    "Difference": "अंतर",
    "Rejected": "अस्वीकृत",
    "Cumul.": "संचयी",
    "saved": "सहेजा",
    "Submit round": "चक्र जमा करें",
    "Keep aside / restore": "अलग रखें / वापस",
    "Acknowledge warning": "चेतावनी स्वीकारें",
    "Trends": "रुझान",
    "Help": "सहायता",
    "Back": "वापस",
    "Quit": "बंद करें",
    "Sign out": "साइन आउट",
    "Open round": "चक्र खोलें",
    "Totals columns": "कुल कॉलम",
    "read-only": "केवल पढ़ें",
    "Entry resumes at": "प्रविष्टि यहाँ से जारी",
    "Cancel": "रद्द करें",
    "Confirm": "पुष्टि करें",
    "Reason": "कारण",
    "Note": "टिप्पणी",
    "Remark from the RO": "निर्वाचन अधिकारी की टिप्पणी",
    "Keys": "कुंजियाँ",
    "Messages": "संदेश",
    "newest first": "नवीनतम पहले",
    "Refresh": "ताज़ा करें",
    "Cumulative votes": "संचयी मत",
    "Lead and margin by round": "चक्रवार बढ़त और अंतर",
    "no votes yet": "अभी कोई मत नहीं",
}


def set_lang(lang: str) -> None:
    global _LANG
    _LANG = lang if lang in ("en", "hi") else "en"


def lang() -> str:
    return _LANG


def t(text: str) -> str:
    """The label in the current language (English text is the key)."""
    if _LANG == "hi":
        return HI.get(text, text)
    return text
