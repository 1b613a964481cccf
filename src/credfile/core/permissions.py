"""The one place that decides who may do what with which credit file, and which part of it.

Every page, API endpoint, export and command obtains customers through
``customer_scope(user, action, section=…)``; nothing fetches a credit file, or a record kept
in one, without it. Role decisions compare ``Role`` members here and nowhere else. The policy
is written out in docs/permissions.md, whose matrices the tests read.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import BooleanField, Case, Q, Value, When

from credfile.accounts.choices import Role

NOTHING = Q(pk__in=[])
EVERYTHING = Q()


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    CHANGE = "change"
    DELETE = "delete"
    # A person's data export (in clear) and showing sealed values in clear.
    EXPORT = "export"
    REVEAL = "reveal"
    # The credit report: whoever views the file, showing only the sections they may see.
    REPORT = "report"


class Section(StrEnum):
    """The parts of a credit file. A usage grant names any but the last two."""

    BASIC = "basic"
    CONTACTS = "contacts"
    FINANCIALS = "financials"
    TRANSACTIONS = "transactions"
    SERVICES = "services"
    NOTES = "notes"
    REVIEWS = "reviews"
    RATINGS = "ratings"
    RISK = "risk"
    LIMITS = "limits"
    DOCUMENTS = "documents"
    COMPLAINTS = "complaints"
    SURVEYS = "surveys"
    EVENTS = "events"
    # Reached through the role only: consent records and the file's past are not lent.
    CONSENTS = "consents"
    HISTORY = "history"


# An archived file is read only (docs/archive.md): no write reaches it, whoever asks.
_WRITES = frozenset({Action.CREATE, Action.CHANGE, Action.DELETE})
ARCHIVED_STATUS = "archived"


def _not_archived(prefix: str) -> Q:
    return ~Q(**{f"{prefix}status": ARCHIVED_STATUS})


ALL_SECTIONS = frozenset(Section)
GRANTABLE_SECTIONS = ALL_SECTIONS - {Section.CONSENTS, Section.HISTORY}

# Roles that read every file across departments (to rate, to approve, to audit).
_READ_ALL = frozenset({Role.CREDIT_MANAGER, Role.EXECUTIVE, Role.AUDITOR})
# Roles that work the files of one department.
_DEPARTMENT_ROLES = frozenset({Role.ACCOUNT_MANAGER, Role.DEPARTMENT_HEAD})


def _active(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def customer_scope(
    user: Any,
    action: Action,
    *,
    prefix: str = "",
    grants: bool = True,
    section: Section | str | None = None,
) -> Q:
    """A filter selecting the customers `user` may act on; `prefix` for related lookups.

    Viewing (and the report) also reaches the files of the user's active grants (approved
    usage applications) unless `grants=False`: with `section`, only grants that name it;
    without, any grant (the file's code, name and owner, to find it). Role access covers
    every section.
    """
    if not _active(user):
        return NOTHING
    scope = _role_scope(user, action, prefix)
    if action in _WRITES and scope is not NOTHING:
        scope = scope & _not_archived(prefix)
    lendable = section is None or Section(section) in GRANTABLE_SECTIONS
    if action in {Action.VIEW, Action.REPORT} and grants and lendable and scope is not EVERYTHING:
        granted = _granted(user, prefix, section)
        if granted is not NOTHING:
            scope = granted if scope is NOTHING else scope | granted
    return scope


def record_scope(user: Any, section: Section | str, *, prefix: str = "customer__") -> Q:
    """A filter over the records kept in files (contacts, invoices, …) of one section."""
    return customer_scope(user, Action.VIEW, prefix=prefix, section=section)


def _grants_in_force(user: Any) -> list[tuple[int, list[str]]]:
    """(customer id, sections) of the user's grants in force: a short list, read once."""
    # Imported here: the access app's models import the customers app, which imports this.
    from credfile.access.selectors import active_grants
    from credfile.core.middleware import current_request_context

    context = current_request_context()
    key = ("grants", user.pk)
    if context is not None and key in context.memo:
        cached: list[tuple[int, list[str]]] = context.memo[key]
        return cached
    grants = list(active_grants(user=user).values_list("customer_id", "sections")[:10_000])
    if context is not None:
        context.memo[key] = grants
    return grants


def _granted(user: Any, prefix: str, section: Section | str | None) -> Q:
    """The files of the user's grants in force (naming `section`), as a short list of ids.

    A list rather than a subquery: most users hold no grant, and an OR with a subquery keeps
    SQLite from walking the list's index in order (a 100,000-row sort per page).
    """
    ids = [
        customer_id
        for customer_id, sections in _grants_in_force(user)
        if section is None or str(section) in (sections or [])
    ]
    if not ids:
        return NOTHING
    return Q(**{f"{prefix}pk__in": ids})


def _role_rule(user: Any, action: Action) -> str:
    """Which files the role reaches for `action`: "all", "dept" (the user's department),
    "own" (the department's files the user manages) or "none". The one rule, read both as
    a query filter (`_role_scope`) and against a loaded file (`in_role_scope`)."""
    role = user.role
    in_department = role in _DEPARTMENT_ROLES and user.department_id is not None
    if action in {Action.VIEW, Action.REPORT}:
        if role in _READ_ALL:
            return "all"
        return "dept" if in_department else "none"
    if action in {Action.REVEAL, Action.EXPORT}:
        # Whoever works the file in its own department; never through a grant.
        return "dept" if in_department else "none"
    if action in {Action.CREATE, Action.CHANGE}:
        if role == Role.DEPARTMENT_HEAD and user.department_id:
            return "dept"
        if role == Role.ACCOUNT_MANAGER and user.department_id:
            return "own"
        return "none"
    if action == Action.DELETE and role == Role.DEPARTMENT_HEAD and user.department_id:
        return "dept"
    return "none"


def _role_scope(user: Any, action: Action, prefix: str) -> Q:
    rule = _role_rule(user, action)
    dept = Q(**{f"{prefix}department_id": user.department_id})
    if rule == "all":
        return EVERYTHING
    if rule == "dept":
        return dept
    if rule == "own":
        return dept & Q(**{f"{prefix}account_manager_id": user.pk})
    return NOTHING


def in_role_scope(user: Any, action: Action, customer: Any) -> bool:
    """Whether a loaded file is inside the role's scope for `action` (grants aside): the
    same rule as the filter, without a query."""
    if not _active(user):
        return False
    if action in _WRITES and getattr(customer, "status", None) == ARCHIVED_STATUS:
        return False
    rule = _role_rule(user, action)
    if rule == "all":
        return True
    in_dept = customer.department_id == user.department_id
    if rule == "dept":
        return bool(in_dept)
    if rule == "own":
        return bool(in_dept and customer.account_manager_id == user.pk)
    return False


def scope_flag(scope: Q) -> Any:
    """The scope as a boolean column, to learn in the same query whether a row is inside it."""
    if scope is EVERYTHING:
        return Value(True)
    if scope is NOTHING:
        return Value(False)
    return Case(When(scope, then=Value(True)), default=Value(False), output_field=BooleanField())


# --- one file: how the user reaches it ---------------------------------------------------------


@dataclass(frozen=True)
class FileAccess:
    """How a user reaches one file: through their role (every section) or through grants
    (the sections they name, read only), and what else they may do with it."""

    grant: Any  # the grant in force that the use is recorded under, or None
    sections: frozenset[str]
    grants: tuple[Any, ...] = ()  # every grant in force on the file, latest ending first
    can_change: bool = False
    can_delete: bool = False
    can_reveal: bool = False

    @property
    def via_grant(self) -> bool:
        return self.grant is not None

    def sees(self, section: Section | str) -> bool:
        return str(section) in self.sections


def access_annotations(user: Any) -> dict[str, Any]:
    """Columns that carry the user's rights on each file, computed in the file's own query."""
    return {
        "in_role_scope": scope_flag(customer_scope(user, Action.VIEW, grants=False)),
        "may_change": scope_flag(customer_scope(user, Action.CHANGE)),
        "may_delete": scope_flag(customer_scope(user, Action.DELETE)),
        "may_reveal": scope_flag(customer_scope(user, Action.REVEAL)),
    }


def file_access(*, user: Any, customer: Any) -> FileAccess | None:
    """The user's access to `customer`, from the columns of `access_annotations` when the
    row carries them (else computed); None when the user may not see the file at all."""
    if not hasattr(customer, "in_role_scope"):
        from credfile.customers.models import Customer

        annotations = access_annotations(user)
        row: Any = (
            Customer.objects.filter(pk=customer.pk)
            .annotate(**annotations)
            .values(*annotations)
            .first()
        )
        if row is None:
            return None
        for name, value in row.items():
            setattr(customer, name, value)
    if customer.in_role_scope:
        return FileAccess(
            grant=None,
            sections=ALL_SECTIONS,
            can_change=bool(customer.may_change),
            can_delete=bool(customer.may_delete),
            can_reveal=bool(customer.may_reveal),
        )
    if not _active(user):
        return None
    from credfile.access.selectors import active_grants

    grants = list(active_grants(user=user).filter(customer_id=customer.pk).order_by("-valid_until"))
    if not grants:
        return None
    sections = frozenset(s for g in grants for s in (g.sections or [])) & GRANTABLE_SECTIONS
    # Sealed values stay masked for a granted user: the grant is for a purpose, not a copy.
    return FileAccess(
        grant=grants[0], sections=frozenset(str(s) for s in sections), grants=tuple(grants)
    )


def grant_for_section(access: FileAccess, section: Section | str | None) -> Any:
    """The grant in force under which a section of the file is read (for the record)."""
    for grant in access.grants:
        if section is None or str(section) in (grant.sections or []):
            return grant
    return access.grant


# --- questions without a file in them ------------------------------------------------------------


def role_needs_department(role: str) -> bool:
    """Account managers and department heads work in one department; others in none."""
    return role in _DEPARTMENT_ROLES


def role_administers(role: str) -> bool:
    """The administrator keeps the system (Django's staff and superuser flags), no files."""
    return role == Role.ADMIN


def can_set_password(actor: Any, *, user_id: Any) -> bool:
    """A password is set by its owner only (on the web): setting another's would let the
    setter sign in as them."""
    return bool(_active(actor) and str(actor.pk) == str(user_id))


def can_create_customer(user: Any) -> bool:
    return bool(_active(user) and user.department_id and user.role in _DEPARTMENT_ROLES)


def can_import(user: Any) -> bool:
    """Importing files opens credit files: whoever may open them, each row then placed as
    `may_place_file` allows (an account manager only into their own department)."""
    return can_create_customer(user)


def import_run_scope(user: Any) -> Q:
    """The imports a user may follow and confirm: their own, while they may import."""
    if not can_import(user):
        return Q(pk__in=[])
    return Q(user_id=user.pk)


def rating_scope(user: Any, *, prefix: str = "") -> Q:
    """The files a user may rate (propose a rating for): a credit manager any file, the
    department's people the files they may change. A proposal does not decide: see
    `rating_decide_scope`."""
    if not _active(user):
        return NOTHING
    if user.role == Role.CREDIT_MANAGER:
        return _not_archived(prefix)
    return customer_scope(user, Action.CHANGE, prefix=prefix)


def can_rate_in_batch(user: Any) -> bool:
    """Re-rating every file (`credfile rate --all`) is the credit department's."""
    return _active(user) and user.role == Role.CREDIT_MANAGER


def rating_decide_scope(user: Any, *, prefix: str = "") -> Q:
    """The rating proposals a user may approve or reject: a credit manager's, on any file,
    except their own (maker ≠ checker)."""
    if not (_active(user) and user.role == Role.CREDIT_MANAGER):
        return NOTHING
    return Q(**{f"{prefix}status": "proposed"}) & ~Q(**{f"{prefix}proposed_by_id": user.pk})


def rating_waiting_scope(user: Any) -> Q:
    """Proposals waiting for approval a user may list: a credit manager all of them, anyone
    else those they proposed on files they still see."""
    waiting = Q(status="proposed")
    if not _active(user):
        return NOTHING
    if user.role == Role.CREDIT_MANAGER:
        return waiting
    return (
        waiting
        & Q(proposed_by_id=user.pk)
        & customer_scope(user, Action.VIEW, prefix="customer__", section=Section.RATINGS)
    )


def limit_request_scope(user: Any, *, prefix: str = "") -> Q:
    """The files a user may ask a credit limit for: whoever may rate them (`rating_scope`)."""
    return rating_scope(user, prefix=prefix)


def limit_decide_scope(user: Any, *, prefix: str = "") -> Q:
    """The limit requests a user may approve or reject: a credit manager those up to the
    threshold (approver role credit manager), the executive any; never one's own request."""
    if not _active(user):
        return NOTHING
    if user.role == Role.EXECUTIVE:
        roles = [Role.CREDIT_MANAGER, Role.EXECUTIVE]
    elif user.role == Role.CREDIT_MANAGER:
        roles = [Role.CREDIT_MANAGER]
    else:
        return NOTHING
    return (
        Q(**{f"{prefix}status": "pending"})
        & Q(**{f"{prefix}approver_role__in": [str(r) for r in roles]})
        & ~Q(**{f"{prefix}requested_by_id": user.pk})
    )


def can_see_exposure_refusals(user: Any) -> bool:
    """The list of refused orders across files: the credit department and the executive."""
    return _active(user) and user.role in {Role.CREDIT_MANAGER, Role.EXECUTIVE}


def can_manage_groups(user: Any) -> bool:
    """Customer groups (集团客户): a credit manager opens a group, adds and removes its
    members and asks for its limit (decided as any limit request, `limit_decide_scope`)."""
    return _active(user) and user.role == Role.CREDIT_MANAGER


def can_see_groups(user: Any) -> bool:
    """The list of customer groups is there for whoever opens files; each user finds in it
    the groups of `group_scope`."""
    return can_open_files(user)


def group_member_scope(user: Any, *, prefix: str = "") -> Q:
    """A filter over group memberships: those of the files whose limits the user may view
    (by role, or under a grant naming the limits section). Members outside it are never
    named."""
    return customer_scope(user, Action.VIEW, prefix=f"{prefix}customer__", section=Section.LIMITS)


def group_scope(user: Any, *, prefix: str = "") -> Q:
    """The customer groups a user may see: every group for the roles that read every file,
    else the groups with a member in `group_member_scope`. The group's totals (exposure,
    limit) are the group's, shown with it; its other members are not."""
    files = customer_scope(user, Action.VIEW, section=Section.LIMITS)
    if files is EVERYTHING or files is NOTHING:
        return files
    # Imported here: the limits app's models import the customers app, which imports this.
    from credfile.limits.models import GroupMember

    members = GroupMember.objects.filter(group_member_scope(user)).values("group_id")
    return Q(**{f"{prefix}pk__in": members})


def can_count_group_outsiders(user: Any) -> bool:
    """Whether a group page says how many members lie outside the user's files ("N other
    members outside your files"): for the roles that work files by department, so they know
    the group's totals cover more than they see. The count names nobody; the roles that
    read every file have no member outside."""
    return bool(
        _active(user)
        and user.role in _DEPARTMENT_ROLES
        and role_reads_files(user.role, user.department_id)
    )


def can_manage_scorecards(user: Any) -> bool:
    """Drafting card versions, fitting statistical cards on uploaded data and keeping the
    industry-risk table: credit managers."""
    return _active(user) and user.role == Role.CREDIT_MANAGER


def can_see_scorecard_stability(user: Any) -> bool:
    """The monthly stability report of the cards in use (score distributions, no file):
    credit managers and the executive."""
    return _active(user) and user.role in {Role.CREDIT_MANAGER, Role.EXECUTIVE}


def scorecard_publish_scope(user: Any) -> Q:
    """The card versions waiting that a user may publish: a credit manager's, never their
    own draft (maker ≠ checker)."""
    if not can_manage_scorecards(user):
        return NOTHING
    return Q(status="pending") & ~Q(created_by_id=user.pk)


def can_decide_ratings(user: Any) -> bool:
    return _active(user) and user.role == Role.CREDIT_MANAGER


def is_account_manager(user: Any) -> bool:
    """Account managers open and change only the files they manage themselves."""
    return bool(_active(user) and user.role == Role.ACCOUNT_MANAGER)


def may_place_file(user: Any, *, department_id: int | None, account_manager_id: int | None) -> str:
    """Whether `user` may put a file in this department with this manager: "" if so, else
    the field that is refused ("department" or "account_manager")."""
    if user.role == Role.DEPARTMENT_HEAD and department_id != user.department_id:
        return "department"
    if user.role == Role.ACCOUNT_MANAGER and (
        department_id != user.department_id or account_manager_id != user.pk
    ):
        return "account_manager"
    return ""


def can_decide_usage_applications(user: Any) -> bool:
    """The company head (公司负责人) decides usage applications; never their own (the
    application's own check)."""
    return bool(_active(user) and user.role == Role.EXECUTIVE)


def can_see_all_usage_applications(user: Any) -> bool:
    return bool(_active(user) and user.role in {Role.EXECUTIVE, Role.AUDITOR})


def can_decide_changes(user: Any) -> bool:
    """Whether the user may ever decide a change request (the queue's "decide" tab)."""
    return bool(_active(user) and user.role in {Role.DEPARTMENT_HEAD, Role.EXECUTIVE})


def change_decide_scope(user: Any, *, prefix: str = "") -> Q:
    """The change requests `user` may approve or reject, as a filter over change requests.

    A department head of the file's department, never the maker; a department head's own
    request also by an executive (the one check on a head); nobody else.
    """
    if not _active(user):
        return NOTHING
    not_own = ~Q(**{f"{prefix}maker_id": user.pk})
    if user.role == Role.DEPARTMENT_HEAD and user.department_id:
        return Q(**{f"{prefix}customer__department_id": user.department_id}) & not_own
    if user.role == Role.EXECUTIVE:
        return (
            Q(**{f"{prefix}maker__role": Role.DEPARTMENT_HEAD, f"{prefix}customer__isnull": False})
            & not_own
        )
    return NOTHING


def is_department_head(user: Any) -> bool:
    """Department heads are the checkers of their department (and the escalation target)."""
    return bool(user is not None and user.role == Role.DEPARTMENT_HEAD)


def department_heads_of_any() -> Q:
    """A filter over users: the department heads (of whichever department)."""
    return Q(role=Role.DEPARTMENT_HEAD)


def department_heads(department_id: int | None) -> Q:
    """A filter over users: the department heads of a department."""
    return Q(role=Role.DEPARTMENT_HEAD, department_id=department_id)


def change_deciders(*, department_id: int | None, maker: Any) -> Q:
    """A filter over users: who may decide a request of `maker` about a file of the
    department (to notify them)."""
    who = department_heads(department_id)
    if maker.role == Role.DEPARTMENT_HEAD:
        who |= Q(role=Role.EXECUTIVE)
    return who


def can_audit(user: Any) -> bool:
    """Auditors (and the administrator, who keeps the system) read the audit trail."""
    return bool(_active(user) and getattr(user, "role", None) in {Role.AUDITOR, Role.ADMIN})


def can_verify_audit_chain(user: Any) -> bool:
    """Auditors recompute the whole chain from the page (a long read of every event); the
    administrator runs `credfile audit verify` on the server instead."""
    return bool(_active(user) and getattr(user, "role", None) == Role.AUDITOR)


def can_see_inspections(user: Any) -> bool:
    """Auditors and the administrator read the archive's integrity inspections."""
    return bool(_active(user) and getattr(user, "role", None) in {Role.AUDITOR, Role.ADMIN})


def can_run_inspection(user: Any) -> bool:
    """Auditors and the administrator start an integrity inspection from the page."""
    return bool(_active(user) and getattr(user, "role", None) in {Role.AUDITOR, Role.ADMIN})


def usage_application_file_scope(user: Any) -> Q:
    """A filter over usage applications: those whose file's name, owning department and
    page the user may see (a decider reads every file; an applicant only through a grant)."""
    return customer_scope(user, Action.VIEW, prefix="customer__")


def can_open_files(user: Any) -> bool:
    """Whether the user's role opens any credit file at all (links to files are shown)."""
    return bool(
        _active(user)
        and (user.role in _READ_ALL or (user.role in _DEPARTMENT_ROLES and user.department_id))
    )


def can_see_portfolio(user: Any) -> bool:
    """Whether the user sees the receivables portfolio (ageing over many files): the credit
    manager and the executive over all files, a department head over the department's."""
    if not _active(user):
        return False
    if user.role in {Role.CREDIT_MANAGER, Role.EXECUTIVE}:
        return True
    return bool(user.role == Role.DEPARTMENT_HEAD and user.department_id)


def portfolio_scope(user: Any, *, prefix: str = "customer__") -> Q:
    """The files in the user's receivables portfolio: the role's view scope without grants
    (a grant lends one file to look at, not to be counted in a portfolio)."""
    if not can_see_portfolio(user):
        return NOTHING
    return _role_scope(user, Action.VIEW, prefix)


def can_manage_review_policies(user: Any) -> bool:
    return bool(_active(user) and user.role in {Role.CREDIT_MANAGER, Role.ADMIN})


def review_queue_filter(user: Any) -> Q:
    """Which review states a user's queue holds, beyond the view scope: a department head
    their department, an account manager their own files, the company-wide roles all."""
    if user.role == Role.DEPARTMENT_HEAD:
        return Q(department_id=user.department_id)
    if user.role == Role.ACCOUNT_MANAGER:
        return Q(account_manager_id=user.pk, customer__account_manager_id=user.pk)
    return EVERYTHING


def can_manage_risk_rules(user: Any) -> bool:
    """The risk rules (what puts a file on the watch list, blocks credit, brings a review
    forward) are the credit department's: a credit manager reads and changes them."""
    return bool(_active(user) and user.role == Role.CREDIT_MANAGER)


def can_see_watch_list(user: Any) -> bool:
    """The watch list is there for credit managers and executives (every file) and for a
    department head (the department's)."""
    return can_see_portfolio(user)


def watch_list_scope(user: Any, *, prefix: str = "customer__") -> Q:
    """The files whose watch entries the user's watch list holds: the role's view scope
    without grants (a grant lends one file to read, not a place on a work list)."""
    if not can_see_watch_list(user):
        return NOTHING
    return _role_scope(user, Action.VIEW, prefix)


# The roles that follow up unpaid bills: who chases them, and who manages credit.
_COLLECTING = frozenset(
    {Role.ACCOUNT_MANAGER, Role.DEPARTMENT_HEAD, Role.CREDIT_MANAGER, Role.EXECUTIVE}
)


def can_see_overdue_list(user: Any) -> bool:
    """Whether the overdue list (and its exports) is there for the user at all: a work list
    of the collecting roles; an auditor reads the files and the trail instead."""
    return bool(
        _active(user)
        and user.role in _COLLECTING
        and role_reads_files(user.role, user.department_id)
    )


def overdue_list_scope(user: Any, *, prefix: str = "") -> Q:
    """The files whose overdue invoices the user's overdue list holds: the role's view scope
    without grants, narrowed as the work is shared out — an account manager the files they
    manage, a department head the department, credit managers and executives every file."""
    if not can_see_overdue_list(user):
        return NOTHING
    scope = customer_scope(user, Action.VIEW, prefix=prefix, grants=False)
    if user.role == Role.ACCOUNT_MANAGER:
        return scope & Q(**{f"{prefix}account_manager_id": user.pk})
    return scope


def can_export_files(user: Any) -> bool:
    """Whether the exports of the customer list, invoices and payments (in the import's
    columns) are there for the user: the roles that work the files. An auditor reads the
    files and exports the trail instead; the administrator reaches no file."""
    return bool(
        _active(user)
        and user.role in _COLLECTING
        and role_reads_files(user.role, user.department_id)
    )


def file_export_scope(user: Any, *, prefix: str = "") -> Q:
    """The files whose rows such an export holds: the role's view scope without grants (a
    grant lends a file to look at, for a purpose, never for a copy)."""
    if not can_export_files(user):
        return NOTHING
    return customer_scope(user, Action.VIEW, prefix=prefix, grants=False)


def can_reveal_in_exports(user: Any) -> bool:
    """Whether the user's role holds the reveal right on any file, so that an export may
    show sealed values in clear (each file's own right still decides, row by row)."""
    return can_export_files(user) and _role_rule(user, Action.REVEAL) != "none"


# --- Accounts: privilege changes and API tokens ----------------------------------------------
# Who may decide a change of someone's role or department, and which changes need a decision.
# Roles are compared as `Role` members; the accounts services and pages only ask these.


def role_reads_files(role: str, department_id: int | None) -> bool:
    """Whether an active account with this role and department reaches any credit file:
    the department roles through their department, the others across departments; the
    administrator's role reaches none."""
    if Role(role) in _READ_ALL:
        return True
    return Role(role) in _DEPARTMENT_ROLES and department_id is not None


def raises_privilege(
    *,
    before_role: str,
    after_role: str,
    before_department_id: int | None,
    after_department_id: int | None,
    before_active: bool,
    after_active: bool,
) -> bool:
    """A change that needs an executive's approval: any change of role or department, and
    activating (or creating) an account whose role reads credit files."""
    if Role(before_role) != Role(after_role) or before_department_id != after_department_id:
        return True
    return not before_active and after_active and role_reads_files(after_role, after_department_id)


def decides_privilege_changes(actor: Any) -> bool:
    """Active executives are the checkers of privilege changes; nobody else ever is."""
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.is_active
        and actor.role == Role.EXECUTIVE
    )


def can_decide_privilege_change(actor: Any, *, user_id: int, requested_by_id: int) -> bool:
    """An active executive decides, never the one who asked and never about their own
    account. The administrator (who makes these changes) is never the checker."""
    return decides_privilege_changes(actor) and actor.pk != requested_by_id and actor.pk != user_id


def can_see_privilege_changes(actor: Any) -> bool:
    """Executives decide them, auditors review them, administrators follow their own."""
    return bool(
        actor is not None
        and actor.is_authenticated
        and actor.role in {Role.EXECUTIVE, Role.AUDITOR, Role.ADMIN}
    )


def sees_all_privilege_changes(actor: Any) -> bool:
    """Executives (who decide) and auditors see every request; an administrator only his own."""
    return bool(can_see_privilege_changes(actor) and actor.role in {Role.EXECUTIVE, Role.AUDITOR})


def can_manage_api_token(actor: Any, *, owner_id: int) -> bool:
    """A token is seen and revoked by its owner only: not even an administrator sees or
    makes another user's token, so nobody acts in someone else's name."""
    return bool(actor is not None and actor.is_authenticated and actor.pk == owner_id)


# --- open orders and blocked credit (docs/limits.md) -------------------------------------------


def open_order_scope(user: Any, *, prefix: str = "") -> Q:
    """The files whose open orders a user may record and close (an ERP's orders, the page's
    form): whoever may ask a limit for them (`limit_request_scope`). Reading them is the
    limits section's view scope."""
    return limit_request_scope(user, prefix=prefix)


def limit_block_scope(user: Any, *, prefix: str = "") -> Q:
    """The credit limits under which a user may block (or unblock) credit: the limits in
    force, for a credit manager and the executive (`can_see_exposure_refusals`)."""
    if not can_see_exposure_refusals(user):
        return NOTHING
    return Q(**{f"{prefix}status": "active"})


# --- the archive: retention schedule, life cycle, legal holds (docs/archive.md) ----------------


def can_propose_retention_rules(user: Any) -> bool:
    """The retention schedule is kept by the administrators: they propose new rules and
    changes, which wait for approval."""
    return bool(_active(user) and user.role == Role.ADMIN)


def can_see_retention_rules(user: Any) -> bool:
    """The schedule (rules with their legal basis) is read by whoever works with the archive:
    administrators, department heads, executives and auditors."""
    return bool(
        _active(user)
        and user.role in {Role.ADMIN, Role.DEPARTMENT_HEAD, Role.EXECUTIVE, Role.AUDITOR}
    )


def retention_decide_scope(user: Any, *, prefix: str = "") -> Q:
    """The rule changes a user may approve or reject: another administrator's, or any, for
    an administrator or a department head — never one's own proposal (maker ≠ checker)."""
    if not (_active(user) and user.role in {Role.ADMIN, Role.DEPARTMENT_HEAD}):
        return NOTHING
    return Q(**{f"{prefix}status": "pending"}) & ~Q(**{f"{prefix}proposed_by_id": user.pk})


def can_decide_retention_rules(user: Any) -> bool:
    return retention_decide_scope(user) is not NOTHING


def lifecycle_scope(user: Any, *, prefix: str = "") -> Q:
    """The files a user may settle, archive and place or lift a legal hold on: a department
    head, the department's files."""
    if not (_active(user) and user.role == Role.DEPARTMENT_HEAD and user.department_id):
        return NOTHING
    return Q(**{f"{prefix}department_id": user.department_id})


def destruction_scope(user: Any, *, prefix: str = "customer__") -> Q:
    """The destruction items a user may approve, and the files whose deletion request
    (PIPL) a user may record: a department head, the department's files (`lifecycle_scope`)."""
    return lifecycle_scope(user, prefix=prefix)


def can_approve_destruction(user: Any) -> bool:
    return lifecycle_scope(user) is not NOTHING


def can_see_certificates(user: Any) -> bool:
    """Destruction certificates: whoever sees the lists they come from."""
    return can_see_due_list(user)


def certificate_scope(user: Any) -> Q:
    """The certificates a user reads: a department head the department's, executives and
    auditors every one. A certificate holds no data of the destroyed record."""
    if not can_see_certificates(user):
        return NOTHING
    if user.role == Role.DEPARTMENT_HEAD:
        return Q(department_id=user.department_id)
    return Q()


def can_see_due_list(user: Any) -> bool:
    """The list of what has fallen due for destruction: department heads (their
    department's), executives and auditors (every file)."""
    return bool(
        _active(user)
        and (
            (user.role == Role.DEPARTMENT_HEAD and user.department_id)
            or user.role in {Role.EXECUTIVE, Role.AUDITOR}
        )
    )


def due_list_scope(user: Any, *, prefix: str = "customer__") -> Q:
    """The items of the destruction lists a user sees: the role's view scope, no grants."""
    if not can_see_due_list(user):
        return NOTHING
    return _role_scope(user, Action.VIEW, prefix)


# --- complaints (credfile.complaints) ------------------------------------------------------------


def complaint_record_scope(user: Any, *, prefix: str = "") -> Q:
    """The files on which the user may record a complaint: whoever may add records to them."""
    return customer_scope(user, Action.CREATE, prefix=prefix)


def complaint_change_scope(user: Any, *, prefix: str = "") -> Q:
    """The complaints whose status the user may move on: their owner (while the file is in
    the owner's view through the role) and a department head of the file's department.
    Never on an archived file."""
    if not _active(user):
        return NOTHING
    files = f"{prefix}customer__"
    owner = Q(**{f"{prefix}owner_id": user.pk}) & _role_scope(user, Action.VIEW, files)
    if user.role == Role.DEPARTMENT_HEAD and user.department_id:
        owner |= Q(**{f"{files}department_id": user.department_id})
    elif _role_rule(user, Action.VIEW) == "none":
        return NOTHING
    return owner & _not_archived(files)


def can_see_complaint_list(user: Any) -> bool:
    """The open-complaint list is a work list of the roles that work with customers: an
    auditor reads the files and the trail instead; the administrator reaches no file."""
    return bool(
        _active(user)
        and user.role in _COLLECTING
        and role_reads_files(user.role, user.department_id)
    )


def complaint_list_scope(user: Any, *, prefix: str = "customer__") -> Q:
    """The files whose open complaints the list holds: the role's view scope without grants,
    narrowed as the work is shared out — an account manager the files they manage, a
    department head the department, credit managers and executives every file."""
    if not can_see_complaint_list(user):
        return NOTHING
    scope = customer_scope(user, Action.VIEW, prefix=prefix, grants=False)
    if user.role == Role.ACCOUNT_MANAGER:
        return scope & Q(**{f"{prefix}account_manager_id": user.pk})
    return scope


def can_manage_complaint_deadlines(user: Any) -> bool:
    """The hours to resolve a complaint per severity are set by administrators."""
    return bool(_active(user) and user.role == Role.ADMIN)


# --- satisfaction surveys (credfile.surveys) -----------------------------------------------------


def survey_record_scope(user: Any, *, prefix: str = "") -> Q:
    """The files on which the user may record or send a survey: whoever may add records to
    them, as for service records."""
    return customer_scope(user, Action.CREATE, prefix=prefix)


def can_see_surveys(user: Any) -> bool:
    """The surveys pages (questionnaires, scores): whoever reaches files through the role;
    the administrator reaches none."""
    return bool(_active(user) and role_reads_files(user.role, user.department_id))


def survey_score_scope(user: Any, *, prefix: str = "customer__") -> Q:
    """The files whose answers count in the user's scores page: the role's view scope
    without grants (a grant lends one file's section, not a share of a department's
    figures) — a department's people their department, the company-wide roles every file."""
    if not can_see_surveys(user):
        return NOTHING
    return customer_scope(user, Action.VIEW, prefix=prefix, grants=False)


def can_manage_questionnaires(user: Any) -> bool:
    """Questionnaires and their questions are kept by department heads and credit managers."""
    return bool(
        _active(user)
        and (
            (user.role == Role.DEPARTMENT_HEAD and user.department_id)
            or user.role == Role.CREDIT_MANAGER
        )
    )


# --- home pages (credfile.home) ------------------------------------------------------------------

# What each role's home page shows, in order: the role's own work first, then its figures.
# Each panel's figures come from the selectors of the list it links to, under that list's
# own scope, so a panel never shows more than the list would.
_HOME_PANELS: dict[Role, tuple[str, ...]] = {
    Role.ACCOUNT_MANAGER: ("followups", "reviews", "complaints", "my_changes"),
    Role.DEPARTMENT_HEAD: (
        "approvals",
        "receivables",
        "followups",
        "reviews",
        "complaints",
        "watch_list",
    ),
    Role.CREDIT_MANAGER: (
        "credit_work",
        "receivables",
        "by_department",
        "by_industry",
        "grades",
        "value_matrix",
        "watch_list",
        "limits_expiring",
    ),
    Role.EXECUTIVE: (
        "usage_applications",
        "approvals",
        "receivables",
        "by_department",
        "grades",
        "watch_list",
    ),
    Role.AUDITOR: ("audit_chain", "reveals"),
}


def home_panels(user: Any) -> tuple[str, ...]:
    """The panels of the user's home page (`/`), by role: an account manager's work, a
    department head's approvals and department, the credit manager's portfolio, the
    executive's applications and the company, the auditor's chain and reveals. A department
    role without a department, and the administrator, get none."""
    if not _active(user) or not role_reads_files(user.role, user.department_id):
        return ()
    return _HOME_PANELS.get(Role(user.role), ())


# --- reports (credfile.reports) ------------------------------------------------------------------


def file_report_scope(user: Any, *, prefix: str = "") -> Q:
    """The files whose PDF report (the credit file printed) the user may take: the role's
    view scope without grants — a grant lends a file to look at, for a purpose, never a copy
    to take away. The report shows what the file page shows, masked the same way."""
    return customer_scope(user, Action.VIEW, prefix=prefix, grants=False)


def can_print_file_report(user: Any, customer: Any) -> bool:
    """Whether a loaded file's PDF report is the user's (the rule of `file_report_scope`)."""
    return in_role_scope(user, Action.VIEW, customer)


def can_see_portfolio_report(user: Any) -> bool:
    """The portfolio summary PDF is the receivables portfolio's: the credit manager and the
    executive over every department, a department head over the department."""
    return can_see_portfolio(user)


def portfolio_report_scope(user: Any, *, prefix: str = "") -> Q:
    """The files the portfolio summary counts: those of `portfolio_scope`."""
    if not can_see_portfolio_report(user):
        return NOTHING
    return portfolio_scope(user, prefix=prefix)


# --- customer events (credfile.events) -----------------------------------------------------------


def can_see_events(user: Any) -> bool:
    """The events list: whoever reads files through their role (an account manager or head
    in a department, credit managers, executives, auditors); the administrator reaches none."""
    return bool(_active(user) and role_reads_files(user.role, user.department_id))


def event_scope(user: Any, *, prefix: str = "") -> Q:
    """The events one sees: the department's own for its people, every event for the roles
    that read every file. Invitations on them show only the files one may see
    (`record_scope(user, Section.EVENTS)`)."""
    if not can_see_events(user):
        return NOTHING
    if user.role in _READ_ALL:
        return EVERYTHING
    return Q(**{f"{prefix}department_id": user.department_id})


def event_view_scope(user: Any) -> Q:
    """The events whose page one may open: those of `event_scope`, and an event one of whose
    invitations one sees on a file (a usage grant naming the events section included)."""
    from credfile.events.models import Invitation

    scope = event_scope(user)
    if scope is EVERYTHING or not _active(user):
        return scope
    invited = Invitation.objects.filter(record_scope(user, Section.EVENTS)).values("event_id")
    return scope | Q(pk__in=invited)


def can_organise_events(user: Any) -> bool:
    """Account managers and department heads organise their department's events, as they
    keep its service records; the roles that read across departments change nothing."""
    return bool(_active(user) and user.role in _DEPARTMENT_ROLES and user.department_id is not None)


def event_change_scope(user: Any, *, prefix: str = "") -> Q:
    """The events one may edit, open, hold or cancel and invite to: the department's own."""
    if not can_organise_events(user):
        return NOTHING
    return Q(**{f"{prefix}department_id": user.department_id})


def invitation_create_scope(user: Any, *, prefix: str = "") -> Q:
    """The files one may invite to an event: whoever may add records to them (an account
    manager their own files, a head the department's), never an archived file."""
    return customer_scope(user, Action.CREATE, prefix=prefix)


def invitation_change_scope(user: Any, *, prefix: str = "") -> Q:
    """The invitations whose answer and attendance one records: on an event one may change,
    for a file one may change."""
    return event_change_scope(user, prefix=f"{prefix}event__") & customer_scope(
        user, Action.CHANGE, prefix=f"{prefix}customer__"
    )


# --- surveys about customer events (credfile.surveys on an event's page) -------------------------


def can_see_event_surveys(user: Any) -> bool:
    """The survey panel of an event's page (its responses, CSAT and NPS): whoever sees both
    the events and the surveys pages."""
    return can_see_events(user) and can_see_surveys(user)


def event_survey_scope(user: Any, *, prefix: str = "") -> Q:
    """The events whose survey figures one sees: those of `event_scope` (the department's
    own, or every event for the roles that read every file) — not an event reached through
    one file's grant, as a grant lends a file's section, not an event's figures. The answers
    counted are those of `survey_score_scope`."""
    if not can_see_event_surveys(user):
        return NOTHING
    return event_scope(user, prefix=prefix)


def can_send_event_surveys(user: Any) -> bool:
    """Sending a questionnaire to an event's attendees: whoever records surveys on the files
    of the event's department — its account managers and head, as for a single survey."""
    return bool(
        can_see_surveys(user) and user.role in _DEPARTMENT_ROLES and user.department_id is not None
    )


def event_survey_send_scope(user: Any, *, prefix: str = "") -> Q:
    """The events to whose attendees one may send a questionnaire: the department's own.
    Each attendee's file must still be one the sender may record a survey on
    (`survey_record_scope`: an account manager their own files, a head the department's);
    the others are left out and counted."""
    if not can_send_event_surveys(user):
        return NOTHING
    return Q(**{f"{prefix}department_id": user.department_id})
