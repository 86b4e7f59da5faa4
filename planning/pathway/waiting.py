"""What a case waits for, and on whom: one derivation for the board, the work queues and the
case page's next-step panel.

The answer is derived from a handful of *facts* read in the same query as the rows, by one
list of rules (`STEP_ORDER`, `_conditions`) that serves twice: as a SQL `CASE WHEN` when the
board filters on who acts next, and read in Python for the rows shown (`q_holds`), so the
board filters and pages without a query per row. A fact is an annotation on the case
queryset with a fixed name and a neutral default (`FACTS`). The pathway supplies the facts
it can read itself (consent invitations, patient links, failed messages); intake, treatment
and follow-ups register theirs from their `wiring` with `register_fact`, so this module never
imports them. A fact nobody registered keeps its
default and its rules simply never match.

Use:
- `with_waiting(cases, now=...)` annotates a queryset with every fact; `waiting_of(row)`
  reads them by the rules (in Python); `filter_waiting_on(cases, who)` filters on the same
  rules written as one SQL `CASE WHEN` (`waiting_on`, one of `WaitingOn`);
- `waiting_for_case(case)` returns a `Waiting` for one case (one query), e.g. for the case
  page's next-step panel: `Waiting.who`, `.step`, `.label`;
- `due_items(case)` lists a row's due facts (label, when, overdue) for display.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet, Value
from django.db.models.expressions import Combinable, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from planning.pathway.precompiled import precompiled as compiled_once
from planning.pathway.states import FINAL_STATES, CaseState


class WaitingOn(models.TextChoices):
    PATIENT = "patient", "Patient"
    NURSE = "nurse", "Nurse"
    PHYSICIAN = "physician", "Physician"
    ADMIN_STAFF = "admin_staff", "Admin staff"
    NOBODY = "nobody", "Nobody"


FactExpression = Callable[[datetime], Any]


@dataclass(frozen=True)
class Fact:
    """A named annotation with the value it has when no sub-domain provides it. `due` marks a
    date or datetime by which something must be done (it counts towards "overdue")."""

    name: str
    default: Any
    due_label: str = ""


def _false() -> Any:
    return Value(False, output_field=models.BooleanField())


def _zero() -> Any:
    return Value(0, output_field=models.IntegerField())


def _no_time() -> Any:
    return Value(None, output_field=models.DateTimeField())


FACTS: dict[str, Fact] = {
    fact.name: fact
    for fact in (
        # The pathway's own (consent invitations, links, outbox).
        Fact("consent_requested", _false()),
        Fact("consent_link_blocked", _false()),
        Fact("consent_countersign_due", _false()),
        Fact("failed_messages", _zero()),
        # intake
        Fact("open_alerts", _zero()),
        Fact("first_alert_at", _no_time()),
        Fact("override_count", _zero()),
        # treatment
        Fact("plan_drafted", _false()),
        Fact("clearance_asked", _false()),
        Fact("session_due_on", Value(None, output_field=models.DateField()), "Session"),
        Fact("rems_due_at", _no_time(), "REMS form"),
        # follow-ups
        Fact("followup_due_at", _no_time(), "Follow-up"),
        Fact("patient_reminded", _false()),
        Fact("followup_link_blocked", _false()),
    )
}

_providers: dict[str, FactExpression] = {}
_inputs: dict[str, Callable[[], Hashable]] = {}


def register_fact(
    name: str, expression: FactExpression, *, inputs: Callable[[], Hashable] | None = None
) -> None:
    """`expression(now)` returns the annotation for `name` (a key of `FACTS`), typically an
    `Exists` or a `Subquery` on `OuterRef("pk")` so that the board stays one query.

    The board compiles each fact's SQL once (`precompiled`): `expression` must use `now` only
    as a value compared with columns, and anything else it reads that may change (a clinic
    setting) must be returned by `inputs()`, which keys the compiled SQL."""
    if name not in FACTS:
        raise KeyError(f"unknown fact {name!r}: add it to planning.pathway.waiting.FACTS")
    _providers[name] = expression
    if inputs is None:
        _inputs.pop(name, None)
    else:
        _inputs[name] = inputs


@dataclass(frozen=True)
class Step:
    key: str
    who: str
    label: str


W = WaitingOn
# In order: the first step whose condition holds is what the case waits for.
STEP_ORDER = (
    Step("closed", W.NOBODY, "Nothing: the case is closed"),
    Step("review_alerts", W.PHYSICIAN, "Decide on the open safety alert"),
    Step("clear_vitals", W.PHYSICIAN, "Clear or refuse the pre-dose vitals"),
    Step("decide_hold", W.PHYSICIAN, "Resume or close the case on hold"),
    Step("record_consultation", W.NURSE, "Record the consultation"),
    Step("record_evaluation", W.NURSE, "Record the evaluation and screening"),
    Step("review_medications", W.NURSE, "Review the medications"),
    Step(
        "resend_invitation", W.ADMIN_STAFF, "Resend the consent invitation (link locked or expired)"
    ),
    Step("sign_consent", W.PATIENT, "Read and sign the consent"),
    Step(
        "countersign_consent",
        W.NURSE,
        "Countersign the signed consent in the clinic (witness or clinician)",
    ),
    Step("send_invitation", W.ADMIN_STAFF, "Send the consent invitation"),
    Step("approve_plan", W.PHYSICIAN, "Approve the dosing plan"),
    Step("draft_plan", W.PHYSICIAN, "Write the dosing plan"),
    Step("followup_due", W.NURSE, "Do the follow-up that is due"),
    Step("run_session", W.NURSE, "Run the session that is due"),
    Step("submit_rems", W.ADMIN_STAFF, "Submit the REMS monitoring form"),
    Step("answer_questionnaire", W.PATIENT, "Answer the follow-up questionnaire"),
    Step("attend_session", W.PATIENT, "Come to the next session"),
    Step("complete_treatment", W.NURSE, "Complete the treatment (no session left)"),
)


def _conditions(now: datetime) -> dict[str, Q]:
    today = timezone.localdate(now)
    s, active = CaseState, Q(state=CaseState.ACTIVE)
    return {
        "closed": Q(state__in=FINAL_STATES),
        "review_alerts": Q(open_alerts__gt=0),
        "clear_vitals": Q(clearance_asked=True),
        "decide_hold": Q(state=s.ON_HOLD),
        "record_consultation": Q(state=s.CONSULTATION),
        "record_evaluation": Q(state=s.EVALUATION),
        "review_medications": Q(state=s.MEDICATION_REVIEW),
        "resend_invitation": Q(state=s.CONSENT_PENDING, consent_link_blocked=True),
        "sign_consent": Q(state=s.CONSENT_PENDING, consent_requested=True),
        "countersign_consent": Q(state=s.CONSENT_PENDING, consent_countersign_due=True),
        "send_invitation": Q(state=s.CONSENT_PENDING),
        "approve_plan": Q(state=s.PLAN_PENDING, plan_drafted=True),
        "draft_plan": Q(state=s.PLAN_PENDING),
        "followup_due": active & Q(followup_due_at__lte=now),
        "run_session": active & Q(session_due_on__lte=today),
        "submit_rems": active & Q(rems_due_at__isnull=False),
        "answer_questionnaire": active & Q(patient_reminded=True),
        "attend_session": active & Q(session_due_on__isnull=False),
        "complete_treatment": active,
    }


def _rules(now: datetime) -> list[tuple[Q, Step]]:
    """Written once here; the board, the queues and the case page all read it."""
    conditions = _conditions(now)
    return [(conditions[step.key], step) for step in STEP_ORDER]


STEPS: dict[str, Step] = {step.key: step for step in STEP_ORDER}


def _fact_key(name: str) -> tuple[Any, ...]:
    """What a fact's SQL depends on besides `now`: its provider and its inputs."""
    return (name, _providers.get(name), _inputs[name]() if name in _inputs else None)


def _top_level(cases: QuerySet[Any]) -> bool:
    """Compiled SQL names the cases' table: it serves a query on that table only."""
    return cases.query.base_table in (None, cases.model._meta.db_table)


def _fact_expression(name: str, cases: QuerySet[Any], now: datetime, compiled: bool) -> Any:
    if name not in _providers:
        return FACTS[name].default
    provider = _providers[name]
    if not compiled:
        return provider(now)
    return compiled_once(cases.model, _fact_key(name), provider, now, using=cases.db)


def with_facts(cases: QuerySet[Any], *, now: datetime, precompiled: bool = False) -> QuerySet[Any]:
    """`precompiled`: each fact from its SQL compiled once per process (the same SQL text and
    parameters, tests/planning/pathway/test_board_precompiled.py), for a top-level query on
    the cases only (see planning.pathway.precompiled)."""
    compiled = precompiled and _top_level(cases)
    annotations = {name: _fact_expression(name, cases, now, compiled) for name in FACTS}
    annotated: QuerySet[Any] = cases.annotate(**annotations)
    return annotated


def with_waiting(
    cases: QuerySet[Any], *, now: datetime | None = None, precompiled: bool = False
) -> QuerySet[Any]:
    """The cases with every fact annotated (no extra query). What each row waits for is
    decided in Python from those facts by the same rules (`waiting_of`): putting the two
    `CASE WHEN`s in the SELECT would repeat every fact's subquery in them, which made the
    board's SQL three times longer and most of its cost to build (bench/workspace.py).
    Filter on `waiting_on` with `filter_waiting_on`. `precompiled`: see `with_facts`."""
    now = now or timezone.now()
    annotated: QuerySet[Any] = with_facts(cases, now=now, precompiled=precompiled)
    return annotated


def required_states(condition: Q) -> set[str] | None:
    """The states a rule can hold in (from its `state`/`state__in` tests joined by AND), or
    None when it does not restrict the state."""
    if condition.negated or condition.connector != Q.AND:
        return None
    allowed: set[str] | None = None
    for child in condition.children:
        if isinstance(child, Q):
            found = required_states(child)
        else:
            path, value = child  # type: ignore[misc]
            found = {value} if path == "state" else set(value) if path == "state__in" else None
        if found is not None:
            allowed = found if allowed is None else allowed & found
    return allowed


def _rules_for(who: str, now: datetime, states: set[str] | None) -> list[tuple[Q, Step]] | None:
    """The rules `filter_waiting_on` writes for `who` (None: no rule can wait on `who`)."""
    rules = _rules(now)
    if states is not None:
        rules = [
            (condition, step)
            for condition, step in rules
            if (needed := required_states(condition)) is None or needed & states
        ]
    if who != WaitingOn.NOBODY:
        last = max((i for i, (_, step) in enumerate(rules) if step.who == who), default=-1)
        if last < 0:
            return None
        rules = rules[: last + 1]
    return rules


def _waiting_on(who: str, now: datetime, states: set[str] | None) -> Any:
    rules = _rules_for(who, now, states) or []
    return models.Case(
        *[When(condition, then=Value(step.who)) for condition, step in rules],
        default=Value(WaitingOn.NOBODY),
        output_field=models.CharField(),
    )


def _facts_key() -> tuple[Any, ...]:
    """What the facts' SQL depends on besides `now` (their providers and inputs)."""
    return tuple(_fact_key(name) for name in FACTS)


def filter_waiting_on(
    cases: QuerySet[Any],
    who: str,
    *,
    now: datetime,
    states: set[str] | None = None,
    precompiled: bool = False,
) -> QuerySet[Any]:
    """`cases` (annotated by `with_waiting`) whose first matching step waits on `who`. When the
    cases are known to be in `states`, the rules that cannot hold there are left out, and so
    are the rules after the last one that waits on `who` (a case matching one of those first
    waits on someone else): the same answer from a shorter `CASE WHEN`. `precompiled`: that
    `CASE WHEN` from its SQL compiled once per process (see `with_facts`)."""
    if _rules_for(who, now, states) is None:
        return cases.none()
    if precompiled and _top_level(cases):
        key = ("waiting_on", who, None if states is None else frozenset(states), _facts_key())
        expression = compiled_once(
            cases.model,
            key,
            lambda moment: _waiting_on(who, moment, states),
            now,
            using=cases.db,
            prepare=lambda plain, moment: with_facts(plain, now=moment),
            filtered=True,
        )
    else:
        expression = _waiting_on(who, now, states)
    filtered: QuerySet[Any] = cases.alias(waiting_on=expression).filter(waiting_on=who)
    return filtered


# --- the same rules, evaluated on a row's facts ---------------------------------------------

_LOOKUPS: dict[str, Callable[[Any, Any], bool]] = {
    "exact": lambda a, b: a == b,
    "in": lambda a, b: a in b,
    "gt": lambda a, b: a is not None and a > b,
    "lt": lambda a, b: a is not None and a < b,
    "lte": lambda a, b: a is not None and a <= b,
    "gte": lambda a, b: a is not None and a >= b,
    "isnull": lambda a, b: (a is None) == bool(b),
}


def q_holds(condition: Q, row: Any) -> bool:
    """Whether `row` (a case annotated with the facts) satisfies `condition`, a Q made of the
    plain lookups above on the case's own fields and the facts: the SQL rule, read in Python,
    so one definition (`_conditions`) serves the SQL filter and the rows."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(q_holds(child, row))
            continue
        path, expected = child  # type: ignore[misc]  # a Q's leaf: (lookup path, value)
        name, _, lookup = path.partition("__")
        compare = _LOOKUPS[lookup or "exact"]
        results.append(compare(getattr(row, name), expected))
    held = all(results) if condition.connector == Q.AND else any(results)
    return not held if condition.negated else held


def step_of(
    row: Any, *, now: datetime | None = None, rules: list[tuple[Q, Step]] | None = None
) -> Step | None:
    """The first step whose rule holds for this row's facts (None: none applies). A page of
    rows passes `rules_at(now)` once instead of building them per row."""
    for condition, step in rules if rules is not None else _rules(now or timezone.now()):
        if q_holds(condition, row):
            return step
    return None


def overdue_q(now: datetime) -> Q:
    """Cases with anything past due: a session before today, a follow-up or a REMS form."""
    today = timezone.localdate(now)
    return Q(session_due_on__lt=today) | Q(followup_due_at__lt=now) | Q(rems_due_at__lt=now)


def next_due_expression() -> Combinable:
    """For sorting by what is due first (nulls last)."""
    far = datetime(9999, 1, 1, tzinfo=timezone.get_current_timezone())
    return Coalesce("followup_due_at", "rems_due_at", Value(far))


@dataclass(frozen=True)
class Waiting:
    who: str
    step: str
    label: str

    @property
    def who_label(self) -> str:
        return str(WaitingOn(self.who).label)


def rules_at(now: datetime) -> list[tuple[Q, Step]]:
    return _rules(now)


def waiting_of(
    row: Any, *, now: datetime | None = None, rules: list[tuple[Q, Step]] | None = None
) -> Waiting:
    """What a row of `with_waiting` waits for (its facts read by the rules)."""
    step = step_of(row, now=now, rules=rules) if row is not None else None
    if step is None:
        return Waiting(WaitingOn.NOBODY, "", "")
    return Waiting(step.who, step.key, step.label)


def waiting_for_case(case: Any, *, now: datetime | None = None) -> Waiting:
    """One query: what this case waits for now."""
    now = now or timezone.now()
    row = with_waiting(type(case).objects.filter(pk=case.pk), now=now).first()
    return waiting_of(row, now=now)


@dataclass(frozen=True)
class DueItem:
    label: str
    due: datetime
    overdue_days: int


def _as_datetime(value: date | datetime) -> datetime:
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, time.min))


def due_items(row: Any, *, now: datetime | None = None) -> list[DueItem]:
    """The row's due facts, soonest first, with how many whole days each is overdue."""
    now = now or timezone.now()
    items = []
    for fact in FACTS.values():
        value = getattr(row, fact.name, None) if fact.due_label else None
        if value is None:
            continue
        due = _as_datetime(value)
        late = (timezone.localdate(now) - timezone.localdate(due)).days if due < now else 0
        items.append(DueItem(fact.due_label, due, max(late, 0)))
    return sorted(items, key=lambda item: item.due)
