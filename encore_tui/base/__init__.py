"""The ground floor: settings and paths (`config`), translated labels (`i18n`) and the atomic
file write (`atomic`). It imports nothing else of the project, so every part may use it —
the counting app and the central receiver alike.
"""
