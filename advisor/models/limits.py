"""How long each free-text field may be: one number per field, for the columns, the forms and the API."""

TITLE = 200  # an assessment's title
DESCRIPTION = 5000  # an assessment's description
LABEL = 100  # a revision's or a share link's label
OWNER = 200  # who owns a checklist item
NOTE = 5000  # a checklist item's note
NAME = 100  # a workspace's or an API token's name
EMAIL = 254  # an email address (RFC 5321's limit on a path)
PASSWORD = 1000  # a password as typed: long passphrases welcome, a megabyte to hash is not
SEARCH = 200  # the dashboard's search words; longer text is cut, not refused
MAX_ID = 2**31 - 1  # an id or revision number: database integers cannot hold a larger one
EVIDENCE_LINK = 2000  # an evidence entry's URL (browsers and proxies handle about this much)
EVIDENCE_TEXT = 2000  # an evidence entry's text, or a scan finding's detail
EVIDENCE_PER_ITEM = 50  # evidence entries on one checklist item: more is a filing system, not evidence
SCAN_FIELD = 200  # a scan result's tool, benchmark, check or cluster name
