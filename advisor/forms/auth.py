"""Forms for signing in, first-run set-up, passwords, users, tokens, workspaces and share links."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3; stubs lag behind
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from advisor.models import ROLES, limits

ROLE_LABELS = {"viewer": "Viewer (read, export)", "editor": "Editor (answer, revise, set statuses)", "owner": "Owner"}


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=limits.EMAIL)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=limits.PASSWORD)])


class NewPasswordMixin:
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=limits.PASSWORD)],
        description="At least 12 characters; common passwords are refused. A passphrase of a few words works well.",
    )
    confirm = PasswordField(
        "Repeat the new password", validators=[DataRequired(), EqualTo("password", message="The passwords differ.")]
    )


class SetupForm(NewPasswordMixin, FlaskForm):
    email = EmailField("Administrator's email", validators=[DataRequired(), Length(max=limits.EMAIL)])


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=limits.PASSWORD)])


class NewUserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=limits.EMAIL)])
    is_admin = BooleanField("Administrator (manages accounts, not other people's assessments)")


class TokenForm(FlaskForm):
    name = StringField(
        "Token name",
        validators=[DataRequired(), Length(max=limits.NAME)],
        description="What it is for, e.g. “CI gate”.",
    )


class WorkspaceForm(FlaskForm):
    name = StringField("Workspace name", validators=[DataRequired(), Length(max=limits.NAME)])


class MemberForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=limits.EMAIL)])
    role = SelectField("Role", choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES], default="viewer")


class MemberEntryForm(FlaskForm):
    """Names one line of a workspace's member list by its email: members and invitations alike."""

    email = HiddenField(validators=[DataRequired(), Length(max=limits.EMAIL)])


class RoleForm(MemberEntryForm):
    role = SelectField("Role", choices=[SelectChoice(r, ROLE_LABELS[r]) for r in ROLES])


class ShareForm(FlaskForm):
    label = StringField(
        "Label",
        validators=[Optional(), Length(max=limits.LABEL)],
        description="Who it is for, e.g. “External auditor”.",
    )
    days = IntegerField("Valid for (days)", default=14, validators=[DataRequired(), NumberRange(min=1, max=365)])
    revision = SelectField("Shows", choices=[], validate_choice=True)
    mode = RadioField(
        "Statuses, notes and evidence",
        choices=[
            SelectChoice("live", "Live: as they are whenever the link is opened"),
            SelectChoice("frozen", "Frozen at this moment: as they stand now, whatever changes later"),
        ],
        default="live",
        validate_choice=True,
    )


class PlainForm(FlaskForm):
    """A button that posts: only the CSRF token."""
