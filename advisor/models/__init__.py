"""The database models. Import every model module here so Alembic sees all tables."""

from advisor.models.account import ApiToken, User, UserSession
from advisor.models.assessment import Assessment, ChecklistStatus, Draft, Revision
from advisor.models.base import Base
from advisor.models.sharing import AuditEvent, ShareLink
from advisor.models.workspace import ROLES, Invitation, Membership, Workspace

__all__ = [
    "ROLES",
    "ApiToken",
    "Assessment",
    "AuditEvent",
    "Base",
    "ChecklistStatus",
    "Draft",
    "Invitation",
    "Membership",
    "Revision",
    "ShareLink",
    "User",
    "UserSession",
    "Workspace",
]
