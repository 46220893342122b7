"""The database models. Import every model module here so Alembic sees all tables."""

from advisor.models.assessment import Assessment, ChecklistStatus, Revision
from advisor.models.base import Base

__all__ = ["Assessment", "Base", "ChecklistStatus", "Revision"]
