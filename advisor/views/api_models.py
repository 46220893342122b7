"""The JSON API's request and response bodies (contract §7), as pydantic models.

They are the API's one description: spectree validates each request against them before a view runs,
checks each response against them, and writes the OpenAPI document from them (``views.api``). Request
models are strict (no coercion: ``true`` is not an integer, ``"1"`` is not a number) and refuse unknown
keys; query strings are text, so their models convert. Response models name what the contract promises
and let the rest through: a stored result keeps whatever its engine wrote.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, RootModel, WithJsonSchema

from advisor.bundle.names import MAX_NAMES, NAME_LENGTH, NamesError, check_names
from advisor.engine.schema import STATUSES
from advisor.exports import FORMAT_NAMES
from advisor.models import (
    EVIDENCE_KINDS,
    SCAN_RESULTS,
    SIGN_OFF_ROLES,
    TYPED_EVIDENCE_KINDS,
    VERIFICATION_RESULTS,
    limits,
)
from advisor.scanners import TOOL_NAMES
from advisor.scanners.evidence import EVIDENCE_STATUSES
from advisor.services.dashboard import SHOW

TOOLS = tuple(TOOL_NAMES)
SCAN_STATUSES = EVIDENCE_STATUSES  # pass, fail, mixed, not_evaluated, none


def allowed(values: tuple[str, ...]) -> AfterValidator:
    """Refuses a string outside the vocabulary, naming the values it takes."""

    def known(value: str) -> str:
        if value not in values:
            raise ValueError(f"got {value!r}; allowed: {', '.join(values)}")
        return value

    return AfterValidator(known)


def bundle_names(field: str) -> AfterValidator:
    """Refuses names a bundle cannot be made for, naming the parameter; keeps them checked (lower case, once)."""

    def checked(names: list[str]) -> list[str]:
        try:
            return list(check_names(field, names))
        except NamesError as exc:
            raise ValueError(str(exc)) from None

    return AfterValidator(checked)


def listed(values: tuple[str, ...]) -> WithJsonSchema:
    return WithJsonSchema({"type": "string", "enum": list(values)})


StatusName = Annotated[str, allowed(STATUSES), listed(STATUSES)]
ShowName = Annotated[str, allowed(SHOW), listed(SHOW)]
EXPORT_FORMATS = (*FORMAT_NAMES, "bundle")  # the export formats, and the starter policy bundle (issue 17)
FormatName = Annotated[str, allowed(EXPORT_FORMATS), listed(EXPORT_FORMATS)]
Title = Annotated[str, Field(max_length=limits.TITLE)]
Description = Annotated[str, Field(max_length=limits.DESCRIPTION)]
Label = Annotated[str, Field(max_length=limits.LABEL)]
Owner = Annotated[str, Field(max_length=limits.OWNER)]
Note = Annotated[str, Field(max_length=limits.NOTE)]


class Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class Lenient(BaseModel):
    """A response's promised fields, and whatever else it carries (a stored result keeps what its engine wrote)."""

    model_config = ConfigDict(extra="allow")


# --- errors -------------------------------------------------------------------------------------------


class Problem(BaseModel):
    key: str = Field(description="The field, query parameter or header at fault; `(body)` for the body as a whole.")
    message: str


class Errors(BaseModel):
    """Every problem found with the request, one per field."""

    errors: list[Problem] = Field(min_length=1)


# --- request bodies -----------------------------------------------------------------------------------


class Answers(RootModel[dict[str, Any]]):
    """An answers document (contract §1); the engine checks its keys and values and names each fault."""


class NewAssessment(Body):
    title: Title
    answers: dict[str, Any] = Field(description="An answers document (contract §1).")
    workspace: int | None = Field(None, description="The workspace to create it in; your personal one if absent.")
    description: Description | None = None
    label: Label | None = Field(None, description="A label for the first revision.")


class NewRevision(Body):
    answers: dict[str, Any] = Field(description="An answers document (contract §1).")
    base_revision: int = Field(description="The latest revision you read: a newer one means someone saved first.")
    label: Label | None = None


IsoDate = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", json_schema_extra={"format": "date"})]


class StatusChange(Body):
    status: StatusName
    note: Note | None = None
    owner: Owner | None = None
    base_version: int = Field(description="The status's version you read; 0 when no status was set before.")
    justification: Note | None = Field(
        None,
        description="Why the risk is accepted: needed with `accepted_risk` unless the item already has an "
        "acceptance (then it is kept; a changed one is a new request).",
    )
    expires_on: IsoDate | None = Field(
        None,
        description="The last day the acceptance holds (YYYY-MM-DD): after today and at most 12 months ahead; "
        "needed with `accepted_risk` like `justification`.",
    )
    due_on: IsoDate | None = Field(
        None,
        description="The day the item should be settled by (YYYY-MM-DD); null clears it; absent keeps it. Past it "
        "and still open, the item is overdue.",
    )


class NewEvidence(Body):
    kind: Annotated[str, allowed(TYPED_EVIDENCE_KINDS), listed(TYPED_EVIDENCE_KINDS)] = Field(
        description="`link`: an http or https URL; `text`: words. Scan results are imported, not added here."
    )
    text: Annotated[str, Field(min_length=1, max_length=max(limits.EVIDENCE_LINK, limits.EVIDENCE_TEXT))] = Field(
        description=f"The URL (at most {limits.EVIDENCE_LINK} characters) or the text "
        f"(at most {limits.EVIDENCE_TEXT}); an item holds at most {limits.EVIDENCE_PER_ITEM} entries."
    )


class VerificationRecord(Body):
    result: Annotated[str, allowed(VERIFICATION_RESULTS), listed(VERIFICATION_RESULTS)]
    procedure: Note | None = Field(None, description="How it was tested; needed for pass and fail.")
    base_version: int = Field(description="The status's version you read.")


class SignOffRequest(Body):
    role: Annotated[str, allowed(SIGN_OFF_ROLES), listed(SIGN_OFF_ROLES)] = Field(
        description="assessor (editors) signs the latest revision off first; approver (owners who neither saved the "
        "revision nor signed it off) approves it, which makes its decision records accepted"
    )
    statement: Note | None = Field(None, description="What you attest, in your words; shown with your signature.")


class AcceptanceDecision(Body):
    decision: Annotated[str, allowed(("approve", "reject")), listed(("approve", "reject"))]
    base_version: int = Field(description="The status's version you read.")
    reason: Note | None = Field(None, description="Why, recorded in the activity log.")


class CloseRemoved(Body):
    base_version: int = Field(description="The status's version you read (0 when the item has evidence and no status).")


# --- query strings ------------------------------------------------------------------------------------


class ListQuery(BaseModel):
    q: str = Field("", description=f"Words in the title or description (the first {limits.SEARCH} characters).")
    page: int = Field(1, ge=1, le=100_000)
    show: ShowName = "active"


class ScanImportQuery(BaseModel):
    cluster: str | None = Field(
        None,
        max_length=limits.SCAN_FIELD,
        description="The cluster (or, for manifests, the repository) scanned, for reports that do not name it.",
    )
    scanned_at: dt.datetime | None = Field(
        None, description="When the scan ran (RFC 3339; UTC when no offset), for reports that do not say it."
    )
    dry_run: bool = Field(False, description="Answer what the import would do, and import nothing.")


class ExportQuery(BaseModel):
    format: FormatName = "json"
    revision: int | None = Field(None, ge=1, le=limits.MAX_ID, description="The latest revision if absent.")
    as_of: dt.datetime | None = Field(
        None,
        description="Statuses, notes, evidence and activity as they stood at this moment (ISO 8601; UTC when no "
        "offset); now if absent. Without `revision`, the revision that was the latest then.",
    )
    team: Annotated[list[str], bundle_names("team")] = Field(
        default_factory=list,
        description=f"`bundle` only, repeatable: a team to make namespaces, Roles and groups for (letters, digits "
        f"and `-`, at most {NAME_LENGTH} characters; at most {MAX_NAMES}); placeholders `team-1`, … if absent.",
    )
    app: Annotated[list[str], bundle_names("app")] = Field(
        default_factory=list,
        description="`bundle` only, repeatable: an application to make namespaces for, as `team`, optionally after "
        "the team that owns it and `/` (`payments/checkout`); placeholders `app-1`, … if absent.",
    )


# --- responses ----------------------------------------------------------------------------------------


class Requirement(BaseModel):
    requirement: str
    title: str
    items: list[str] = Field(description="The checklist items that answer it; none: no item does.")


class FrameworkView(BaseModel):
    framework: str
    label: str
    requirements: list[Requirement]


class Result(Lenient):
    """The evaluation result of contract §4. Engine 2.1 adds `start_here`, `frameworks` and, per checklist item,
    `phase`, `effort`, `responsibility`, `priority_because` and `frameworks`; results stored by older engines
    lack them."""

    engine_version: str
    knowledge_base_version: str
    answers: dict[str, Any]
    weights: dict[str, Any]
    decisions: list[dict[str, Any]]
    checklist: list[dict[str, Any]]
    warnings: list[Any]
    start_here: list[str] | None = Field(None, description="The ids of the first checklist items to do, in order.")
    frameworks: list[FrameworkView] | None = Field(
        None, description="Per ticked compliance framework, every requirement and the items that answer it."
    )


class WorkspaceRef(BaseModel):
    id: int
    name: str


class Progress(BaseModel):
    done: int = Field(description="Items done, not applicable or inherited.")
    total: int


class AssessmentRow(BaseModel):
    id: int
    title: str
    workspace: WorkspaceRef
    archived: bool
    latest_revision: int
    recommended: dict[str, str | None] | None = Field(
        description="Each decision's recommended alternative (none: the decision does not apply)."
    )
    checklist: Progress
    updated_at: str


class AssessmentPage(BaseModel):
    items: list[AssessmentRow]
    page: int
    pages: int
    total: int


class Created(BaseModel):
    id: int
    revision: int
    result: Result


class EvidenceView(BaseModel):
    """An evidence entry; the scan fields are null for links and texts."""

    id: int
    item_id: str
    kind: Annotated[str, listed(EVIDENCE_KINDS)]
    text: str = Field(description="The URL of a link, the text of a text, the finding's detail of a scan.")
    added_by: str | None
    added_at: str | None
    tool: str | None
    benchmark: str | None
    check: str | None
    result: Annotated[str, listed(SCAN_RESULTS)] | None
    cluster: str | None
    scanned_at: str | None


class ItemStatus(BaseModel):
    status: StatusName
    note: str
    owner: str
    version: int
    updated_by: str | None
    updated_at: str | None
    needs_review: bool = Field(
        description="A later revision changed why the item applies or who does it since this status was set"
    )
    review_reason: str | None = Field(description="What changed, in words; null when it needs no review")
    due_on: str | None = Field(description="The day the item should be settled by (YYYY-MM-DD), or null")
    overdue: bool = Field(description="Past its due date and still open")
    evidence: list[EvidenceView] = Field(
        description="What shows the item done, oldest first; of imported scan results, the latest per check and cluster"
    )
    scan_status: Annotated[str, listed(SCAN_STATUSES)] = Field(description="What the latest scan results say")
    scanner_disagrees: bool = Field(
        description="Not applicable or risk accepted, and the latest scan results fail it (the status is unchanged)"
    )


class AssessmentView(BaseModel):
    """The assessment, its latest revision's answers and result, and the checklist's statuses."""

    id: int
    title: str
    description: str
    workspace: WorkspaceRef
    archived: bool
    latest_revision: int
    answers: dict[str, Any] | None
    result: Result | None
    statuses: dict[str, ItemStatus]


class Signature(BaseModel):
    by: str | None
    at: str
    statement: str


class SignOffView(BaseModel):
    status: Annotated[str, listed(("unsigned", "signed_off", "approved"))]
    decision_status: Annotated[str, listed(("proposed", "accepted"))] = Field(
        description="What the revision's decision records are: accepted once approved"
    )
    deciders: list[str] = Field(description="The assessor and the approver, once approved")
    decided_on: str | None
    assessor: Signature | None
    approver: Signature | None


class RevisionView(BaseModel):
    number: int
    label: str | None
    created_at: str
    author: str | None
    engine_version: str
    knowledge_base_version: str
    answers: dict[str, Any]
    result: Result
    statuses: dict[str, StatusName] = Field(description="Each item's status when the revision was saved.")
    sign_off: SignOffView


class Acceptance(BaseModel):
    state: Annotated[str, listed(("requested", "approved", "expired"))] = Field(
        description="requested until another owner approves it; expired after its end date (the item is open again)"
    )
    justification: str | None
    expires_on: str | None
    requested_by: str | None
    approved_by: str | None
    approved_at: str | None


class Verification(BaseModel):
    result: Annotated[str, listed(VERIFICATION_RESULTS)]
    procedure: str | None = Field(description="How it was tested")
    by: str | None = Field(description="Who tested it: never who marked it done")
    at: str | None


class StatusSaved(BaseModel):
    item_id: str
    status: StatusName
    note: str
    owner: str
    version: int
    acceptance: Acceptance | None = Field(None, description="The risk acceptance, with status accepted_risk.")
    due_on: str | None = Field(None, description="The day the item should be settled by (YYYY-MM-DD), or null")
    overdue: bool = Field(False, description="Past its due date and still open")
    verification: Verification | None = Field(None, description="The test of a done item; null when none")


class ScanImportView(BaseModel):
    """An imported scanner report."""

    id: int
    file_name: str
    tool: Annotated[str, listed(TOOLS)]
    tool_version: str | None
    source: Annotated[str, listed(("cluster", "manifests"))]
    benchmarks: list[str]
    cluster: str
    scanned_at: str
    digest: str = Field(description="SHA-256 of the file's bytes, hex: the same file is imported once")
    passed: int
    failed: int
    not_evaluated: int = Field(description="Checks the scan could not decide: manual, skipped, forbidden")
    items: int = Field(description="Checklist items its findings gave evidence to")
    imported_by: str | None
    imported_at: str


class ScanImports(BaseModel):
    imports: list[ScanImportView] = Field(description="Newest first")


class ReportRead(BaseModel):
    file_name: str
    tool: Annotated[str, listed(TOOLS)]
    tool_version: str | None
    source: Annotated[str, listed(("cluster", "manifests"))]
    benchmarks: list[str]
    cluster: str | None = Field(description="The report's own, else the one given; null: neither")
    scanned_at: str | None
    digest: str
    passed: int
    failed: int
    not_evaluated: int
    already_imported: bool = Field(description="Imported before (the same digest): it changes nothing")
    notes: list[str] = Field(description="What the file held that is not evidence (vulnerabilities)")


class CheckResult(BaseModel):
    tool: Annotated[str, listed(TOOLS)]
    benchmark: str | None
    check: str
    result: Annotated[str, listed(SCAN_RESULTS)]


class ItemScans(BaseModel):
    item_id: str
    title: str
    status: StatusName = Field(description="The item's status, which an import never changes")
    scan_status: Annotated[str, listed(SCAN_STATUSES[:-1])]
    disagrees: bool = Field(description="Not applicable or risk accepted, and these scans fail it")
    checks: list[CheckResult]


class ScanImportResult(BaseModel):
    dry_run: bool
    imported: list[ScanImportView] = Field(description="The reports imported now (none on a dry run)")
    reports: list[ReportRead] = Field(description="Every report sent, read")
    items: list[ItemScans] = Field(description="The checklist items the new reports give evidence to")
    unmatched: int = Field(description="Checks that verify no item of this checklist")
