"""Forms for importing scanner reports: the upload that asks for a preview, and the confirmation."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateTimeLocalField, HiddenField, StringField
from wtforms.validators import Length, Optional

from advisor.models import limits

CLUSTER_HELP = (
    "Used for reports that do not name their cluster (kube-bench, Polaris and Checkov reports usually do not). "
    "For a scan of manifests, name the repository."
)
SCANNED_AT_HELP = "In UTC. Used for reports that do not say when they ran."


class _Context(FlaskForm):
    cluster = StringField(
        "Cluster or repository", validators=[Optional(), Length(max=limits.SCAN_FIELD)], description=CLUSTER_HELP
    )
    scanned_at = DateTimeLocalField(
        "Scan time (UTC)",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
        description=SCANNED_AT_HELP,
    )


class ScanUploadForm(_Context):
    files = MultipleFileField(
        "Scanner reports (JSON)",
        description="kube-bench, kubescape, Polaris, Trivy or Checkov JSON output; several files at once are merged.",
    )


class ScanConfirmForm(_Context):
    """The readings the preview kept (their ids, comma-separated) and the context, possibly completed."""

    pending = HiddenField()
