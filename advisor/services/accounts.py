"""Accounts: password rules and hashing, sign-in, API tokens. Secrets are never stored in clear."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import secrets
from functools import cache
from pathlib import Path

from sqlalchemy import delete, func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from advisor.models import ApiToken, Membership, User, UserSession, Workspace, limits
from advisor.services import DbSession

MIN_PASSWORD_LENGTH = 12
PASSWORD_METHOD = "scrypt"  # noqa: S105  (a hashing method: memory-hard scrypt:32768:8:1)
TOKEN_PREFIX = "adv_"  # noqa: S105  (marks advisor tokens; not a secret)
_COMMON = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"
# verified against when the email is unknown, so a wrong email takes as long as a wrong password
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16), method=PASSWORD_METHOD)


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message says why."""


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip() for line in fh if line.strip())


def password_problems(password: str, email: str = "") -> list[str]:
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if password.lower().strip() in common_passwords():
        problems.append("This password is on a list of common passwords; choose another.")
    if email and password.lower() == email.lower():
        problems.append("The password must not be the email address.")
    return problems


def normalise_email(email: str) -> str:
    return email.strip().lower()


def plausible_email(email: str) -> bool:
    """Whether a normalised email may name an account (or an invitation, which becomes one)."""
    return "@" in email and len(email) <= 254 and not email.startswith("@") and not email.endswith("@")


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def hash_secret(secret: str) -> str:
    """SHA-256 of a random, high-entropy token (not for passwords)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def user_count(session: DbSession) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def find_user(session: DbSession, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    session: DbSession, email: str, password: str, *, is_admin: bool = False, temporary: bool = False
) -> User:
    """A new account with its personal workspace; the first administrator adopts ownerless workspaces.
    A ``temporary`` password (made by ``invite_user``) must be changed at the first sign-in."""
    email = normalise_email(email)
    if not plausible_email(email):
        raise AccountError("Enter a valid email address.")
    if find_user(session, email) is not None:
        raise AccountError("An account with this email address exists already.")
    problems = password_problems(password, email)
    if problems and not temporary:
        raise AccountError(" ".join(problems))
    first = user_count(session) == 0
    user = User(
        email=email,
        password_hash=generate_password_hash(password, method=PASSWORD_METHOD),
        is_admin=is_admin,
        must_change_password=temporary,
    )
    session.add(user)
    session.flush()
    personal = Workspace(name=f"{email} (personal)", personal_for_id=user.id)
    session.add(personal)
    session.flush()
    session.add(Membership(workspace_id=personal.id, user_id=user.id, role="owner"))
    if first:
        orphans = session.scalars(select(Workspace).where(~Workspace.memberships.any(), Workspace.id != personal.id))
        for workspace in orphans:
            session.add(Membership(workspace_id=workspace.id, user_id=user.id, role="owner"))
    session.flush()
    from advisor.services.workspaces import accept_invitations  # here: that module imports this one

    accept_invitations(session, user)  # workspaces that invited this email before the account existed
    return user


def authenticate(session: DbSession, email: str, password: str) -> User | None:
    """The account for these credentials, or None; the same work is done whatever fails."""
    user = find_user(session, email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or user.disabled:
        return None
    user.last_login_at = now()
    return user


def set_password(user: User, password: str, *, temporary: bool = False) -> None:
    problems = password_problems(password, user.email)
    if problems and not temporary:
        raise AccountError(" ".join(problems))
    user.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
    user.must_change_password = temporary
    user.session_nonce = secrets.token_hex(16)  # every other session of this account ends


def change_password(user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current):
        raise AccountError("The current password is not correct.")
    if current == new:
        raise AccountError("Choose a password different from the current one.")
    set_password(user, new)


def invite_user(session: DbSession, email: str, *, is_admin: bool = False) -> tuple[User, str]:
    """An administrator's new account: a one-time password, to be changed at the first sign-in."""
    temporary = secrets.token_urlsafe(12)
    user = create_user(session, email, temporary, is_admin=is_admin, temporary=True)
    return user, temporary


def reset_password(user: User) -> str:
    """An administrator's reset: a one-time password, to be changed at the next sign-in.

    A reset means the account may be in someone else's hands: its sessions end (the nonce) and its
    API tokens are revoked too, so nothing issued before the reset still works.
    """
    temporary = secrets.token_urlsafe(12)
    set_password(user, temporary, temporary=True)
    moment = now()
    for token in user.tokens:
        if token.revoked_at is None:
            token.revoked_at = moment
    return temporary


def set_disabled(user: User, disabled: bool) -> None:
    user.disabled = disabled
    user.session_nonce = secrets.token_hex(16)


def start_session(session: DbSession, user: User, lifetime: dt.timedelta) -> str:
    """A new server-side sign-in lasting ``lifetime`` at most; returns the id the cookie carries.

    The account's ended and expired sign-ins are cleared out on the way.
    """
    moment = now()
    session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id, or_(UserSession.ended_at.is_not(None), UserSession.expires_at <= moment)
        )
    )
    raw = secrets.token_urlsafe(32)
    session.add(UserSession(user_id=user.id, token_hash=hash_secret(raw), expires_at=moment + lifetime))
    session.flush()
    return raw


def user_for_session(session: DbSession, user_id: int, nonce: str, raw: str) -> User | None:
    """The account of a live sign-in: not signed out, not past its limit, password unchanged, not disabled."""
    user = session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            User.id == user_id,
            UserSession.token_hash == hash_secret(raw),
            UserSession.ended_at.is_(None),
            UserSession.expires_at > now(),
        )
    )
    if user is None or user.disabled or user.session_nonce != nonce:
        return None
    return user


def end_session(session: DbSession, raw: str) -> None:
    """Sign out: the sign-in ends on the server, so no copy of the cookie opens anything again."""
    session.execute(
        update(UserSession)
        .where(UserSession.token_hash == hash_secret(raw), UserSession.ended_at.is_(None))
        .values(ended_at=now())
    )


def users(session: DbSession) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def api_tokens(session: DbSession, user: User) -> list[ApiToken]:
    """The user's tokens, revoked ones included, newest first."""
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())))


def api_token_of(session: DbSession, user: User, token_id: int) -> ApiToken | None:
    """The user's token ``token_id``; None for another person's, so a guessed id reveals nothing."""
    token = session.get(ApiToken, token_id)
    return token if token is not None and token.user_id == user.id else None


def revoke_api_token(token: ApiToken) -> None:
    if token.revoked_at is None:  # the first revocation's time stands
        token.revoked_at = now()


def create_api_token(session: DbSession, user: User, name: str) -> tuple[str, ApiToken]:
    name = name.strip()
    if not name or len(name) > limits.NAME:
        raise AccountError(f"Give the token a name of 1 to {limits.NAME} characters.")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_secret(raw), prefix=raw[:10])
    session.add(token)
    session.flush()
    return raw, token


def user_for_api_token(session: DbSession, raw: str) -> User | None:
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_secret(raw)))
    if token is None or token.revoked_at is not None or token.user.disabled:
        return None
    token.last_used_at = now()
    return token.user
