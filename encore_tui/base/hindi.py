"""More of the Hindi texts (issue 16), kept apart from base/i18n.py so each module stays short:
the scans screens, the RO's forms (PIN, VVPAT, recount), the blind comparison, the result
screen's steps, and the refusals a service raises (services/*: "NOT saved: …") as they reach a
screen. base/i18n.py merges `MORE` into its table and `MORE_PATTERNS` into its patterns;
`t_msg` translates a pattern's parts in turn ("Round 3" → "चक्र 3") and a message sentence by
sentence.
"""

from __future__ import annotations

MORE: dict[str, str] = {
    # refusals: what was not done comes first
    "NOT saved": "सहेजा नहीं गया",
    "NOT printed": "नहीं छपा",
    "nothing was decided.": "कुछ तय नहीं हुआ।",
    "Wrong PIN: nothing was decided.": "गलत पिन: कुछ तय नहीं हुआ।",
    "Return cancelled: nothing was decided.": "लौटाना रद्द: कुछ तय नहीं हुआ।",
    "Form 20 is signed: no round can be corrected any more (Rule 63). A recount (F2 on the result "
    "screen) was possible only before the sign-off; the declared result now stands.": (
        "प्रपत्र 20 पर हस्ताक्षर हो चुके: अब कोई चक्र सुधारा नहीं जा सकता (नियम 63)। पुनर्गणना "
        "(परिणाम स्क्रीन पर F2) हस्ताक्षर से पहले ही संभव थी; घोषित परिणाम अब अंतिम है।"
    ),
    "Form 20 is signed: no recount application can be recorded any more (Rule 63).": (
        "प्रपत्र 20 पर हस्ताक्षर हो चुके: अब कोई पुनर्गणना आवेदन दर्ज नहीं हो सकता (नियम 63)।"
    ),
    "Form 20 is signed: the result is final and no round can be corrected.": (
        "प्रपत्र 20 पर हस्ताक्षर हो चुके: परिणाम अंतिम है, कोई चक्र सुधारा नहीं जा सकता।"
    ),
    "Form 20 is already signed.": "प्रपत्र 20 पर पहले ही हस्ताक्षर हो चुके हैं।",
    "The leading candidates are not tied: no lot is drawn.": "आगे के उम्मीदवार बराबर नहीं: लॉटरी नहीं निकलती।",
    "The lot is already drawn; it is not drawn again.": "लॉटरी पहले ही निकल चुकी; दोबारा नहीं निकलती।",
    "Postal tables cannot be kept aside.": "डाक टेबल अलग नहीं रखी जा सकतीं।",
    "Write a remark telling the operator what to check.": "ऑपरेटर को क्या जाँचना है, यह टिप्पणी लिखें।",
    "Write the reason for the correction; it is printed on the correction annex.": (
        "सुधार का कारण लिखें; यह सुधार परिशिष्ट पर छपता है।"
    ),
    "Only the RO (and the observer) see the comparison of a blind keying.": (
        "ब्लाइंड प्रविष्टि की तुलना केवल निर्वाचन अधिकारी (और प्रेक्षक) देखते हैं।"
    ),
    "Only the RO decides a difference; observers change nothing.": (
        "अंतर केवल निर्वाचन अधिकारी तय करते हैं; प्रेक्षक कुछ नहीं बदलते।"
    ),
    "A PIN needs at least 4 characters.": "पिन में कम से कम 4 अक्षर चाहिए।",
    "Read-only review: F7 types the figures of a round in correction.": (
        "केवल पढ़ने की समीक्षा: सुधार में चल रहे चक्र के अंक F7 से लिखें।"
    ),
    # forms and dialogs
    "y/n": "y/n",
    "type digits only": "केवल अंक 0-9 लिखें",
    "type y (yes) or n (no)": "y (हाँ) या n (नहीं) लिखें",
    "Enter: next field (last: {ok}) · Tab/Shift+Tab · Esc: {cancel}": (
        "Enter: अगला खाना (अंतिम पर: {ok}) · Tab/Shift+Tab · Esc: {cancel}"
    ),
    "Remark: what to check (the operator sees it)": "टिप्पणी: क्या जाँचना है (ऑपरेटर देखता है)",
    "Recount application (Rule 63)": "पुनर्गणना आवेदन (नियम 63)",
    "Applicant": "आवेदक",
    "candidate / election agent": "उम्मीदवार / निर्वाचन अभिकर्ता",
    "Stations (comma) or ALL": "मतदान केंद्र (अल्पविराम से) या ALL",
    "e.g. 12,40 — ALL: full recount": "जैसे 12,40 — ALL: पूरी पुनर्गणना",
    "Allowed? (y/n)": "स्वीकृत? (y/n)",
    "Reasons for the decision": "निर्णय के कारण",
    "Lot fell on candidate no.": "लॉटरी उम्मीदवार क्रमांक पर",
    "Drawn by": "लॉटरी निकाली",
    "Witnesses": "साक्षी",
    "candidates, agents, observer": "उम्मीदवार, अभिकर्ता, प्रेक्षक",
    # scans
    "Attach a scan of which form?": "किस प्रपत्र का स्कैन जोड़ें?",
    "Form 13A": "प्रपत्र 13A",
    "Form 13B": "प्रपत्र 13B",
    "Form 20 (signed)": "प्रपत्र 20 (हस्ताक्षरित)",
    "Form 21C (signed)": "प्रपत्र 21C (हस्ताक्षरित)",
    "Form 22 (signed certificate)": "प्रपत्र 22 (हस्ताक्षरित प्रमाणपत्र)",
    "↑↓ choose · Enter select · Esc: {cancel}": "↑↓ चुनें · Enter चुनें · Esc: {cancel}",
    "↑↓ choose · Enter attach · Tab: type a path · Esc: {cancel}": (
        "↑↓ चुनें · Enter जोड़ें · Tab: पथ लिखें · Esc: {cancel}"
    ),
    "{folder} (newest first)": "{folder} (नवीनतम पहले)",
    "{folder}: no scan yet.": "{folder}: अभी कोई स्कैन नहीं।",
    "or type the path of the scan": "या स्कैन का पथ लिखें",
    "Type the path of the scan, or pick a file above.": "स्कैन का पथ लिखें, या ऊपर से फ़ाइल चुनें।",
    "Attach the scanned {form}": "स्कैन किया {form} जोड़ें",
    "{form} {file} attached": "{form} {file} संलग्न",
    "journaled": "जर्नल में दर्ज",
    "Form": "प्रपत्र",
    "File": "फ़ाइल",
    "Bytes": "बाइट",
    "By": "किसने",
    "none yet": "अभी कोई नहीं",
    "F2 attaches one": "F2 से जोड़ें",
    "Enter: view · F2: attach from {where}": "Enter: देखें · F2: {where} से जोड़ें",
    "F2: attach from {where}": "F2: {where} से जोड़ें",
    "Reading the scan…": "स्कैन पढ़ा जा रहा है…",
    "page": "पृष्ठ",
    "pages": "पृष्ठ",
    "That was the last page.": "यह अंतिम पृष्ठ था।",
    "This is the first page.": "यह पहला पृष्ठ है।",
    "Attach": "जोड़ें",
    "Attach a scan from the scans folder": "स्कैन फ़ोल्डर से स्कैन जोड़ें",
    "Next page": "अगला पृष्ठ",
    "Previous page": "पिछला पृष्ठ",
    "scanned Form 13A/13B": "स्कैन किए प्रपत्र 13A/13B",
    "signed Form 20 / 21C / 22": "हस्ताक्षरित प्रपत्र 20 / 21C / 22",
    # the blind comparison
    "side by side": "साथ-साथ",
    "Field": "खाना",
    "Entered": "दर्ज",
    "DIFFERS": "अंतर",
    "same": "समान",
    "not keyed": "दर्ज नहीं",
    "F2 keep the entered figure / F3 take the re-keyed one, per differing cell": (
        "हर अंतर वाले खाने पर F2 दर्ज अंक रखें / F3 दोबारा दर्ज अंक लें"
    ),
    "no difference": "कोई अंतर नहीं",
    "waiting for the re-keying": "दोबारा प्रविष्टि की प्रतीक्षा",
}

# (regular expression, Hindi template): each group is translated in turn (t_msg)
MORE_PATTERNS: list[tuple[str, str]] = [
    (r"^NOT saved: (.+)$", "सहेजा नहीं गया: {0}"),
    (r"^(.+) NOT printed: (.+)$", "{0} नहीं छपा: {1}"),
    (r"^Round (\d+)$", "चक्र {0}"),
    (r"^(\d+) tries left\.$", "{0} प्रयास बाकी।"),
    (r"^Return (.+) to the operator$", "{0} ऑपरेटर को लौटाएँ"),
    (r"^(.+) · scanned Form 13A/13B$", "{0} · स्कैन किए प्रपत्र 13A/13B"),
]

MORE.update(
    {
        # the RO's approval
        "Approval cancelled: nothing was decided.": "स्वीकृति रद्द: कुछ तय नहीं हुआ।",
        "queued for publication.": "प्रकाशन के लिए कतार में।",
        "queued for push.": "भेजने की कतार में।",
        "Queued for push.": "भेजने की कतार में।",
        "queued.": "कतार में।",
        "every cell re-keyed; the RO sees the comparison.": "हर खाना दोबारा दर्ज; तुलना निर्वाचन अधिकारी देखते हैं।",
        "every cell re-keyed": "हर खाना दोबारा दर्ज",
        "Esc: back": "Esc: वापस",
        # printing
        "Form 20 (final result sheet)": "प्रपत्र 20 (अंतिम परिणाम पत्रक)",
        "Form 21C (declaration of result)": "प्रपत्र 21C (परिणाम की घोषणा)",
        "Form 21E (return of election)": "प्रपत्र 21E (निर्वाचन की विवरणी)",
        "Form 22 (certificate of election)": "प्रपत्र 22 (निर्वाचन प्रमाणपत्र)",
        "Form 21C": "प्रपत्र 21C",
        "Form 21E": "प्रपत्र 21E",
        "↑↓ or 1-{n} · Enter: print · Esc: {cancel}": "↑↓ या 1-{n} · Enter: छापें · Esc: {cancel}",
        # VVPAT
        "VVPAT: the 5 polling stations drawn by lot": "VVPAT: लॉटरी से निकले 5 मतदान केंद्र",
        "double": "दोहरी",
        "e.g. agent of P2, in front of all": "जैसे P2 के अभिकर्ता, सबके सामने",
        "observer, agents present": "प्रेक्षक, उपस्थित अभिकर्ता",
        "Rule 56D application (slip count at a station)": "नियम 56D आवेदन (किसी मतदान केंद्र की पर्ची गिनती)",
        "Polling station": "मतदान केंद्र",
        "where the slips are to be counted": "जहाँ पर्चियाँ गिनी जानी हैं",
        "candidate / agent": "उम्मीदवार / अभिकर्ता",
        "Close VVPAT verification": "VVPAT सत्यापन बंद करें",
        "VVPAT verification cannot be closed yet": "VVPAT सत्यापन अभी बंद नहीं हो सकता",
        "No station to count yet: record the draw (F2) or a Rule 56D application (F3).": (
            "अभी गिनने को कोई मतदान केंद्र नहीं: लॉटरी (F2) या नियम 56D आवेदन (F3) दर्ज करें।"
        ),
        "Enter: every figure": "Enter: हर अंक",
        "F4: enter its slip count": "F4: इसकी पर्ची गिनती दर्ज करें",
        "F5: enter the recount of its slips": "F5: इसकी पर्चियों की पुनर्गणना दर्ज करें",
        "F6: amend its result from the slip count": "F6: पर्ची गिनती से इसका परिणाम संशोधित करें",
        "F4: enter their slip counts.": "F4: उनकी पर्ची गिनती दर्ज करें।",
        "lot": "लॉटरी",
        "rule 56D": "नियम 56D",
        "pending": "बाकी",
        "match": "मेल",
        "mismatch": "अंतर",
        "match on recount": "पुनर्गणना पर मेल",
        "slip prevails": "पर्ची मान्य",
        "amended": "संशोधित",
        # the result
        "Sign Form 20": "प्रपत्र 20 पर हस्ताक्षर",
        "Form 20 cannot be signed yet": "प्रपत्र 20 पर अभी हस्ताक्षर नहीं हो सकते",
        "After the sign-off no recount application and no correction can be recorded.": (
            "हस्ताक्षर के बाद कोई पुनर्गणना आवेदन या सुधार दर्ज नहीं हो सकता।"
        ),
        "No recount application can follow.": "अब कोई पुनर्गणना आवेदन नहीं हो सकता।",
        "no recount application any more.": "अब कोई पुनर्गणना आवेदन नहीं।",
        "Declare the result": "परिणाम घोषित करें",
        "Place of the declaration": "घोषणा का स्थान",
        "Type the place (e.g. the counting centre).": "स्थान लिखें (जैसे मतगणना केंद्र)।",
        "F6: attach the signed Form 22.": "F6: हस्ताक्षरित प्रपत्र 22 जोड़ें।",
        "Form 22 scan: not attached yet (F6)": "प्रपत्र 22 स्कैन: अभी नहीं जुड़ा (F6)",
        "The signed certificate (Form 22) is attached after the result is declared.": (
            "हस्ताक्षरित प्रमाणपत्र (प्रपत्र 22) परिणाम घोषित होने के बाद जोड़ा जाता है।"
        ),
        "Tie: the lot (Section 65)": "बराबरी: लॉटरी (धारा 65)",
        "The lot adds one vote.": "लॉटरी से एक मत जुड़ता है।",
        "full recount": "पूरी पुनर्गणना",
        "ALLOWED": "स्वीकृत",
        "rejected": "अस्वीकृत",
    }
)

MORE_PATTERNS += [
    (r"^Approve (.+): your PIN$", "{0} स्वीकृत करें: आपका पिन"),
    (r"^Correct (.+): your PIN$", "{0} सुधारें: आपका पिन"),
    (r"^(.+), revision (\d+) \((.+)\)$", "{0}, संशोधन {1} ({2})"),
    (r"^(\d+) warning\(s\)$", "{0} चेतावनी"),
    (r"^(\d+) warning\(s\) \(F10 report lists them\)$", "{0} चेतावनी (F10 रिपोर्ट में सूची)"),
    (r"^(\d+) cell\(s\) changed since revision (\d+)$", "संशोधन {1} के बाद {0} खाने बदले"),
    (r"^(.+) approved by (?P<raw1>\S+)$", "{0} {1} द्वारा स्वीकृत"),
    (r"^(.+) cannot be approved yet$", "{0} अभी स्वीकृत नहीं हो सकता"),
    (r"^(.+) cannot be approved$", "{0} स्वीकृत नहीं हो सकता"),
    (r"^(\d+) left$", "{0} बाकी"),
    (r"^'(.*)' is not a figure: type the number of votes with 0-9 only\.$", "'{0}' अंक नहीं है: मत 0-9 से लिखें।"),
    (r"^Printing (.+)…$", "{0} छप रहा है…"),
    (r"^Saved (\S+) \((.+), (\d+) pages?\)$", "सहेजा {0} ({1}, {2} पृष्ठ)"),
    (
        r"^Saved (\S+) \((.+), (\d+) pages?, sent to printer (.+)\)$",
        "सहेजा {0} ({1}, {2} पृष्ठ, प्रिंटर {3} को भेजा)",
    ),
    (r"^(.+) NOT printed \((.+)\)$", "{0} नहीं छपा ({1})"),
    (r"^details in the log\.$", "विवरण लॉग में।"),
    # VVPAT
    (r"^Station drawn (\d+)$", "निकाला गया मतदान केंद्र {0}"),
    (
        r"^Station numbers as in the setup \(e\.g\. (.+)\); fewer only when the AC has fewer counted stations\.$",
        "मतदान केंद्र क्रमांक सेटअप के अनुसार (जैसे {0}); कम तभी जब विधानसभा क्षेत्र में कम मतदान केंद्र गिने गए हों।",
    ),
    (r"^Recorded: PS (.+) drawn by lot\.$", "दर्ज: मतदान केंद्र {0} लॉटरी से निकले।"),
    (r"^Drawn by lot: PS (.+)$", "लॉटरी से निकले: मतदान केंद्र {0}"),
    (r"^drew: (?P<raw1>.+)$", "निकाली: {0}"),
    (r"^witnesses: (?P<raw1>.+)$", "साक्षी: {0}"),
    (r"^PS (.+?): (.+) — the slips agree with the EVM\.$", "मतदान केंद्र {0}: {1} — पर्चियाँ EVM से मेल खाती हैं।"),
    (r"^PS (.+?): VVPAT slips per candidate$", "मतदान केंद्र {0}: उम्मीदवारवार VVPAT पर्चियाँ"),
    (
        r"^PS (.+?): RECOUNT of the VVPAT slips per candidate$",
        "मतदान केंद्र {0}: उम्मीदवारवार VVPAT पर्चियों की पुनर्गणना",
    ),
    (r"^PS (.+?): EVM and VVPAT slips$", "मतदान केंद्र {0}: EVM और VVPAT पर्चियाँ"),
    (r"^PS (.+?): EVM (\d+)$", "मतदान केंद्र {0}: EVM {1}"),
    (r"^slips (\d+)$", "पर्चियाँ {0}"),
    (r"^recount (\d+)$", "पुनर्गणना {0}"),
    (r"^(\d+) stations verified\. (.+)$", "{0} मतदान केंद्र सत्यापित। {1}"),
    (
        r"^Nothing more can be recorded in the verification afterwards\.$",
        "इसके बाद सत्यापन में कुछ और दर्ज नहीं हो सकता।",
    ),
    (r"^VVPAT verification closed \((\d+) stations\)$", "VVPAT सत्यापन बंद ({0} मतदान केंद्र)"),
    (
        r"^\[b\]VVPAT verification closed\[/b\] by (?P<raw1>\S+) at (\S+)\.$",
        "[b]VVPAT सत्यापन बंद[/b], {0} द्वारा {1} पर।",
    ),
    (r"^Not closed: (.+)$", "बंद नहीं हुआ: {0}"),
    (
        r"^VVPAT verification follows the last EVM round: rounds (.+) are not approved yet\.$",
        "VVPAT सत्यापन अंतिम EVM चक्र के बाद होता है: चक्र {0} अभी स्वीकृत नहीं।",
    ),
    # the result
    (r"^Total votes polled (\S+); the figures above are final\.$", "कुल डाले गए मत {0}; ऊपर के अंक अंतिम हैं।"),
    (r"^Form 20 signed \(sha256 (\S+)\)\.$", "प्रपत्र 20 पर हस्ताक्षर (sha256 {0})।"),
    (r"^Form 20 signed by (?P<raw1>.+) at (\S+): (.+)$", "प्रपत्र 20 पर {0} के हस्ताक्षर, {1} पर: {2}"),
    (r"^Form 20 cannot be signed yet: (.+)$", "प्रपत्र 20 पर अभी हस्ताक्षर नहीं हो सकते: {0}"),
    (r"^Form 20 cannot be signed: (.+)$", "प्रपत्र 20 पर हस्ताक्षर नहीं हो सकते: {0}"),
    (r"^([EW]\d{3}) (.+)$", "{0} {1}"),
    (r"^Elected: (.+)$", "निर्वाचित: {0}"),
    (r"^Place: (?P<raw1>.+)$", "स्थान: {0}"),
    (r"^(.+) \((\S+)\), (\d+) votes, margin (\d+)$", "{0} ({1}), {2} मत, अंतर {3}"),
    (
        r"^Declared: (.+) \((\S+)\) elected with (\d+) votes, margin (\d+)\.$",
        "घोषित: {0} ({1}) {2} मतों से निर्वाचित, अंतर {3}।",
    ),
    (
        r"^\[b\]DECLARED\[/b\] (\S+): \[b\](.+)\[/b\] elected with (\d+) votes, margin (\d+)( over [^·]+)?$",
        "[b]घोषित[/b] {0}: [b]{1}[/b] {2} मतों से निर्वाचित, अंतर {3}{4}",
    ),
    (r"^ over (?P<raw1>.+)$", " ({0} से आगे)"),
    (r"^RO (?P<raw1>.+)$", "निर्वाचन अधिकारी {0}"),
    (r"^Form 22 scan: (.+)$", "प्रपत्र 22 स्कैन: {0}"),
    (r"^Form 22 scan (\S+) attached \((\S+), (\d+) bytes\)$", "प्रपत्र 22 स्कैन {0} संलग्न ({1}, {2} बाइट)"),
    (r"^Recount #(\d+) (.+): (.+) (ALLOWED|rejected) — (.+)$", "पुनर्गणना #{0} {1}: {2} {3} — {4}"),
    (
        r"^Rule 56D #(\d+) (.+): PS (.+?) (ALLOWED|rejected) — (.+)$",
        "नियम 56D #{0} {1}: मतदान केंद्र {2} {3} — {4}",
    ),
    (r"^Tied: (.+)\.$", "बराबर: {0}।"),
]

# the store's failures (store/errors.py), sentence by sentence: what happened, then what to do
MORE.update(
    {
        "Nothing saved was lost.": "सहेजा हुआ कुछ नहीं खोया।",
        "Nothing saved was lost": "सहेजा हुआ कुछ नहीं खोया",
        "try again once it is fixed.": "ठीक होने पर फिर कोशिश करें।",
        "The figure you typed was NOT saved (everything before it is): press Enter again to retry "
        "once it is fixed.": ("आपका लिखा अंक सहेजा नहीं गया (उससे पहले का सब सहेजा है): ठीक होने पर फिर Enter दबाएँ।"),
        "Close the other encore window using it (or wait a moment) and try again.": (
            "इसे उपयोग कर रही दूसरी encore विंडो बंद करें (या थोड़ा रुकें) और फिर कोशिश करें।"
        ),
        "Free space (or move the store) and press Enter again: the last value was NOT saved, "
        "everything before it is.": (
            "जगह खाली करें (या भंडार कहीं और ले जाएँ) और फिर Enter दबाएँ: अंतिम अंक सहेजा नहीं गया, "
            "उससे पहले का सब सहेजा है।"
        ),
        "Copy it to a writable disk or fix its permissions.": (
            "इसे लिखने योग्य डिस्क पर कॉपी करें या इसकी अनुमतियाँ ठीक करें।"
        ),
        "Check the disk": "डिस्क जाँचें",
        "nothing saved was lost.": "सहेजा हुआ कुछ नहीं खोया।",
    }
)
MORE_PATTERNS += [
    (r"^(.+): NOT saved\.$", "{0}: सहेजा नहीं गया।"),
    (r"^Database busy \((.+)\)$", "डेटाबेस व्यस्त ({0})"),
    (r"^Database not answering \((.+)\)$", "डेटाबेस उत्तर नहीं दे रहा ({0})"),
    (r"^The database (?P<raw1>\S+) is locked by another program\.$", "डेटाबेस {0} किसी दूसरे प्रोग्राम ने रोका है।"),
    (
        r"^The database (?P<raw1>\S+) is on read-only media or a read-only file\.$",
        "डेटाबेस {0} केवल-पढ़ने वाले माध्यम या फ़ाइल पर है।",
    ),
    (r"^The disk holding (?P<raw1>\S+) is full\.$", "{0} वाली डिस्क भर गई है।"),
    (r"^The disk holding (?P<raw1>\S+) reported an I/O error\.$", "{0} वाली डिस्क ने I/O त्रुटि बताई।"),
    (
        r"^Cannot open the database (?P<raw1>\S+): check that the folder exists and is writable\.$",
        "डेटाबेस {0} नहीं खुला: जाँचें कि फ़ोल्डर मौजूद है और उसमें लिखा जा सकता है।",
    ),
    (r"^Wrong PIN: (.+)$", "गलत पिन: {0}"),
]
MORE_PATTERNS += [
    (
        r"^Approve round (\d+) \((.+)\) first: rounds are approved in order\.$",
        "पहले चक्र {0} ({1}) स्वीकृत करें: चक्र क्रम से स्वीकृत होते हैं।",
    ),
    (
        r"^The signed (.+) is attached after the result is declared\.$",
        "हस्ताक्षरित {0} परिणाम घोषित होने के बाद जोड़ा जाता है।",
    ),
    (
        r"^The signed Form 20 is attached after the RO signs it \(F3 on the result screen\)\.$",
        "हस्ताक्षरित प्रपत्र 20 निर्वाचन अधिकारी के हस्ताक्षर के बाद जोड़ा जाता है (परिणाम स्क्रीन पर F3)।",
    ),
    (r"^This (.+) scan \((?P<raw1>.+)\) is already attached\.$", "यह {0} स्कैन ({1}) पहले से संलग्न है।"),
    (r"^(?P<raw1>.+) is empty: scan it again\.$", "{0} खाली है: फिर से स्कैन करें।"),
]

# the VVPAT and result checks (domain/vvpat.py, services/ro_result.py)
MORE.update(
    {
        "slips": "पर्चियाँ",
        "recount": "पुनर्गणना",
        "record the draw, the slip counts and close the verification": (
            "लॉटरी, पर्ची गिनती दर्ज करें और सत्यापन बंद करें"
        ),
        "the RO signs Form 20 after any recount": "पुनर्गणना (यदि कोई) के बाद निर्वाचन अधिकारी प्रपत्र 20 पर हस्ताक्षर करें",
        "the RO signs Form 20 first": "पहले निर्वाचन अधिकारी प्रपत्र 20 पर हस्ताक्षर करें",
        "decide the tie by lot first": "पहले लॉटरी से बराबरी तय करें",
    }
)
MORE_PATTERNS += [
    (r"^PS (.+?): enter the slip count$", "मतदान केंद्र {0}: पर्ची गिनती दर्ज करें"),
    (r"^PS (.+?): recount the slips \((.+)\)$", "मतदान केंद्र {0}: पर्चियाँ फिर गिनें ({1})"),
    (r"^c(\d+) EVM (\d+) slips (\d+)$", "{0}: EVM {1}, पर्चियाँ {2}"),
    (r"^nota EVM (\d+) slips (\d+)$", "NOTA: EVM {0}, पर्चियाँ {1}"),
    (
        r"^PS (.+?): the difference remains after the recount: amend the result \(slip count prevails\)$",
        "मतदान केंद्र {0}: पुनर्गणना के बाद भी अंतर: परिणाम संशोधित करें (पर्ची गिनती मान्य)",
    ),
    (r"^candidates (.+) are tied$", "उम्मीदवार {0} बराबर हैं"),
    (r"^(.+) is (draft|submitted|returned|correction|needs reapproval)$", "{0} {1} है"),
]
MORE.update(
    {
        "MISMATCH": "अंतर",
        "SLIP PREVAILS": "पर्ची मान्य",
        "F5: recount the slips.": "F5: पर्चियाँ फिर गिनें।",
        "F6: amend from the slip count.": "F6: पर्ची गिनती से संशोधित करें।",
    }
)
MORE_PATTERNS += [(r"^PS (.+?): (MISMATCH|SLIP PREVAILS) — (.+)$", "मतदान केंद्र {0}: {1} — {2}")]
