"""The ground floor: settings and paths (`config`), translated labels (`i18n`), the atomic
file write (`atomic`) and hot-path SQL statements compiled once (`fast`). It imports nothing
else of the project, so every part may use it — the counting app and the central receiver alike.
"""
