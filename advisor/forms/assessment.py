"""Forms for an assessment's details, revisions, checklist statuses and confirmations."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs lag behind
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from advisor.bundle.names import NamesError, check_names, split_names
from advisor.engine.schema import STATUSES
from advisor.models import SIGN_OFF_ROLES, TYPED_EVIDENCE_KINDS, limits
from advisor.report.summary import STATUS_LABELS as STATUS_LABELS  # the labels live with the others; re-exported


class DetailsForm(FlaskForm):
    title = StringField(
        "Title", validators=[DataRequired(message="Give the assessment a title."), Length(max=limits.TITLE)]
    )
    description = TextAreaField("Description", validators=[Optional(), Length(max=limits.DESCRIPTION)])
    version = HiddenField()


class EditDetailsForm(DetailsForm):
    """The details page: title and description, and what the assessment covers (its scope)."""

    scope_clusters = TextAreaField(
        "Clusters in scope",
        validators=[Optional(), Length(max=limits.NOTE)],
        description="One a line (or separated by commas), e.g. prod-eu-1.",
    )
    scope_systems = TextAreaField(
        "Systems in scope", validators=[Optional(), Length(max=limits.NOTE)], description="One a line."
    )
    scope_regulated = TextAreaField(
        "Regulated namespaces or card-data environment",
        validators=[Optional(), Length(max=limits.NOTE)],
        description="The namespaces or environment a standard applies to (PCI DSS: the CDE). One a line.",
    )
    period_start = DateField("Assessment period from", validators=[Optional()])
    period_end = DateField("Assessment period to", validators=[Optional()])


class NewAssessmentForm(DetailsForm):
    workspace = SelectField("Workspace", coerce=int, choices=[], description="Who can see and edit it.")


class SaveRevisionForm(FlaskForm):
    label = StringField(
        "Milestone label (optional)",
        validators=[Optional(), Length(max=limits.LABEL)],
        description="For example “Design review” or “Pre-prod audit”.",
    )
    base_revision = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=0)])
    version = HiddenField()


class BulkStatusForm(FlaskForm):
    """One change to the items ticked on the report; an empty field leaves each item's own value."""

    status = SelectField(
        "Set status to",
        choices=[SelectChoice("", "Leave as is")] + [SelectChoice(s, STATUS_LABELS[s]) for s in STATUSES],
        default="",
    )
    owner = StringField("Set owner to", validators=[Optional(), Length(max=limits.OWNER)])
    note = TextAreaField("Set note to", validators=[Optional(), Length(max=limits.NOTE)])


class StatusForm(FlaskForm):
    status = SelectField("Status", choices=[SelectChoice(s, STATUS_LABELS[s]) for s in STATUSES])
    owner = StringField("Owner", validators=[Optional(), Length(max=limits.OWNER)])
    note = TextAreaField("Note", validators=[Optional(), Length(max=limits.NOTE)])
    justification = TextAreaField("Justification", validators=[Optional(), Length(max=limits.NOTE)])
    expires = DateField("Accepted until", validators=[Optional()])
    due_on = DateField("Due", validators=[Optional()])  # empty clears it; a form without the field keeps it
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=0)])


EVIDENCE_KIND_CHOICES = {"link": "Link (http or https)", "text": "Text"}


class EvidenceForm(FlaskForm):
    """A link or a text that shows a checklist item done; the service checks the link and the limits."""

    kind = SelectField("Kind", choices=[SelectChoice(k, EVIDENCE_KIND_CHOICES[k]) for k in TYPED_EVIDENCE_KINDS])
    text = TextAreaField(
        "Link or text",
        validators=[
            DataRequired(message="Give the link or the text of the evidence."),
            Length(max=max(limits.EVIDENCE_LINK, limits.EVIDENCE_TEXT)),
        ],
    )


class RemoveEvidenceForm(FlaskForm):
    """Removing an evidence entry: only the CSRF token."""


class AcceptanceDecisionForm(FlaskForm):
    """An owner's decision on a requested risk acceptance."""

    decision = SelectField("Decision", choices=[SelectChoice("approve", "Approve"), SelectChoice("reject", "Reject")])
    reason = StringField("Reason", validators=[Optional(), Length(max=limits.NOTE)])
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired(), NumberRange(min=0)])


class VersionForm(FlaskForm):
    """A confirmation (archive, delete, discard, clone): only the version seen, and the CSRF token."""

    version = HiddenField()


class VerificationForm(FlaskForm):
    """The test of a done item by someone other than who marked it done; the service checks who may."""

    result = SelectField(
        "Test result",
        choices=[
            SelectChoice("pass", "Passed"),
            SelectChoice("fail", "Failed"),
            SelectChoice("not_tested", "Not tested"),
        ],
    )
    procedure = TextAreaField("How it was tested", validators=[Optional(), Length(max=limits.NOTE)])
    version = HiddenField()


class SignOffForm(FlaskForm):
    """A signature on the latest revision: the assessor's, or the approving owner's; the service checks who may."""

    role = HiddenField(validators=[AnyOf(SIGN_OFF_ROLES)])
    statement = TextAreaField("Statement (optional)", validators=[Optional(), Length(max=limits.NOTE)])


class BundleForm(FlaskForm):
    """The starter policy bundle's names, sent as a plain GET (a download changes nothing but the activity log, so
    the form carries no CSRF token). ``teams`` and ``apps`` hold the checked names once it validates; the revision
    is read as the other downloads read it."""

    class Meta:
        csrf = False

    team = TextAreaField(
        "Team names (optional)",
        validators=[Optional(), Length(max=limits.NOTE)],
        description="One a line, or separated by commas, e.g. payments. Without them the files use placeholders: "
        "team-1, team-2 …",
    )
    app = TextAreaField(
        "Application names (optional)",
        validators=[Optional(), Length(max=limits.NOTE)],
        description="One a line, or separated by commas, e.g. checkout, or payments/checkout to name the team that "
        "owns it (its group then gets the application's Roles). Without them the files use placeholders: app-1, "
        "app-2 …",
    )
    teams: tuple[str, ...] = ()
    apps: tuple[str, ...] = ()

    def validate_team(self, field: Field) -> None:
        self.teams = _names("team", field)

    def validate_app(self, field: Field) -> None:
        self.apps = _names("app", field)


def _names(kind: str, field: Field) -> tuple[str, ...]:
    try:
        return check_names(kind, split_names(field.data or ""))
    except NamesError as exc:
        raise ValidationError(str(exc)) from None
