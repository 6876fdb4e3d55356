"""The core models of the hub; import them from here."""

from hub.models.audit import AuditCheckpoint, AuditEvent, AuditHead
from hub.models.case import Case, CaseDepartment, CaseStatus
from hub.models.department import ClaimType, Department, DepartmentKind
from hub.models.resident import Resident
from hub.models.setting import Setting
from hub.models.stored_file import StoredFile
from hub.models.user import ApiToken, Role, User

__all__ = [
    "ApiToken",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditHead",
    "Case",
    "CaseDepartment",
    "CaseStatus",
    "ClaimType",
    "Department",
    "DepartmentKind",
    "Resident",
    "Role",
    "Setting",
    "StoredFile",
    "User",
]
