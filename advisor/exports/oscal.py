"""OSCAL export: the revision's checklist as NIST OSCAL assessment results, its open items as a plan of action and
milestones (POA&M), in one zip that GRC tools import.

- ``assessment-results.json``: one result for the revision, with a finding per checklist item (its id is the
  objective; satisfied when done or inherited from the provider, not satisfied otherwise; its framework
  requirements as props), an observation per evidence entry (links, texts, scan results), and a risk for every
  item that is open or an exception (an accepted risk with its justification, expiry and approver; not applicable
  with its note). An inherited item's finding names the provider's attestation relied on (prop ``inherited-from``
  and its remarks); it leaves no risk. Items an earlier revision listed and this one dropped, still on record
  (``ExportDocument.removed``), get a finding too, saying since which revision, with their last status, evidence
  and, while their risk acceptance stands, its risk.
- ``poam.json``: a POA&M item per open item (as the report's Open filter counts them) with its finding,
  observations and risk; the risk's deadline is the due date, its remediation names the owner. OSCAL needs at
  least one POA&M item, so the file is left out when nothing is open.

Both are built with compliance-trestle's OSCAL models, so they validate as they are made. Every UUID but the
documents' own derives from the assessment, revision and object (uuid5), so the same finding, observation, risk
or POA&M item has the same UUID in every export; the assessment results' UUID is the export id.

OSCAL's titles, descriptions and remarks are Markdown: user text in them is escaped so that it renders
literally; prop values are plain text on one line.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from trestle.oscal import OSCAL_VERSION
from trestle.oscal import common as oscal
from trestle.oscal.assessment_results import AssessmentResults, ImportAp, Result
from trestle.oscal.poam import PlanOfActionAndMilestones, PoamItem, RelatedFinding

from advisor.exports import Export, file_stem, utc
from advisor.exports.archive import zip_with_manifest
from advisor.exports.document import EvidenceRecord, ExportDocument, RemovedItem, StatusRecord
from advisor.exports.text import md_prose
from advisor.report.summary import (
    STATUS_LABELS,
    framework_names,
    requirement_label,
    still_open,
)

MIMETYPE = "application/zip"
RESULTS_FILE = "assessment-results.json"
POAM_FILE = "poam.json"
# never change it: every UUID in these files derives from it, and a GRC tool matches objects across imports by them
NAMESPACE = uuid.UUID("613e13df-8592-468e-866f-06edb9eb5875")
PROP_NS = "urn:k8s-architecture-advisor:oscal"  # the advisor's own props, apart from OSCAL's
ROLES = {
    "prepared-by": "Exported by",
    "creator": "Author of the revision",
    "item-owner": "Owner of a checklist item",
    "approver": "Approver of a risk acceptance",
    "assessor": "Assessor who signed the revision off",
    "approving-owner": "Owner who approved the revision",
}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~#!])")


# --- text ---------------------------------------------------------------------------------------


def line(text: object) -> str:
    """Plain text on one line, without leading or trailing space: what an OSCAL prop value allows."""
    return " ".join(str(text).split())


def md_line(text: object) -> str:
    """User text for a Markdown title: one line, every Markdown and HTML special escaped."""
    return _MD_SPECIAL.sub(r"\\\1", line(text))


def md_text(text: object) -> str:
    """User text for a Markdown description or remarks: its lines kept, each escaped like ``md_line``."""
    lines = str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(_MD_SPECIAL.sub(r"\\\1", " ".join(part.split())) for part in lines).strip("\n")


def web_url(text: str) -> str | None:
    """The text when it is an http(s) URL, the only links the export makes (a stored link is one already)."""
    url = text.strip()
    return url if re.match(r"https?://[^\s/]", url, re.IGNORECASE) and not any(c.isspace() for c in url) else None


def end_of(day: dt.date) -> dt.datetime:
    """The last second of ``day`` in UTC: an acceptance runs, and an item is due, until the day is over."""
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.UTC)


def prop(name: str, value: object, group: str | None = None) -> oscal.Property | None:
    text = "" if value is None else line(value)
    return oscal.Property(name=name, value=text, ns=PROP_NS, group=group) if text else None


def props(*found: oscal.Property | None) -> list[oscal.Property] | None:
    """The props that have a value; None for none (OSCAL lists hold at least one entry)."""
    kept = [p for p in found if p is not None]
    return kept or None


T = TypeVar("T")


def some(values: Iterable[T]) -> list[T] | None:
    kept = list(values)
    return kept or None


# --- the documents ------------------------------------------------------------------------------


@dataclass
class Parties:
    """The people the documents name, each once, by a UUID derived from the name."""

    by_name: dict[str, str] = field(default_factory=dict)

    def uuid_of(self, name: str) -> str:
        key = line(name)
        return self.by_name.setdefault(key, str(uuid.uuid5(NAMESPACE, f"party/{key}")))

    def listed(self) -> list[oscal.Parties] | None:
        return some(oscal.Parties(uuid=u, type="person", name=n) for n, u in sorted(self.by_name.items()))


@dataclass(frozen=True)
class ItemParts:
    """What one checklist item contributes to the documents."""

    item_id: str
    open: bool
    finding: oscal.Finding
    observations: list[oscal.Observation]
    risk: oscal.Risk | None
    poam_item: PoamItem | None


class Builder:
    """The OSCAL objects of one ``ExportDocument``; ``parties`` collects the people they name."""

    def __init__(self, doc: ExportDocument) -> None:
        self.doc = doc
        self.on = utc(doc.as_of_time).date()
        self.names = framework_names(doc.kb, doc.result)
        self.parties = Parties()

    def uuid(self, *parts: object) -> str:
        """The same object's UUID in every export: from the assessment, the revision and the object's path."""
        path = "/".join(str(p) for p in ("assessment", self.doc.assessment_id, "revision", self.doc.revision_number))
        return str(uuid.uuid5(NAMESPACE, "/".join([path, *(str(p) for p in parts)])))

    def party(self, name: str | None) -> str | None:
        return self.parties.uuid_of(name) if name and line(name) else None

    # --- metadata

    def metadata(self, kind: str) -> oscal.Metadata:
        doc = self.doc
        responsible = []
        exporter = self.party(doc.exported_by) if doc.exported_by and "@" in doc.exported_by else None
        if exporter:  # an account; a share link or the command line is named in the exported-by prop only
            responsible.append(oscal.ResponsibleParty(role_id="prepared-by", party_uuids=[exporter]))
        author = self.party(doc.revision_author)
        if author:
            responsible.append(oscal.ResponsibleParty(role_id="creator", party_uuids=[author]))
        signed = doc.sign_off
        for role, signature in (("assessor", signed.assessor), ("approving-owner", signed.approver)):
            signer = self.party(signature.by) if signature else None
            if signer:
                responsible.append(oscal.ResponsibleParty(role_id=role, party_uuids=[signer]))
        return oscal.Metadata(
            title=f"{md_line(doc.title) or f'Assessment {doc.assessment_id}'} — revision {doc.revision_number}: {kind}",
            published=utc(doc.exported_at),
            last_modified=utc(doc.as_of_time),
            version=str(doc.revision_number),
            oscal_version=OSCAL_VERSION,
            props=props(
                prop("assessment-id", doc.assessment_id),
                prop("workspace", doc.workspace),
                prop("revision-label", doc.revision_label),
                prop("latest-revision", doc.latest_revision_number),
                prop("engine-version", doc.engine_version),
                prop("knowledge-base-version", doc.knowledge_base_version),
                prop("export-id", doc.export_id),
                prop("exported-by", doc.exported_by),
                prop("sign-off", signed.status.replace("_", "-")),
                prop("signed-off-at", utc(signed.assessor.at).isoformat() if signed.assessor else None),
                prop("approved-at", utc(signed.approver.at).isoformat() if signed.approver else None),
            ),
            roles=[oscal.Role(id=role, title=title) for role, title in ROLES.items()],
            parties=self.parties.listed(),
            responsible_parties=some(responsible),
            remarks=md_text(doc.description) or None,
        )

    # --- per item

    def item(self, item: Mapping[str, Any]) -> ItemParts:
        item_id = str(item["id"])
        st = self.doc.status_of(item_id)
        is_open = still_open(st, self.on)
        observations = self.observations(item_id, st.evidence)
        risk = self.risk(item, st, is_open, observations)
        finding = self.finding(item, st, observations, risk)
        poam_item = self.poam_item(item, st, finding, observations, risk) if is_open else None
        return ItemParts(item_id, is_open, finding, observations, risk, poam_item)

    def status_props(self, item: Mapping[str, Any], st: StatusRecord) -> list[oscal.Property | None]:
        return [
            prop("status", st.status),
            prop("status-label", st.label(STATUS_LABELS)),
            prop("priority", item.get("priority")),
            prop("topic", item.get("topic")),
            prop("phase", item.get("phase")),
            prop("effort", item.get("effort")),
            prop("responsibility", item.get("responsibility")),
            prop("owner", st.owner),
            prop("due-on", st.due_on.isoformat() if st.due_on else None),
            prop("overdue", "true" if st.overdue else None),
            prop("needs-review", st.review_reason),
            prop("scan-status", st.scan_status),
            prop("scanner-disagrees", "true" if st.scanner_disagrees else None),
        ]

    def finding(
        self,
        item: Mapping[str, Any],
        st: StatusRecord,
        observations: list[oscal.Observation],
        risk: oscal.Risk | None,
        *,
        prefix: tuple[object, ...] = (),
        extra: Iterable[oscal.Property | None] = (),
        said: str = "",
    ) -> oscal.Finding:
        """``prefix`` starts the path of its UUID (a removed item's), ``extra`` adds props, ``said`` is a sentence its
        remarks start with."""
        item_id = str(item["id"])
        # OSCAL has no inherited objective state (SSPs model inheritance): the objective is met, by the provider,
        # and the finding says on whose attestation; it is never counted implemented
        satisfied = st.status in ("done", "inherited")
        inherited = st.status == "inherited"
        requirements = [
            prop("framework-requirement", requirement_label(self.names, f["framework"], f["requirement"]), "frameworks")
            for f in item.get("frameworks") or ()
            if isinstance(f, Mapping) and f.get("framework") and f.get("requirement")
        ]
        implementation = {
            "done": oscal.State.implemented,
            "in_progress": oscal.State.partial,
            "todo": oscal.State.planned,
            "not_applicable": oscal.State.not_applicable,
        }.get(st.status)
        updated_by = self.party(st.updated_by)
        state = md_text(st.label(STATUS_LABELS))
        if inherited:
            state = f"{state}: {md_text(st.note) or 'no attestation recorded'}"
        remarks = "\n\n".join(part for part in (said, md_text(st.note)) if part)
        return oscal.Finding(
            uuid=self.uuid(*prefix, "finding", item_id),
            title=md_prose(item["title"]),
            description=md_prose(item.get("why") or item["title"]),
            props=props(
                *self.status_props(item, st),
                prop("inherited-from", st.note) if inherited else None,
                *extra,
                *requirements,
            ),
            links=some(
                oscal.Link(href=url, rel=oscal.Rel.reference, text=md_prose(ref.get("label") or url))
                for ref in item.get("references") or ()
                if isinstance(ref, Mapping) and (url := web_url(str(ref.get("url") or "")))
            ),
            origins=[oscal.Origin(actors=[self.actor(updated_by)])] if updated_by else None,
            target=oscal.FindingTarget(
                type=oscal.FindingTargetTypeValidValues.objective_id,
                target_id=item_id,
                title=md_prose(item["title"]),
                status=oscal.ObjectiveStatus(
                    state=oscal.ObjectiveStatusStateValidValues.satisfied
                    if satisfied
                    else oscal.ObjectiveStatusStateValidValues.not_satisfied,
                    reason=oscal.Reason.pass_
                    if st.status == "done"
                    else oscal.Reason.other
                    if st.status in ("not_applicable", "accepted_risk", "inherited")
                    else oscal.Reason.fail,
                    remarks=state,
                ),
                implementation_status=oscal.ImplementationStatus(state=implementation) if implementation else None,
            ),
            related_observations=some(oscal.RelatedObservation(observation_uuid=o.uuid) for o in observations),
            related_risks=[oscal.AssociatedRisk(risk_uuid=risk.uuid)] if risk else None,
            remarks=remarks or None,
        )

    def removed(self, gone: RemovedItem) -> tuple[oscal.Finding, list[oscal.Observation], oscal.Risk | None]:
        """An item an earlier revision listed and this one dropped, its record not closed: a finding saying since
        which revision, with its last status and evidence, and a risk while it is an accepted risk (an exception
        still on record). Nothing is left to do on this checklist: no remediation, no POA&M item."""
        item = {"id": gone.item_id, "title": gone.title}
        st = gone.record
        prefix = ("removed", gone.removed_since)  # apart from the objects of the revisions that listed it
        observations = self.observations(gone.item_id, st.evidence, prefix)
        risk = self.risk(item, st, False, observations, prefix) if st.status == "accepted_risk" else None
        said = (
            f"Removed from the checklist since revision {gone.removed_since} (last on revision {gone.last_on}); "
            f"last status: {md_text(st.label(STATUS_LABELS))}."
        )
        extra = (prop("removed-since-revision", gone.removed_since), prop("last-on-revision", gone.last_on))
        finding = self.finding(item, st, observations, risk, prefix=prefix, extra=extra, said=said)
        return finding, observations, risk

    def actor(self, party_uuid: str) -> oscal.OriginActor:
        return oscal.OriginActor(type=oscal.OriginActorValidValues.party, actor_uuid=party_uuid)

    def observations(
        self, item_id: str, evidence: Iterable[EvidenceRecord], prefix: tuple[object, ...] = ()
    ) -> list[oscal.Observation]:
        seen: dict[tuple[object, ...], int] = {}
        made = []
        for entry in evidence:
            identity = (
                *(entry.kind, entry.text, entry.added_by, entry.added_at, entry.tool, entry.benchmark),
                *(entry.check, entry.result, entry.cluster, entry.scanned_at),
            )
            seen[identity] = seen.get(identity, 0) + 1  # two identical entries are still two observations
            key = "|".join("" if v is None else str(v) for v in identity) + f"|{seen[identity]}"
            made.append(self.observation(item_id, key, entry, prefix))
        return made

    def observation(
        self, item_id: str, key: str, entry: EvidenceRecord, prefix: tuple[object, ...] = ()
    ) -> oscal.Observation:
        scan = entry.kind == "scan"
        url = web_url(entry.text) if entry.kind == "link" else None
        collected = (entry.scanned_at if scan else entry.added_at) or self.doc.as_of_time
        added_by = None if scan else self.party(entry.added_by)
        what = {"link": "Link", "text": "Text", "scan": "Scan result"}.get(entry.kind, "Evidence")
        return oscal.Observation(
            uuid=self.uuid(*prefix, "observation", item_id, key),
            title=f"{what}: {md_line(' '.join(p for p in (entry.tool, entry.check, entry.result) if p))}"
            if scan
            else f"{what} for {md_line(item_id)}",
            description=md_text(entry.summary()),
            props=props(
                prop("evidence-kind", entry.kind),
                prop("item-id", item_id),
                *(prop(name, getattr(entry, name), "scan") for name in ("tool", "benchmark", "check", "result")),
                prop("cluster", entry.cluster, "scan"),
                prop("added-by", entry.added_by),
            ),
            methods=[oscal.Methods.TEST if scan else oscal.Methods.EXAMINE],
            origins=[oscal.Origin(actors=[self.actor(added_by)])] if added_by else None,
            relevant_evidence=[
                oscal.RelevantEvidence(href=url, description=md_text(entry.text) or what)
                if url
                else oscal.RelevantEvidence(description=md_text(entry.text) or what)
            ],
            collected=utc(collected),
        )

    def risk_status(self, st: StatusRecord, is_open: bool) -> oscal.RiskStatusValidValues | None:
        """The risk an item leaves: none when it is done (and needs no review)."""
        statuses = oscal.RiskStatusValidValues
        if st.needs_review:
            return statuses.investigating
        if st.status == "accepted_risk":
            return {"requested": statuses.deviation_requested, "approved": statuses.deviation_approved}.get(
                st.acceptance or "", statuses.open
            )
        if st.status == "not_applicable":
            return statuses.closed
        if not is_open:
            return None
        return statuses.remediating if st.status == "in_progress" else statuses.open

    def risk(
        self,
        item: Mapping[str, Any],
        st: StatusRecord,
        is_open: bool,
        observations: list[oscal.Observation],
        prefix: tuple[object, ...] = (),
    ) -> oscal.Risk | None:
        status = self.risk_status(st, is_open)
        if status is None:
            return None
        item_id = str(item["id"])
        if st.status == "accepted_risk":
            statement = md_text(st.acceptance_justification or "") or "No justification recorded."
        elif st.status == "not_applicable":
            statement = md_text(st.note) or "Marked not applicable without a note."
        else:
            statement = f"The checklist item is not done: {md_text(st.label(STATUS_LABELS))}."
        approved = st.status == "accepted_risk" and st.acceptance == "approved"
        deadline = st.acceptance_expires if approved else st.due_on
        return oscal.Risk(
            uuid=self.uuid(*prefix, "risk", item_id),
            title=md_prose(item["title"]),
            description=md_prose(item.get("why") or item["title"]),
            statement=statement,
            props=props(
                prop("item-id", item_id),
                prop("status", st.status),
                prop("needs-review", st.review_reason),
                *self.acceptance_props(st),
            ),
            status=oscal.RiskStatus(status),
            deadline=end_of(deadline) if deadline else None,
            remediations=[self.remediation(item, st)] if is_open and st.status != "not_applicable" else None,
            risk_log=self.risk_log(item_id, st, prefix),
            related_observations=some(oscal.RelatedObservation(observation_uuid=o.uuid) for o in observations),
        )

    def acceptance_props(self, st: StatusRecord) -> list[oscal.Property | None]:
        if st.status != "accepted_risk":
            return []
        approved_at = utc(st.acceptance_approved_at).isoformat() if st.acceptance_approved_at else None
        return [
            prop("acceptance-state", st.acceptance, "acceptance"),
            prop(
                "acceptance-expires", st.acceptance_expires.isoformat() if st.acceptance_expires else None, "acceptance"
            ),
            prop("acceptance-requested-by", st.acceptance_requested_by, "acceptance"),
            prop("acceptance-approved-by", st.acceptance_approved_by, "acceptance"),
            prop("acceptance-approved-at", approved_at, "acceptance"),
        ]

    def risk_log(self, item_id: str, st: StatusRecord, prefix: tuple[object, ...] = ()) -> oscal.RiskLog | None:
        """The approval of a risk acceptance, by whom and when."""
        approver = self.party(st.acceptance_approved_by)
        if st.status != "accepted_risk" or st.acceptance_approved_at is None or approver is None:
            return None
        return oscal.RiskLog(
            entries=[
                oscal.Entry(
                    uuid=self.uuid(
                        *prefix, "risk-log", item_id, "approved", utc(st.acceptance_approved_at).isoformat()
                    ),
                    title="Risk acceptance approved",
                    start=utc(st.acceptance_approved_at),
                    logged_by=[oscal.LoggedBy(party_uuid=approver, role_id="approver")],
                    status_change=oscal.RiskStatus(oscal.RiskStatusValidValues.deviation_approved),
                )
            ]
        )

    def remediation(self, item: Mapping[str, Any], st: StatusRecord) -> oscal.Response:
        """What to do (the item's how); planned once someone owns it or it has a due date, with that milestone."""
        item_id = str(item["id"])
        owner = self.party(st.owner)
        task = None
        if owner or st.due_on:
            task = oscal.Task(
                uuid=self.uuid("milestone", item_id),
                type=oscal.TaskValidValues.milestone if st.due_on else oscal.TaskValidValues.action,
                title=f"Settle {md_prose(item['title'])}",
                timing=oscal.TimingOnDate(on_date=oscal.OnDate(date=end_of(st.due_on))) if st.due_on else None,
                responsible_roles=[oscal.ResponsibleRole(role_id="item-owner", party_uuids=[owner])] if owner else None,
            )
        return oscal.Response(
            uuid=self.uuid("remediation", item_id),
            lifecycle=oscal.Lifecycle.planned if task else oscal.Lifecycle.recommendation,
            title=md_prose(item["title"]),
            description=md_prose(item.get("how") or item["title"]),
            tasks=[task] if task else None,
        )

    def poam_item(
        self,
        item: Mapping[str, Any],
        st: StatusRecord,
        finding: oscal.Finding,
        observations: list[oscal.Observation],
        risk: oscal.Risk | None,
    ) -> PoamItem:
        item_id = str(item["id"])
        return PoamItem(
            uuid=self.uuid("poam-item", item_id),
            title=md_prose(item["title"]),
            description=md_prose(item.get("why") or item["title"]),
            props=props(prop("item-id", item_id), *self.status_props(item, st)),
            related_findings=[RelatedFinding(finding_uuid=finding.uuid)],
            related_observations=some(oscal.RelatedObservation(observation_uuid=o.uuid) for o in observations),
            related_risks=[oscal.AssociatedRisk(risk_uuid=risk.uuid)] if risk else None,
            remarks=md_text(st.note) or None,
        )


@dataclass(frozen=True)
class Documents:
    results: AssessmentResults
    poam: PlanOfActionAndMilestones | None  # None when nothing is open


def build(doc: ExportDocument) -> Documents:
    """The OSCAL documents of ``doc``, validated by trestle's models as they are made."""
    b = Builder(doc)
    parts = [b.item(item) for item in doc.result["checklist"]]
    removed = [b.removed(gone) for gone in doc.removed]
    plan = b.uuid("plan")
    results_uuid = doc.export_id or b.uuid("export", utc(doc.as_of_time).isoformat())
    checked = "the checklist items the advisor chose from the answers of this revision"
    result = Result(
        uuid=b.uuid("result"),
        title=f"Checklist of revision {doc.revision_number}",
        description=(
            f"The status of every checklist item of revision {doc.revision_number} as of "
            f"{utc(doc.as_of_time).isoformat(timespec='seconds')}, with its evidence and the risks left open "
            "or accepted. Each finding's objective is a checklist item's id; items earlier revisions listed and "
            "this one dropped, still on record, have a finding saying since which revision."
        ),
        start=utc(doc.revision_created_at),
        end=max(utc(doc.as_of_time), utc(doc.revision_created_at)),
        props=props(prop("revision", doc.revision_number), prop("revision-label", doc.revision_label)),
        reviewed_controls=oscal.ReviewedControls(
            description=f"No control catalog: the objectives are {checked}.",
            control_selections=[oscal.ControlSelectionsAll(include_all=oscal.IncludeAll())],
            control_objective_selections=[oscal.ControlObjectiveSelections(include_objectives=objectives)]
            if (objectives := [oscal.SelectObjectiveById(objective_id=p.item_id) for p in parts])
            else None,
        ),
        observations=some([*(o for p in parts for o in p.observations), *(o for _, seen, _ in removed for o in seen)]),
        risks=some([*(p.risk for p in parts if p.risk is not None), *(r for _, _, r in removed if r is not None)]),
        findings=some([*(p.finding for p in parts), *(f for f, _, _ in removed)]),
    )
    back_matter = oscal.BackMatter(
        resources=[
            oscal.Resource(
                uuid=plan,
                title=f"The answers of revision {doc.revision_number}",
                description=(
                    "There is no OSCAL assessment plan: the questionnaire's answers, evaluated by engine "
                    f"{doc.engine_version} with knowledge base {doc.knowledge_base_version}, chose {checked}."
                ),
            )
        ]
    )
    results = AssessmentResults(
        uuid=results_uuid,
        metadata=b.metadata("assessment results"),
        import_ap=ImportAp(href=f"#{plan}"),
        results=[result],
        back_matter=back_matter,
    )
    open_parts = [p for p in parts if p.poam_item is not None]
    poam = None
    if open_parts:
        poam = PlanOfActionAndMilestones(
            uuid=str(uuid.uuid5(NAMESPACE, f"poam/{results_uuid}")),
            metadata=b.metadata("plan of action and milestones"),
            system_id=oscal.SystemId(identifier_type=PROP_NS, id=f"assessment-{doc.assessment_id}"),
            observations=some(o for p in open_parts for o in p.observations),
            risks=some(p.risk for p in open_parts if p.risk is not None),
            findings=[p.finding for p in open_parts],
            poam_items=[p.poam_item for p in open_parts if p.poam_item is not None],
        )
    return Documents(results, poam)


def files(doc: ExportDocument) -> dict[str, bytes]:
    """The zip's files: ``assessment-results.json`` and, when anything is open, ``poam.json``."""
    built = build(doc)
    out = {RESULTS_FILE: built.results.oscal_serialize_json_bytes(pretty=True) + b"\n"}
    if built.poam is not None:
        out[POAM_FILE] = built.poam.oscal_serialize_json_bytes(pretty=True) + b"\n"
    return out


def to_zip(doc: ExportDocument) -> bytes:
    return zip_with_manifest(files(doc), utc(doc.as_of_time))  # entries dated by the as-of time


def render(doc: ExportDocument) -> Export:
    return Export(to_zip(doc), MIMETYPE, f"{file_stem(doc)}-oscal.zip")
