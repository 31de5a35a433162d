"""The rows of the persona matrix, one per named URL (see tests/access.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.access import ANY_ROLE_IN_A, ANY_USER, KANSLI_OF_A


@dataclass(frozen=True)
class Row:
    expect: dict[str, int]
    kwargs: Callable[[dict], dict] = lambda w: {}
    # A URL that changes something when POSTed to: styrelse and revisor of A get 403,
    # kansli of B gets 404, anonymous goes to the login page, and nothing is recorded.
    writes: bool = False
    # Where an anonymous 302 goes when it is not the login page (a step of a login under way).
    anonymous_to: str = ""


OPERATOR_ONLY = {
    "kansli_a": 404,
    "styrelse_a": 404,
    "revisor_a": 404,
    "kansli_b": 404,
    "anonymous": 302,
}
EVERYONE_200 = {p: 200 for p in ("kansli_a", "styrelse_a", "revisor_a", "kansli_b", "anonymous")}
EVERYONE_302 = {p: 302 for p in ("kansli_a", "styrelse_a", "revisor_a", "kansli_b", "anonymous")}
# Logging in, asking for a code, signing up: a logged-in person is sent on to the start page.
BEFORE_LOGIN = {
    "kansli_a": 302,
    "styrelse_a": 302,
    "revisor_a": 302,
    "kansli_b": 302,
    "anonymous": 200,
}
# Adding or changing a second factor asks for the password again first (allauth's
# reauthentication); nobody sees the page straight away.
REAUTHENTICATE_FIRST = EVERYONE_302
# A factor the person does not have: not found; anonymous to the login page.
NONE_OF_YOURS = {
    "kansli_a": 404,
    "styrelse_a": 404,
    "revisor_a": 404,
    "kansli_b": 404,
    "anonymous": 302,
}
POST_ONLY = {p: 405 for p in ("kansli_a", "styrelse_a", "revisor_a", "kansli_b", "anonymous")}
# A download of a year whose utfall is not complete: back to the year's page (another förbund: 404).
YEAR_INCOMPLETE = {
    "kansli_a": 302,
    "styrelse_a": 302,
    "revisor_a": 302,
    "kansli_b": 404,
    "anonymous": 302,
}


def slug_a(w):
    return {"slug": w["forbund_a"].slug}


def role_a(w):
    # A role of förbund A: its kansli's, the first made.
    role = w["forbund_a"].memberships.order_by("pk").first()
    return {**slug_a(w), "pk": role.pk}


def plan_a(w):
    return {**slug_a(w), "pk": w["plan_a"].pk}


def section_a(w):
    return {**plan_a(w), "section_pk": w["section_a"].pk}


def pdf_a(w):
    return {**plan_a(w), "pdf_pk": w["pdf_a"].pk}


def statement_note_a(w):
    """A row of the plan's own in its balansbudget (made through the service, so recorded)."""
    from budgets.models import StatementNote
    from budgets.services_statement import statement_note_save

    plan = w["plan_a"]
    note = plan.statement_notes.first()
    if note is None:
        note = StatementNote(
            plan=plan, statement="balans", label="Ansvarsförbindelser", text="Inga"
        )
        if plan.is_editable:
            statement_note_save(note=note, acting_user=None)
        else:
            # An adopted plan's row, for the walk that posts to it and expects a refusal: the
            # service refuses to add it, as it should, so the test puts it there itself.
            note.save()
    return note


def line_a(w):
    return {**plan_a(w), "line_pk": w["line_a"].pk}


def insats_a(w):
    return {**plan_a(w), "insats_pk": w["insats_a"].pk}


def malgrupp_a(w):
    return {**plan_a(w), "malgrupp_pk": w["malgrupp_a"].pk}


def mal_a(w):
    return {**plan_a(w), "mal_pk": w["mal_a"].pk}


def followed_year_a(w):
    """A year of förbund A with an adopted plan to follow (2030: the world's draft is 2027)."""
    from followup.selectors import followed_plan
    from plans import services as plan_services
    from tests.helpers import adopt_plan

    forbund = w["forbund_a"]
    if followed_plan(forbund, 2030) is None:
        adopt_plan(plan_services.plan_create(forbund=forbund, acting_user=None, budget_year=2030))
    return {**slug_a(w), "year": 2030}


def prognos_a(w):
    """A prognos of that year, made through the service."""
    from followup import services
    from followup.models import Prognos
    from followup.selectors import follow_up, followed_plan

    kwargs = followed_year_a(w)
    prognos = Prognos.objects.filter(forbund=w["forbund_a"], year=2030).first()
    if prognos is None:
        follow = follow_up(followed_plan(w["forbund_a"], 2030), month=4)
        prognos = services.prognos_create(
            forbund=w["forbund_a"], year=2030, month=4, follow=follow, acting_user=None
        )
    return {**kwargs, "pk": prognos.pk}


def report_a(w):
    """A delårsrapport of that year per April, made through the service (a draft)."""
    from followup.models import Delarsrapport
    from followup.services_report import report_create

    kwargs = followed_year_a(w)
    report = Delarsrapport.objects.filter(forbund=w["forbund_a"], year=2030).first()
    if report is None:
        report = report_create(forbund=w["forbund_a"], year=2030, month=4, acting_user=None)
    return {**kwargs, "pk": report.pk}


def report_section_a(w):
    from followup.models import ReportSection

    return ReportSection.objects.filter(report_id=report_a(w)["pk"]).first().pk


def report_comment_a(w):
    """A comment on that report, written through the workflow by the kansli of A."""
    from followup.models import Delarsrapport
    from plans import workflow

    report = Delarsrapport.objects.get(pk=report_a(w)["pk"])
    comment = report.comments.first()
    if comment is None:
        kansli = w["forbund_a"].memberships.filter(role="kansli").first().user
        comment = workflow.comment_add(doc=report, acting_user=kansli, text="Synpunkt")
    return comment.pk


def mapping_a(w):
    """A row of förbund A's konto map, written through the service."""
    from followup import services
    from followup.models import KontoMapping, MappingTarget

    kwargs = followed_year_a(w)
    mapping = KontoMapping.objects.filter(forbund=w["forbund_a"]).first()
    if mapping is None:
        services.mapping_set(
            forbund=w["forbund_a"],
            rows=[services.MapRow(6990, 6990, MappingTarget.IGNORE, None)],
            refs=[],
            acting_user=None,
        )
        mapping = KontoMapping.objects.get(forbund=w["forbund_a"])
    return {**kwargs, "pk": mapping.pk}


ROWS: dict[str, Row] = {
    "start": Row(ANY_USER),
    "login": Row(
        {"kansli_a": 302, "styrelse_a": 302, "revisor_a": 302, "kansli_b": 302, "anonymous": 200}
    ),
    # Logging out is a POST; a GET is refused by Django's LogoutView.
    "logout": Row(
        {"kansli_a": 405, "styrelse_a": 405, "revisor_a": 405, "kansli_b": 405, "anonymous": 405}
    ),
    # For load balancers and the benchmark: open to all, nothing of a förbund in them.
    "health": Row(
        {p: 200 for p in ("kansli_a", "styrelse_a", "revisor_a", "kansli_b", "anonymous")}
    ),
    # Browsers ask for it on their own: a redirect to the static icon, for anybody.
    "favicon": Row(
        {p: 301 for p in ("kansli_a", "styrelse_a", "revisor_a", "kansli_b", "anonymous")}
    ),
    "health_db": Row(
        {p: 200 for p in ("kansli_a", "styrelse_a", "revisor_a", "kansli_b", "anonymous")}
    ),
    # Accounts (django-allauth, finsam/urls_accounts.py): what a login, a reset, a code and a
    # second factor answer; none of them shows anything of a förbund.
    "account_login": Row(BEFORE_LOGIN),
    "account_signup": Row(BEFORE_LOGIN),  # closed: an account comes by invitation
    "account_request_login_code": Row(BEFORE_LOGIN),
    "account_confirm_login_code": Row(EVERYONE_302, anonymous_to="/konto/login/code/"),
    "account_reset_password": Row(EVERYONE_200),
    "account_reset_password_done": Row(EVERYONE_200),
    "account_reset_password_from_key": Row(
        EVERYONE_200, lambda w: {"uidb36": "1", "key": "ingen-sadan-nyckel"}
    ),
    "account_reset_password_from_key_done": Row(EVERYONE_200),
    "account_inactive": Row(EVERYONE_200),
    "account_change_password": Row(ANY_USER),
    "account_set_password": Row(EVERYONE_302),
    "account_logout": Row(ANY_USER),
    "account_reauthenticate": Row(ANY_USER),
    "account_request_reauthentication_code": Row(EVERYONE_302),
    "account_confirm_reauthentication_code": Row(EVERYONE_302),
    "mfa_index": Row(ANY_USER),
    "mfa_authenticate": Row(EVERYONE_302),
    "mfa_reauthenticate": Row(EVERYONE_302),
    "mfa_activate_totp": Row(REAUTHENTICATE_FIRST),
    "mfa_deactivate_totp": Row(NONE_OF_YOURS),
    "mfa_view_recovery_codes": Row(NONE_OF_YOURS),
    "mfa_download_recovery_codes": Row(NONE_OF_YOURS),
    "mfa_generate_recovery_codes": Row(REAUTHENTICATE_FIRST),
    "mfa_list_webauthn": Row(ANY_USER),
    "mfa_add_webauthn": Row(REAUTHENTICATE_FIRST),
    "mfa_reauthenticate_webauthn": Row(REAUTHENTICATE_FIRST),
    "mfa_edit_webauthn": Row(REAUTHENTICATE_FIRST, lambda w: {"pk": 1}),
    "mfa_remove_webauthn": Row(REAUTHENTICATE_FIRST, lambda w: {"pk": 1}),
    "usersessions_list": Row(ANY_USER),
    "my_security": Row(ANY_USER),
    "socialaccount_connections": Row(ANY_USER),
    # A member's identity provider the installation does not name is not found, for anyone.
    "openid_connect_login": Row(
        {p: 404 for p in ("kansli_a", "styrelse_a", "revisor_a", "kansli_b", "anonymous")},
        lambda w: {"provider_id": "ingen"},
    ),
    "openid_connect_callback": Row(
        {p: 404 for p in ("kansli_a", "styrelse_a", "revisor_a", "kansli_b", "anonymous")},
        lambda w: {"provider_id": "ingen"},
    ),
    "socialaccount_signup": Row(EVERYONE_302, anonymous_to="/konto/logga-in/"),
    "socialaccount_login_cancelled": Row(EVERYONE_200),
    "socialaccount_login_error": Row(
        {p: 401 for p in ("kansli_a", "styrelse_a", "revisor_a", "kansli_b", "anonymous")}
    ),
    "password_change": Row(ANY_USER),
    "password_change_done": Row(ANY_USER),
    "my_settings": Row(ANY_USER),
    # The operator's pages are for staff only and do not exist for anyone else.
    "operator_forbund_list": Row(OPERATOR_ONLY),
    "operator_forbund_new": Row(OPERATOR_ONLY),
    "forbund_detail": Row(ANY_ROLE_IN_A, slug_a),
    "new_mandate_period": Row(KANSLI_OF_A, slug_a, writes=True),
    # The förbund's people are the kansli's to manage.
    "people": Row(KANSLI_OF_A, slug_a),
    "people_invite": Row(KANSLI_OF_A, slug_a, writes=True),
    "people_invitation_action": Row(
        POST_ONLY, lambda w: {**slug_a(w), "pk": 1, "action": "dra-tillbaka"}, writes=True
    ),
    "membership_edit": Row(KANSLI_OF_A, role_a, writes=True),
    # The kansli resets a person's lost second factor (the person of A's first role).
    "second_factor_reset": Row(
        KANSLI_OF_A,
        lambda w: {
            **slug_a(w),
            "user_id": w["forbund_a"].memberships.order_by("pk").first().user_id,
        },
        writes=True,
    ),
    "membership_end": Row(KANSLI_OF_A, role_a, writes=True),
    "person_remove": Row(
        KANSLI_OF_A,
        lambda w: {
            **slug_a(w),
            "user_id": w["forbund_a"].memberships.order_by("pk").first().user_id,
        },
        writes=True,
    ),
    # An invitation's link needs no login; a link to no invitation is not found, for anyone.
    "invitation_accept": Row(
        {p: 404 for p in ("kansli_a", "styrelse_a", "revisor_a", "kansli_b", "anonymous")},
        lambda w: {"token": "ingen-sadan-lank"},
    ),
    "forbund_edit": Row(KANSLI_OF_A, slug_a, writes=True),
    "forbund_log": Row(ANY_ROLE_IN_A, slug_a),
    # The world's förbund has no logo; with one, its own people get it (test_logo_page.py).
    "forbund_logo": Row(
        {"kansli_a": 404, "styrelse_a": 404, "revisor_a": 404, "kansli_b": 404, "anonymous": 302},
        slug_a,
    ),
    "medlem_create": Row(KANSLI_OF_A, slug_a, writes=True),
    "medlem_edit": Row(KANSLI_OF_A, lambda w: {**slug_a(w), "pk": w["medlem_a"].pk}, writes=True),
    "plan_list": Row(ANY_ROLE_IN_A, slug_a),
    "plan_create": Row(KANSLI_OF_A, slug_a, writes=True),
    "plan_detail": Row(ANY_ROLE_IN_A, plan_a),
    "plan_excel": Row(ANY_ROLE_IN_A, plan_a),
    "plan_excel_template": Row(ANY_ROLE_IN_A, plan_a),
    "plan_import": Row(KANSLI_OF_A, plan_a, writes=True),
    # Anyone in A may audit a workbook; it writes nothing.
    "forbund_audit": Row(ANY_ROLE_IN_A, slug_a),
    "plan_edit": Row(KANSLI_OF_A, plan_a, writes=True),
    # Everyone in A reads the budget; only kansli may POST changes to it.
    "budget_editor": Row(ANY_ROLE_IN_A, plan_a, writes=True),
    "budget_line_create": Row(KANSLI_OF_A, plan_a, writes=True),
    "budget_line_edit": Row(KANSLI_OF_A, line_a, writes=True),
    "budget_line_delete": Row(POST_ONLY, line_a, writes=True),
    "budget_years": Row(ANY_ROLE_IN_A, plan_a, writes=True),
    "budget_statements": Row(ANY_ROLE_IN_A, plan_a),
    # Anyone in A may compute offers; applying the result is kansli's (tested separately).
    "budget_offers": Row(ANY_ROLE_IN_A, plan_a),
    "budget_categories": Row(ANY_ROLE_IN_A, slug_a, writes=True),
    "budget_group_edit": Row(
        KANSLI_OF_A, lambda w: {**slug_a(w), "group_pk": w["group_a"].pk}, writes=True
    ),
    "budget_category_edit": Row(
        KANSLI_OF_A, lambda w: {**slug_a(w), "category_pk": w["category_a"].pk}, writes=True
    ),
    "archive": Row(ANY_ROLE_IN_A, slug_a),
    "plan_document": Row(ANY_ROLE_IN_A, plan_a),
    "plan_history": Row(ANY_ROLE_IN_A, plan_a),
    "plan_versions": Row(ANY_ROLE_IN_A, plan_a),
    # The persona styrelse_a is the chair: with the default "ordförande eller kansli" both
    # may record the board's decision; the revisor may not.
    "plan_adopt": Row(
        {"kansli_a": 200, "styrelse_a": 200, "revisor_a": 403, "kansli_b": 404, "anonymous": 302},
        plan_a,
    ),
    "plan_submit": Row(POST_ONLY, plan_a, writes=True),
    "plan_revise": Row(POST_ONLY, plan_a, writes=True),
    # Review, return and comments are the board's too: tested in tests/plans/test_workflow.py.
    "plan_review": Row(POST_ONLY, plan_a),
    "plan_return": Row(POST_ONLY, plan_a),
    "comment_create": Row(POST_ONLY, plan_a),
    "comment_resolve": Row(POST_ONLY, lambda w: {**plan_a(w), "comment_pk": w["comment_a"].pk}),
    "section_create": Row(KANSLI_OF_A, plan_a, writes=True),
    "section_edit": Row(KANSLI_OF_A, section_a, writes=True),
    "section_delete": Row(POST_ONLY, section_a, writes=True),
    "section_move": Row(POST_ONLY, section_a, writes=True),
    "plan_arshjul": Row(ANY_ROLE_IN_A, plan_a, writes=True),
    "arshjul_delete": Row(
        POST_ONLY, lambda w: {**plan_a(w), "event_pk": w["event_a"].pk}, writes=True
    ),
    # A förbund's own statement rows: everyone in A reads, kansli writes a draft.
    "statement_notes": Row(ANY_ROLE_IN_A, plan_a, writes=True),
    "statement_note_delete": Row(
        POST_ONLY, lambda w: {**plan_a(w), "note_pk": statement_note_a(w).pk}, writes=True
    ),
    # Anyone in A may order a draft PDF (tested in tests/plans/test_pdf.py).
    "pdf_request": Row(POST_ONLY, plan_a),
    "pdf_status": Row(ANY_ROLE_IN_A, pdf_a),
    "pdf_download": Row(ANY_ROLE_IN_A, pdf_a),
    # Insatser, målgrupper, mål (tests/insatser/): everyone in A reads, kansli writes a draft.
    "insatser_current": Row(
        {"kansli_a": 302, "styrelse_a": 302, "revisor_a": 302, "kansli_b": 404, "anonymous": 302},
        slug_a,
    ),
    "insats_list": Row(ANY_ROLE_IN_A, plan_a),
    "insats_create": Row(KANSLI_OF_A, plan_a, writes=True),
    "insats_detail": Row(ANY_ROLE_IN_A, insats_a),
    "insats_edit": Row(KANSLI_OF_A, insats_a, writes=True),
    "insats_delete": Row(POST_ONLY, insats_a, writes=True),
    "insats_mal_create": Row(KANSLI_OF_A, insats_a, writes=True),
    "malgrupp_list": Row(ANY_ROLE_IN_A, plan_a),
    "malgrupp_create": Row(KANSLI_OF_A, plan_a, writes=True),
    "malgrupp_edit": Row(KANSLI_OF_A, malgrupp_a, writes=True),
    "malgrupp_delete": Row(POST_ONLY, malgrupp_a, writes=True),
    "risk_matrix": Row(ANY_ROLE_IN_A, plan_a),
    "plan_mal": Row(ANY_ROLE_IN_A, plan_a),
    "plan_agenda2030": Row(POST_ONLY, plan_a, writes=True),
    "mal_create": Row(KANSLI_OF_A, plan_a, writes=True),
    "mal_edit": Row(KANSLI_OF_A, mal_a, writes=True),
    "mal_delete": Row(POST_ONLY, mal_a, writes=True),
    # Outcomes are follow-up: kansli records them, also for an adopted plan.
    "mal_utfall": Row(KANSLI_OF_A, mal_a, writes=True),
    "plan_create_from": Row(KANSLI_OF_A, plan_a, writes=True),
    # The year after adoption: everyone of the förbund reads it; the kansli writes.
    "followup_years": Row(ANY_ROLE_IN_A, slug_a),
    "followup_settings": Row(KANSLI_OF_A, slug_a, writes=True),
    "follow_up": Row(ANY_ROLE_IN_A, followed_year_a),
    "prognos_list": Row(ANY_ROLE_IN_A, followed_year_a),
    "prognos_create": Row(KANSLI_OF_A, followed_year_a, writes=True),
    "prognos_detail": Row(ANY_ROLE_IN_A, prognos_a, writes=True),
    "prognos_report": Row(POST_ONLY, prognos_a, writes=True),
    # Reading utfall in: the kansli imports; the map and the grid are everyone's to read.
    "followup_import": Row(KANSLI_OF_A, followed_year_a, writes=True),
    "followup_mapping": Row(ANY_ROLE_IN_A, followed_year_a, writes=True),
    "followup_mapping_add": Row(POST_ONLY, followed_year_a, writes=True),
    "followup_mapping_delete": Row(POST_ONLY, mapping_a, writes=True),
    "followup_mapping_import": Row(POST_ONLY, followed_year_a, writes=True),
    "followup_mapping_csv": Row(ANY_ROLE_IN_A, followed_year_a),
    "followup_mapping_xlsx": Row(ANY_ROLE_IN_A, followed_year_a),
    "followup_grid": Row(ANY_ROLE_IN_A, followed_year_a, writes=True),
    "followup_template": Row(ANY_ROLE_IN_A, followed_year_a),
    # The bokslut: everyone reads what closing the year does; the kansli closes it.
    "year_close_page": Row(ANY_ROLE_IN_A, followed_year_a),
    "year_close": Row(POST_ONLY, followed_year_a, writes=True),
    # The årsredovisning's tables: everyone of the förbund reads them. The matrix's year has no
    # utfall, so its PDF and workbook send the reader back to the page that names the months.
    "delarsrapporter": Row(ANY_ROLE_IN_A, followed_year_a, writes=True),
    "delarsrapport": Row(ANY_ROLE_IN_A, report_a),
    "delarsrapport_section": Row(
        KANSLI_OF_A,
        lambda w: {**report_a(w), "section_pk": report_section_a(w)},
        writes=True,
    ),
    "delarsrapport_submit": Row(POST_ONLY, report_a, writes=True),
    "delarsrapport_revise": Row(POST_ONLY, report_a, writes=True),
    # Review, return and comments are the board's too: tests/followup/test_delarsrapport.py.
    "delarsrapport_review": Row(POST_ONLY, report_a),
    "delarsrapport_return": Row(POST_ONLY, report_a),
    "delarsrapport_comment": Row(POST_ONLY, report_a),
    "delarsrapport_comment_resolve": Row(
        POST_ONLY, lambda w: {**report_a(w), "comment_pk": report_comment_a(w)}
    ),
    # As the plan's: the chair or the kansli records the decision, the revisor may not.
    "delarsrapport_adopt": Row(
        {"kansli_a": 200, "styrelse_a": 200, "revisor_a": 403, "kansli_b": 404, "anonymous": 302},
        report_a,
    ),
    # The draft as a PDF marked as not adopted: what the board reads before it decides.
    "delarsrapport_draft_pdf": Row(ANY_ROLE_IN_A, report_a),
    # The draft has no archived PDF yet: not found for everyone (anonymous to the login).
    "delarsrapport_pdf": Row(
        {"kansli_a": 404, "styrelse_a": 404, "revisor_a": 404, "kansli_b": 404, "anonymous": 302},
        report_a,
    ),
    "pack": Row(ANY_ROLE_IN_A, plan_a),
    "pack_pdf": Row(ANY_ROLE_IN_A, plan_a),
    "pack_excel": Row(ANY_ROLE_IN_A, plan_a),
    "annual_report": Row(ANY_ROLE_IN_A, followed_year_a),
    "annual_report_pdf": Row(YEAR_INCOMPLETE, followed_year_a),
    "annual_report_xlsx": Row(YEAR_INCOMPLETE, followed_year_a),
    # FK's national follow-up: everyone reads it; the kansli enters the participants.
    "national_follow_up": Row(ANY_ROLE_IN_A, followed_year_a, writes=True),
    "national_follow_up_xlsx": Row(ANY_ROLE_IN_A, followed_year_a),
}
