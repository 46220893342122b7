"""The database models. Import every model module here so Alembic sees all tables."""

from advisor.models.account import ApiToken, User, UserSession
from advisor.models.assessment import (
    EVIDENCE_KINDS,
    SCAN_RESULTS,
    TYPED_EVIDENCE_KINDS,
    VERIFICATION_RESULTS,
    Assessment,
    ChecklistStatus,
    Draft,
    Evidence,
    Revision,
)
from advisor.models.base import Base
from advisor.models.history import StatusChange
from advisor.models.scans import PendingScan, ScanImport
from advisor.models.sharing import AuditEvent, ShareLink
from advisor.models.signoff import SIGN_OFF_ROLES, SignOff
from advisor.models.workspace import ROLES, Invitation, Membership, Workspace

__all__ = [
    "EVIDENCE_KINDS",
    "ROLES",
    "SCAN_RESULTS",
    "SIGN_OFF_ROLES",
    "TYPED_EVIDENCE_KINDS",
    "VERIFICATION_RESULTS",
    "ApiToken",
    "Assessment",
    "AuditEvent",
    "Base",
    "ChecklistStatus",
    "Draft",
    "Evidence",
    "Invitation",
    "Membership",
    "PendingScan",
    "Revision",
    "ScanImport",
    "ShareLink",
    "SignOff",
    "StatusChange",
    "User",
    "UserSession",
    "Workspace",
]
