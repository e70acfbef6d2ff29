"""UI labels in English and Hindi (`--lang hi`).

Every text a screen shows goes through `t` (English is the key); the screens measure
Devanagari as the terminal does (widgets/cells.py), so Hindi names sit in the grid too.
tests/test_i18n_screens.py walks every screen in Hindi and fails on any English left.
"""

from __future__ import annotations

import re

from encore_tui.base.hindi import MORE, MORE_PATTERNS

_LANG = "en"

HI: dict[str, str] = {
    "Sign in": "साइन इन",
    "User name": "उपयोगकर्ता नाम",
    "PIN": "पिन",
    "Opening the store…": "भंडार खोला जा रहा है…",
    "loading…": "लोड हो रहा है…",
    "Constituency": "विधानसभा क्षेत्र",
    "Demo accounts": "डेमो खाते",
    "Keep aside": "अलग रखें",
    "Ack 17C": "17C मानें",  # footer labels are short: the round footer fits 80 cells
    "Submit": "जमा",
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
    "Help": "मदद",
    "Back": "वापस",
    "Quit": "बंद",
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
    # -- screens, statuses and messages (issue 16) --
    "Commands": "आदेश",
    "Search for commands…": "आदेश खोजें…",
    "Dashboard": "डैशबोर्ड",
    "Everywhere": "हर जगह",
    "Grid (0-9 type a figure)": "ग्रिड (0-9 से अंक लिखें)",
    'Remap a key in the config file: under [keys] write  name = "key"  (e.g. round.submit = "f10").': (
        'कुंजी बदलने के लिए कॉन्फ़िग फ़ाइल में [keys] के नीचे लिखें  name = "कुंजी"  (जैसे round.submit = "f10")।'
    ),
    "key": "कुंजी",
    "what it does": "क्या करती है",
    "name in [keys]": "[keys] में नाम",
    "Round entry": "चक्र प्रविष्टि",
    "Review queue": "समीक्षा कतार",
    "Round review": "चक्र समीक्षा",
    "Scans": "स्कैन",
    "Scan": "स्कैन",
    "Blind keying": "ब्लाइंड प्रविष्टि",
    "Blind comparison": "ब्लाइंड तुलना",
    "Sign-in": "साइन-इन",
    "17C I": "17ग I",
    "Form 17C Part I: key the paper copies": "प्रपत्र 17ग भाग-I: कागज़ी प्रतियाँ दर्ज करें",
    "Postal: attach / view the Form 13A/13B scans": "डाक: प्रपत्र 13क/13ख के स्कैन जोड़ें / देखें",
    "Annex": "परिशिष्ट",
    "Print the correction annex (PDF)": "सुधार परिशिष्ट छापें (PDF)",
    "Print Form 20, 21C, 21E or 22 (PDF)": "प्रपत्र 20, 21ग, 21ङ या 22 छापें (PDF)",
    "Signed Form 20 / 21C / 22: attach, view": "हस्ताक्षरित प्रपत्र 20 / 21ग / 22: जोड़ें, देखें",
    "Print {what}": "{what} छापें",
    "{round} sheet": "{round} की शीट",
    "{round} correction annex": "{round} का सुधार परिशिष्ट",
    "Postal sheet": "डाक शीट",
    "The round sheet as PDF (F8)": "चक्र की शीट PDF में (F8)",
    "The annex as PDF (F9)": "परिशिष्ट PDF में (F9)",
    "Hand the round to the RO (F5)": "चक्र निर्वाचन अधिकारी को सौंपें (F5)",
    "Scans: Form 13A/13B": "स्कैन: प्रपत्र 13क/13ख",
    "Attach or view the postal scans (Ctrl+O)": "डाक स्कैन जोड़ें या देखें (Ctrl+O)",
    "Scans: signed Form 20 / 21C / 22": "स्कैन: हस्ताक्षरित प्रपत्र 20 / 21ग / 22",
    "Attach or view (Ctrl+O)": "जोड़ें या देखें (Ctrl+O)",
    "PDF, to the printer or the prints folder": "PDF, प्रिंटर या प्रिंट फ़ोल्डर में",
    "Scans (Form 13A/13B) belong to the postal round.": "स्कैन (प्रपत्र 13क/13ख) डाक चक्र के हैं।",
    "The final result sheet as PDF (F8)": "अंतिम परिणाम शीट PDF में (F8)",
    "PROV.": "अनंतिम",
    "prov.": "अनंतिम",
    "PROVISIONAL (not approved)": "अनंतिम (अनुमोदित नहीं)",
    "none attached (E116): Ctrl+O attaches them (the operator or the RO)": (
        "कोई संलग्न नहीं (E116): Ctrl+O से संलग्न करें (ऑपरेटर या निर्वाचन अधिकारी)"
    ),
    "Enter: open the round · F7: Form 17C Part I · F1: help · Ctrl+P: commands": (
        "Enter: चक्र खोलें · F7: प्रपत्र 17ग भाग-I · F1: मदद · Ctrl+P: आदेश"
    ),
    "{round} submitted to the RO.": "{round} निर्वाचन अधिकारी को जमा किया गया।",
    "Enter: open {round}.": "Enter: {round} खोलें।",
    "close": "बंद करें",
    "Close": "बंद करें",
    "Close help": "सहायता बंद करें",
    "e.g. operator": "जैसे operator",
    "The store could not be opened.": "भंडार नहीं खुल सका।",
    "Press Enter to try again.": "फिर कोशिश के लिए Enter दबाएँ।",
    "AC {ac} is not in this store: choose the constituency from the list.": (
        "AC {ac} इस भंडार में नहीं है: सूची से विधानसभा क्षेत्र चुनें।"
    ),
    "This store has no accounts yet. The administrator adds them with": (
        "इस भंडार में अभी कोई खाता नहीं है। प्रशासक इनसे जोड़ते हैं:"
    ),
    "Type your user name first.": "पहले अपना उपयोगकर्ता नाम लिखें।",
    "Locked": "लॉक है",
    # round states and roles
    "draft": "प्रारूप",
    "submitted": "जमा",
    "returned": "लौटाया",
    "approved": "स्वीकृत",
    "published": "प्रकाशित",
    "needs reapproval": "पुनः स्वीकृति चाहिए",
    "correction": "सुधार",
    "operator": "ऑपरेटर",
    "ro": "निर्वाचन अधिकारी",
    "aro": "सहायक निर्वाचन अधिकारी",
    "observer": "प्रेक्षक",
    "admin": "प्रशासक",
    "trainer": "प्रशिक्षक",
    # dashboard
    "FICTIONAL DEMO": "काल्पनिक डेमो",
    "{n}/{of} postal tables entered": "{n}/{of} डाक टेबल दर्ज",
    "rounds {a}-{b} wait for the RO to approve the postal result.": (
        "चक्र {a}-{b} डाक परिणाम की निर्वाचन अधिकारी की स्वीकृति की प्रतीक्षा में।"
    ),
    "Double entry assigned to you: round {rounds} (F4: key it blind)": (
        "आपको दोहरी प्रविष्टि दी गई: चक्र {rounds} (F4: बिना देखे दर्ज करें)"
    ),
    "none": "कोई नहीं",
    "empty": "खाली",
    "{pending} pending, {sent} sent, {failed} failed": "{pending} बाकी, {sent} भेजे, {failed} विफल",
    "Enter: open the round · F1: help · Ctrl+P: commands": "Enter: चक्र खोलें · F1: मदद · Ctrl+P: आदेश",
    "{round} submitted to the RO. Enter: open the next round.": (
        "{round} निर्वाचन अधिकारी को जमा। Enter: अगला चक्र खोलें।"
    ),
    "F5: try again": "F5: फिर कोशिश करें",
    "No double entry is assigned to you.": "आपको कोई दोहरी प्रविष्टि नहीं दी गई है।",
    "r{n}": "च{n}",
    "TIED": "बराबर",
    "Double entry": "दोहरी प्रविष्टि",
    "Print": "छापें",
    "Read the store again": "भंडार फिर से पढ़ें",
    "Sign out (back to sign-in)": "साइन आउट (साइन इन पर वापस)",
    "Key the round assigned to you blind": "आपको दिया गया चक्र बिना देखे दर्ज करें",
    "Back to the RO review queue": "निर्वाचन अधिकारी की समीक्षा कतार पर वापस",
    "Print Form 20 (PDF)": "प्रपत्र 20 छापें (PDF)",
    "Trends: votes and lead by round": "रुझान: चक्रवार मत और बढ़त",
    "Messages of this session, in full": "इस सत्र के संदेश, पूरे",
    # round entry
    "Correction": "सुधार",
    "this round cannot be submitted yet.": "यह चक्र अभी जमा नहीं हो सकता।",
    "Submitted: waiting for the RO (locked for entry).": ("जमा: निर्वाचन अधिकारी की प्रतीक्षा (प्रविष्टि बंद)।"),
    "Postal total {total} · valid {valid} · NOTA {nota} · rejected {rejected}": (
        "डाक कुल {total} · वैध {valid} · NOTA {nota} · अस्वीकृत {rejected}"
    ),
    "Postal table {no}": "डाक टेबल {no}",
    "PS": "मतदान केंद्र",
    "kept aside": "अलग रखी",
    "kept": "अलग",
    "typing without Enter is not kept": "Enter के बिना लिखा नहीं रहता",
    "Could not re-read the round": "चक्र फिर से नहीं पढ़ा जा सका",
    "blank": "खाली",
    "F3 acknowledge or F2 keep aside": "F3 स्वीकारें या F2 अलग रखें",
    "last table done: F5 submits the round": "अंतिम टेबल पूरी: F5 चक्र जमा करता है",
    "Totals not refreshed": "योग ताज़ा नहीं हुए",
    "{round} is {status}: you cannot change it now.": "{round} {status} है: आप इसे अभी नहीं बदल सकते।",
    "Postal tables cannot be kept aside.": "डाक टेबल अलग नहीं रखी जा सकतीं।",
    "table {no} (PS {station}) restored: type its figures.": (
        "टेबल {no} (मतदान केंद्र {station}) वापस: इसके अंक लिखें।"
    ),
    "table {no} (PS {station}) kept aside: {reason}.": "टेबल {no} (मतदान केंद्र {station}) अलग रखी: {reason}।",
    "Table {no} has no warning to acknowledge.": "टेबल {no} पर स्वीकारने को कोई चेतावनी नहीं है।",
    "{code} acknowledged for table {no}.": "टेबल {no} के लिए {code} स्वीकारा।",
    "table {no} (PS {station})": "टेबल {no} (मतदान केंद्र {station})",
    "table {no} PS {station}": "टेबल {no} मतदान केंद्र {station}",
    "Acknowledge only after checking the CU total against the paper Form 17C Part I.": (
        "CU कुल को काग़ज़ी प्रपत्र 17C भाग I से मिलाने के बाद ही स्वीकारें।"
    ),
    "Under the protocol a CU whose total differs is kept aside instead (F2):": (
        "नियम के अनुसार जिस CU का कुल अलग है उसे अलग रखा जाता है (F2):"
    ),
    "clear its figures first, then keep it aside.": "पहले उसके अंक मिटाएँ, फिर अलग रखें।",
    "Enter: checked against the paper, acknowledge · Esc: cancel": (
        "Enter: काग़ज़ से मिलाया, स्वीकारें · Esc: रद्द करें"
    ),
    "A correction is not submitted: Esc back to the RO review, then F2 approves it.": (
        "सुधार जमा नहीं होता: Esc से समीक्षा पर लौटें, फिर F2 से स्वीकृत करें।"
    ),
    "Your role may not submit rounds.": "आपकी भूमिका चक्र जमा नहीं कर सकती।",
    "Hand {round} to the RO? It is then locked for entry.": (
        "{round} निर्वाचन अधिकारी को सौंपें? फिर प्रविष्टि बंद हो जाएगी।"
    ),
    "Warnings:": "चेतावनियाँ:",
    "acknowledged": "स्वीकारी गई",
    "No warnings: every table adds up and matches Form 17C Part I.": (
        "कोई चेतावनी नहीं: हर टेबल का योग सही है और प्रपत्र 17C भाग I से मेल खाता है।"
    ),
    "{round} cannot be submitted: {n} check(s) block it.": "{round} जमा नहीं हो सकता: {n} जाँच रोक रही हैं।",
    "… and {n} more": "… और {n}",
    "{round} cannot be submitted yet": "{round} अभी जमा नहीं हो सकता",
    "Keep the table aside / restore it": "टेबल अलग रखें / वापस लाएँ",
    "Acknowledge the 17C warning": "17C चेतावनी स्वीकारें",
    "Submit the round to the RO": "चक्र निर्वाचन अधिकारी को जमा करें",
    "Show/hide the totals columns": "कुल कॉलम दिखाएँ/छिपाएँ",
    "Back to the dashboard": "डैशबोर्ड पर वापस",
    "Print this round's sheet (PDF)": "इस चक्र की शीट छापें (PDF)",
    "Total": "कुल",
    # the grid's keys
    "Up": "ऊपर",
    "Down": "नीचे",
    "Previous table": "पिछली टेबल",
    "Next table": "अगली टेबल",
    "Next table (first candidate)": "अगली टेबल (पहला उम्मीदवार)",
    "Previous table (first candidate)": "पिछली टेबल (पहला उम्मीदवार)",
    "First candidate": "पहला उम्मीदवार",
    "Total row": "कुल पंक्ति",
    "Save the figure and move down": "अंक सहेजें और नीचे जाएँ",
    "Delete a digit / clear the cell": "एक अंक मिटाएँ / खाना खाली करें",
    "Clear the cell (then Enter saves blank)": "खाना खाली करें (फिर Enter खाली सहेजता है)",
    "Cancel the figure being typed": "लिखा जा रहा अंक रद्द करें",
    # dialogs, kept-aside reasons
    "Keep table {no} (PS {station}) aside": "टेबल {no} (मतदान केंद्र {station}) अलग रखें",
    "Control Unit cannot display the result": "कंट्रोल यूनिट परिणाम नहीं दिखा पा रही",
    "Mock-poll data not cleared": "मॉक पोल डेटा साफ़ नहीं किया गया",
    "CU total differs from Form 17C Part I": "CU कुल प्रपत्र 17C भाग I से अलग है",
    "Other reason (see note)": "अन्य कारण (टिप्पणी देखें)",
    "needed for 'other'": "अन्य के लिए ज़रूरी",
    "↑↓ choose · Enter select · Esc cancel. Its VVPAT slips are counted at the end.": (
        "↑↓ चुनें · Enter चुनें · Esc रद्द। इसकी VVPAT पर्चियाँ अंत में गिनी जाती हैं।"
    ),
    "Write a short note saying why.": "कारण बताते हुए छोटी टिप्पणी लिखें।",
    "nothing typed.": "कुछ नहीं लिखा।",
    "Type your PIN to confirm this decision.": "इस निर्णय की पुष्टि के लिए अपना पिन लिखें।",
    "No messages yet in this session.": "इस सत्र में अभी कोई संदेश नहीं।",
    # trends
    "after round {n}": "चक्र {n} के बाद",
    "bar: now · sparkline: round 1 → {n}": "पट्टी: अभी · रेखा: चक्र 1 → {n}",
    "margin trend": "अंतर का रुझान",
    # the command palette
    "Every key and its id (F1)": "हर कुंजी और उसकी id (F1)",
    "This session's messages in full (F12)": "इस सत्र के संदेश, पूरे (F12)",
    "End the session": "सत्र समाप्त करें",
    "Leave encore (everything saved stays saved)": "encore से बाहर (सहेजा सब सुरक्षित रहता है)",
    "Cumulative votes and the lead by round": "संचयी मत और चक्रवार बढ़त",
    "Back to the sign-in screen": "साइन इन स्क्रीन पर वापस",
    "Postal ballots (round 0)": "डाक मतपत्र (चक्र 0)",
    "Round {n} entry": "चक्र {n} की प्रविष्टि",
    "Show or hide the round/cumulative columns (F7)": "चक्र/संचयी कॉलम दिखाएँ या छिपाएँ (F7)",
    "VVPAT verification": "VVPAT सत्यापन",
    "Result and declaration": "परिणाम और घोषणा",
    "Draw, Rule 56D, slip counts, kept-aside round, close": "लॉटरी, नियम 56D, पर्ची गिनती, अलग रखा चक्र, समापन",
    "Form 20 totals, recount, sign-off, tie lot, declare, Form 22": (
        "प्रपत्र 20 योग, पुनर्गणना, हस्ताक्षर, बराबरी पर लॉटरी, घोषणा, प्रपत्र 22"
    ),
    # the RO's screens (keys)
    "Approve": "स्वीकृत करें",
    "Approve the round (PIN asked)": "चक्र स्वीकृत करें (पिन पूछा जाएगा)",
    "Return": "लौटाएँ",
    "Return to the operator with a remark": "टिप्पणी के साथ ऑपरेटर को लौटाएँ",
    "Correct": "सुधारें",
    "Correct an approved round (PIN)": "स्वीकृत चक्र सुधारें (पिन)",
    "Result": "परिणाम",
    "Result: Form 20 sign-off, tie lot, declaration": "परिणाम: प्रपत्र 20 हस्ताक्षर, बराबरी पर लॉटरी, घोषणा",
    "VVPAT": "VVPAT",
    "VVPAT verification (after the last round)": "VVPAT सत्यापन (अंतिम चक्र के बाद)",
    "Counting dashboard (round entry)": "मतगणना डैशबोर्ड (चक्र प्रविष्टि)",
    "Back to the review queue": "समीक्षा कतार पर वापस",
    "Back to the review": "समीक्षा पर वापस",
    "Back (every figure saved stays saved)": "वापस (सहेजा हर अंक सुरक्षित रहता है)",
    "Sign out (ends the session)": "साइन आउट (सत्र समाप्त)",
    "Blind spot check (draw, re-key)": "बिना देखे जाँच (लॉटरी, दोबारा दर्ज)",
    "Double entry (open / compare)": "दोहरी प्रविष्टि (खोलें / मिलाएँ)",
    "Figures / report (checks, changes)": "अंक / रिपोर्ट (जाँच, बदलाव)",
    "Print the round sheet (PDF)": "चक्र शीट छापें (PDF)",
    "Recount": "पुनर्गणना",
    "Record a recount application": "पुनर्गणना आवेदन दर्ज करें",
    "Sign F20": "F20 हस्ताक्षर",
    "Sign Form 20 (PIN)": "प्रपत्र 20 पर हस्ताक्षर (पिन)",
    "Tie lot": "बराबरी लॉटरी",
    "Record the lot that decides a tie": "बराबरी तय करने वाली लॉटरी दर्ज करें",
    "Declare": "घोषित करें",
    "Declare the result (PIN)": "परिणाम घोषित करें (पिन)",
    "Form 22": "प्रपत्र 22",
    "Attach the signed Form 22 scan": "हस्ताक्षरित प्रपत्र 22 का स्कैन जोड़ें",
    "Draw": "लॉटरी",
    "Record the 5 stations drawn by lot": "लॉटरी से निकले 5 मतदान केंद्र दर्ज करें",
    "56D": "56D",
    "Record a Rule 56D application": "नियम 56D आवेदन दर्ज करें",
    "Slips": "पर्चियाँ",
    "Enter the slip count of the station": "मतदान केंद्र की पर्ची गिनती दर्ज करें",
    "Enter the recount of the slips": "पर्चियों की पुनर्गणना दर्ज करें",
    "Differences (EVM→slips)": "अंतर (EVM→पर्चियाँ)",
    "Amend": "संशोधित करें",
    "The slip count prevails: amend": "पर्ची गिनती मान्य: संशोधित करें",
    "Open the kept-aside round": "अलग रखा चक्र खोलें",
    "Close VVPAT verification": "VVPAT सत्यापन बंद करें",
    "Keep entered": "दर्ज रखें",
    "Keep the entered figure": "दर्ज अंक रखें",
    "Take re-keyed": "दोबारा दर्ज लें",
    "Take the re-keyed figure": "दोबारा दर्ज अंक लें",
    "Type a correction's figures": "सुधार के अंक लिखें",
    "Spot": "जाँच",
    "Double": "दोहरी",
    "Report": "रिपोर्ट",
    "Edit": "संपादित करें",
    "Why": "क्यों",
    "Remark": "टिप्पणी",
    "Refused": "अस्वीकार",
    "Candidate": "उम्मीदवार",
    "Party": "दल",
    "Rejected (postal)": "अस्वीकृत (डाक)",
    "Total valid votes": "कुल वैध मत",
    "Total votes polled": "कुल डाले गए मत",
    "Round {n} sheet": "चक्र {n} शीट",
    "Home": "होम",
    "End": "अंत",
    "Top": "ऊपर",
    "Bottom": "नीचे",
    "First": "पहला",
    "Last": "अंतिम",
    "Next cell": "अगला खाना",
    "Previous cell": "पिछला खाना",
    # the RO's screens
    "RO review": "निर्वाचन अधिकारी समीक्षा",
    "RoHome": "समीक्षा कतार",
    "RoReview": "चक्र समीक्षा",
    "Rev": "संशो.",
    "rev": "संशो.",
    "Blind check": "बिना देखे जाँच",
    "Last change": "अंतिम बदलाव",
    "Enter: review the round · F2: counting dashboard · F1: help": (
        "Enter: चक्र की समीक्षा · F2: मतगणना डैशबोर्ड · F1: मदद"
    ),
    "{n} round(s) waiting for the RO": "{n} चक्र निर्वाचन अधिकारी की प्रतीक्षा में",
    "spot check rounds 1-{k}": "बिना देखे जाँच चक्र 1-{k}",
    "no spot check required": "बिना देखे जाँच आवश्यक नहीं",
    "{status} rev {rev} by {who}": "{status} संशो. {rev}, {who} द्वारा",
    "after earlier rounds": "पहले के चक्रों के बाद",
    "not waiting for the RO (Enter: view, correct)": "निर्वाचन अधिकारी की प्रतीक्षा में नहीं (Enter: देखें, सुधारें)",
    "spot": "जाँच",
    "dbl": "दोहरी",
    "not needed": "आवश्यक नहीं",
    "to draw": "लॉटरी बाकी",
    "differs": "अंतर है",
    "done": "पूरा",
    "review": "समीक्षा",
    "postal": "डाक",
    "evm": "EVM",
    "vvpat": "VVPAT",
    "F10: report (checks, changes, totals) · F8: print · F1: every key": (
        "F10: रिपोर्ट (जाँच, बदलाव, योग) · F8: छापें · F1: हर कुंजी"
    ),
    "F7 type the figures, then F2 approve": "F7 अंक लिखें, फिर F2 स्वीकृत करें",
    "Earlier rounds are not approved yet: rounds are approved in order.": (
        "पहले के चक्र अभी स्वीकृत नहीं: चक्र क्रम से स्वीकृत होते हैं।"
    ),
    "Observer: you see everything and change nothing.": "प्रेक्षक: आप सब देखते हैं और कुछ नहीं बदलते।",
    "Postal total {total} · rejected {rejected} · scans: {scans}": (
        "डाक कुल {total} · अस्वीकृत {rejected} · स्कैन: {scans}"
    ),
    "{n} cell(s) changed since rev {rev}": "संशो. {rev} के बाद {n} खाने बदले",
    "blocked": "रुका",
    "ready for approval (F2)": "स्वीकृति के लिए तैयार (F2)",
    "spot: to draw (F5)": "जाँच: लॉटरी बाकी (F5)",
    "F10 report": "F10 रिपोर्ट",
    "{n} differ": "{n} में अंतर",
    "{k}/{n} re-keyed, {d} difference(s)": "{k}/{n} दोबारा दर्ज, {d} अंतर",
    "Spot check": "बिना देखे जाँच",
    "revision {rev}; last change by {who} at {at}": "संशोधन {rev}; अंतिम बदलाव {who} द्वारा {at} पर",
    "BLOCKS APPROVAL:": "स्वीकृति रोकने वाली जाँचें:",
    "Approve the earlier rounds first (rounds are approved in order).": (
        "पहले के चक्र पहले स्वीकृत करें (चक्र क्रम से स्वीकृत होते हैं)।"
    ),
    "Nothing blocks approval.": "स्वीकृति में कोई रुकावट नहीं।",
    "CHANGES since revision {rev} ({stage} by {who} at {at}):": (
        "संशोधन {rev} के बाद बदलाव ({stage}, {who} द्वारा {at} पर):"
    ),
    "nothing changed": "कुछ नहीं बदला",
    "First revision: no earlier revision to compare with.": "पहला संशोधन: मिलाने को पहले का कोई संशोधन नहीं।",
    "this round": "यह चक्र",
    "cumulative": "संचयी",
    "Postal ballots:": "डाक मतपत्र:",
    "Scanned Form 13A/13B:": "स्कैन किए प्रपत्र 13A/13B:",
    "none attached (E116): the operator attaches them (encore ro attach form13a FILE)": (
        "कोई नहीं जुड़ा (E116): ऑपरेटर इन्हें जोड़ता है (encore ro attach form13a FILE)"
    ),
    "Sl": "क्र.",
    "Form 20": "प्रपत्र 20",
    "ELECTED": "निर्वाचित",
    "leads": "आगे",
    "candidates {tied} with {votes} each": "उम्मीदवार {tied}, प्रत्येक {votes} मत",
    "runner-up": "दूसरे स्थान पर",
    "margin": "अंतर",
    "Not yet declarable:": "अभी घोषित नहीं हो सकता:",
    "… and {n} more (F5 lists them all)": "… और {n} (F5 सभी दिखाता है)",
    "Ready to declare": "घोषणा के लिए तैयार",
    "No draw recorded yet: F2 records the 5 stations drawn by lot.": (
        "अभी कोई लॉटरी दर्ज नहीं: F2 लॉटरी से निकले 5 मतदान केंद्र दर्ज करता है।"
    ),
    "Before closing:": "समापन से पहले:",
    "Every station agrees: F8 closes the verification.": "हर मतदान केंद्र मेल खाता है: F8 सत्यापन बंद करता है।",
    "+{n} more": "+{n} और",
    # blind keying (spot check, double entry)
    "Blind spot check": "बिना देखे जाँच",
    "Double entry (blind second keying)": "दोहरी प्रविष्टि (बिना देखे दूसरी बार)",
    "Type each figure from the paper sheet. The figures entered by the operator are not shown.": (
        "काग़ज़ी शीट से हर अंक लिखें। ऑपरेटर के दर्ज अंक नहीं दिखाए जाते।"
    ),
    "figure, then Enter": "अंक, फिर Enter",
    "Re-keyed": "दोबारा दर्ज",
    # the idle lock
    "The screen is locked after {n} idle minute(s).": "{n} मिनट निष्क्रिय रहने पर स्क्रीन लॉक हुई।",
    "Signed in: {who} ({user}, {role}).": "साइन इन: {who} ({user}, {role})।",
    "PIN of {user}": "{user} का पिन",
    "Somebody else: F9 signs out (the session ends; saved figures stay saved).": (
        "कोई और: F9 साइन आउट करता है (सत्र समाप्त; सहेजे अंक सुरक्षित रहते हैं)।"
    ),
    "Type your PIN, then Enter.": "अपना पिन लिखें, फिर Enter।",
    # training: replay of a recorded count, the trainer's live screen (screens/replay.py, training_watch.py)
    "Replay": "पुनःप्रदर्शन",
    "Pause": "रोकें",
    "Next round": "अगला चक्र",
    "Previous": "पिछला",
    "Faster": "तेज़",
    "Slower": "धीमा",
    "Speed": "गति",
    "setup": "तैयारी",
    "postal ballots": "डाक मतपत्र",
    "round {n} of {of}": "चक्र {n} / {of}",
    "paused": "रुका हुआ",
    "end of the recording": "रिकॉर्डिंग समाप्त",
    "The replay stopped: {why}": "पुनःप्रदर्शन रुक गया: {why}",
    "Trainer": "प्रशिक्षक",
    "Training": "प्रशिक्षण",
    "every AC of the store, live": "स्टोर के सभी विधानसभा क्षेत्र, सजीव",
    "Trainee / AC": "प्रशिक्षु / क्षेत्र",
    "Sub/Appr": "भेजे/स्वीकृत",
    "Cells": "अंक",
    "Last entry": "अंतिम प्रविष्टि",
    "Errors": "त्रुटियाँ",
    "Reading the store…": "स्टोर पढ़ा जा रहा है…",
    "{n} ACs · read {time} · every 2 s · Enter: open read-only": (
        "{n} क्षेत्र · {time} पर पढ़ा · हर 2 सेकंड · Enter: केवल पढ़ने हेतु खोलें"
    ),
    "just now": "अभी",
    "{n} s ago": "{n} सेकंड पहले",
    "{n} min ago": "{n} मिनट पहले",
    "{n} h ago": "{n} घंटे पहले",
}


def set_lang(lang: str) -> None:
    global _LANG
    _LANG = lang if lang in ("en", "hi") else "en"


def lang() -> str:
    return _LANG


def t(text: str, **fields: object) -> str:
    """The label in the current language (English text is the key); with `fields`, the text is a
    template (`t("Round {n} sheet", n=3)`) filled in after translation."""
    if _LANG == "hi":
        text = HI.get(text, text)
    return text.format(**fields) if fields else text


# Messages made with figures in them (the domain's check messages): pattern → Hindi template
HI_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), h)
    for p, h in [
        (r"^sum (\d+) ≠ total (\d+) \(difference ([+-]\d+)\)$", "योग {0} ≠ कुल {1} (अंतर {2})"),
        (
            r"^CU total (\d+) ≠ 17C Part I (\d+): keep aside or acknowledge$",
            "CU कुल {0} ≠ 17C भाग I {1}: अलग रखें या स्वीकारें",
        ),
        (r"^(\d+) blank: (.*)$", "{0} खाली: {1}"),
        (r"^total (\d+) > electors (\d+)$", "कुल {0} > मतदाता {1}"),
        (r"^PS (.+?) is in no round$", "PS {0} किसी चक्र में नहीं है"),
        (r"^PS (.+?) in rounds (\d+) and (\d+)$", "PS {0} चक्र {1} और {2} में"),
        (r"^PS (.+?): no figures entered$", "PS {0}: कोई अंक दर्ज नहीं"),
        (
            r"^round (\d+) is the last EVM round: the RO must approve the postal result first$",
            "चक्र {0} अंतिम EVM चक्र है: निर्वाचन अधिकारी पहले डाक परिणाम स्वीकृत करें",
        ),
        (
            r"^round (\d+) is the penultimate EVM round: the RO must approve the postal result first$",
            "चक्र {0} उपांतिम EVM चक्र है: निर्वाचन अधिकारी पहले डाक परिणाम स्वीकृत करें",
        ),
        (r"^(\d+)/(\d+) keyed$", "{0}/{1} दर्ज"),
        (r"^attach the scanned Form 13A/13B before approving$", "स्वीकृति से पहले स्कैन किया प्रपत्र 13A/13B जोड़ें"),
        (r"^record the stations drawn by lot first$", "पहले लॉटरी से निकले मतदान केंद्र दर्ज करें"),
    ]
]


HI.update(MORE)
HI_PATTERNS += [(re.compile(p), h) for p, h in MORE_PATTERNS]
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\s+·\s+|;\s+")


def t_msg(text: str) -> str:
    """A message in the current language: a label, a message with figures in it (a pattern whose
    parts are translated in turn: "Round 3" in it becomes "चक्र 3"), or sentences each of which
    is one of those. A service's refusal reaches the screen this way (the status line, a form)."""
    if _LANG != "hi" or not text:
        return text
    return _hi(text)


def _hi(text: str) -> str:
    if text in HI:
        return HI[text]
    for pattern, template in HI_PATTERNS:
        if m := pattern.match(text):  # a group named raw…: a user name, kept as typed
            raw = {i for name, i in pattern.groupindex.items() if name.startswith("raw")}
            parts = [(g if i in raw else _hi(g)) if g else "" for i, g in enumerate(m.groups(), 1)]
            return template.format(*parts)
    seps = _SENTENCES.findall(text)
    if seps:
        parts = _SENTENCES.split(text)
        out = [_hi(parts[0])]
        for sep, part in zip(seps, parts[1:], strict=True):
            out += [sep, _hi(part)]
        return "".join(out)
    return text
