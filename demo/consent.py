"""The demo consent document: original text for a fictional clinic, covering every section the
domain reference lists, with its comprehension questions. Idempotent."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from consent.models import ComprehensionQuestion, ConsentDocument, ConsentVersion
from consent.services import consent_version_publish
from core.models import User
from demo.consent_es import DEMO_BODY_ES, DEMO_QUESTIONS_ES, DEMO_TITLE_ES

DEMO_TITLE = "Consent to ketamine and esketamine treatment"

DEMO_BODY = """\
This document explains the treatment Harbour Light Clinic (a fictional demo clinic, "the
clinic" below) offers you for depression. Please read all of
it. Ask us about anything that is unclear before you sign: a clinician will gladly go through
it with you. Signing means you agree to start; it does not mean you must continue.

## What the treatment is and how it is given

Ketamine is a medicine first used as an anaesthetic. At much lower doses it can ease
depression that has not improved with other treatments, often within hours or days. The clinic
gives it in one of these ways, which your physician chooses with you and writes in your plan:

- **Intravenous infusion**: a small dose through a drip in your arm, usually over about 40
  minutes (a common course is six sessions over two to three weeks);
- **Intramuscular injection**: a dose injected into a muscle;
- **Esketamine nasal spray** (Spravato): you spray it yourself under supervision, 56 or 84 mg
  per session, following the programme's safety rules;
- **Oral or sublingual** ketamine, in some cases.

**Off-label use.** Esketamine nasal spray is approved for treatment-resistant depression.
Ketamine given by infusion, injection or by mouth is **not approved** for depression: it is
used "off-label", on the evidence of published studies and the physician's judgement. Its
long-term effects on depression are less well studied, and some insurers will not pay for it.

Every session takes place at the clinic. A nurse checks your blood pressure before the dose,
about 40 minutes after it, and until you are well enough to leave. After esketamine you stay at
least two hours.

## Expected benefits

Many people feel their mood lift and thoughts of hopelessness ease after a few sessions. The
effect can fade, so some people need further (maintenance) sessions. Not everyone responds: we
measure how you are doing with a short questionnaire (PHQ-9) and review the plan with you.

## Risks and side effects

Most side effects start during the dose and pass within one to two hours. Tell the nurse at
once if you feel unwell. They include:

- feeling detached, dreamlike or "outside your body" (dissociation), or seeing things
  differently;
- dizziness, drowsiness and sedation;
- nausea and vomiting (we ask you not to eat for two hours before a session);
- a rise in blood pressure and heart rate (we monitor both, and may delay a session if your
  blood pressure is high);
- headache and blurred vision.

Rarer risks are described in the sections below: pregnancy, suicidal thoughts, dependence and
misuse, and the bladder.

## Pregnancy and breast-feeding

Ketamine and esketamine may harm an unborn baby, and pass into breast milk. Do not have this
treatment if you are pregnant, may be pregnant, or are breast-feeding. If you could become
pregnant, use effective contraception during the course, and tell the nurse before each
session if anything has changed: we ask you every time, and if the answer is unknown the
physician decides before any dose.

## Suicidal thoughts and how we watch for them

Depression itself carries a risk of suicidal thoughts, and mood can change quickly at the
start of a new treatment. We ask about suicidal thoughts at your assessment, before sessions
and in the weekly questionnaire. A worrying answer is shown at once to a physician, who decides
with you whether to continue, pause or refer you for other care. Please tell us, or call the
emergency number below, if such thoughts appear or get worse.

## Dependence and misuse

Ketamine can be misused and, taken often, can lead to dependence. That is why every dose is
given and watched at the clinic, you never take any home, and we ask you about other medicines
and substances. Tell us if you have ever had problems with alcohol or drugs.

## Bladder effects with repeated use

Frequent, long-term use of ketamine can irritate and damage the bladder (needing to pass urine
often or urgently, pain, or blood in the urine). The doses used in treatment are far lower, but
tell us at once about any such symptoms: we will pause and review the treatment.

## No driving, and an escort home

**Do not drive, cycle or operate machinery until the next day after a full night's sleep.**
**An adult must take you home after every session.** We will not discharge you alone. Please
do not make important decisions on the day of a session.

## Alternatives

You do not have to have this treatment. Other options include other antidepressant
medicines, psychotherapy, electroconvulsive therapy (ECT) and other brain-stimulation
treatments. Your physician can explain how they compare for you.

## Costs and insurance

Your treatment plan states the cost of the planned course before it starts. Insurance often
does not cover ketamine treatment (esketamine is sometimes covered); please check with your
insurer. You pay only for sessions you attend.

## Your right to withdraw

You may withdraw your consent at any time, before or during the course, without giving a
reason and without losing any other care. Tell any member of staff, or use "Withdraw my
consent" on your page. No further treatment will be given once you withdraw.

## Who to contact

- Questions about the treatment or this document: the clinic's nurses, on weekdays from 8:00
  to 18:00, by phone on +1 555 0100 or by e-mail to care@harbourlight.example (the e-mail
  that brought you here comes from an address that does not receive replies).
- After a session, if you feel unwell: the clinic's on-call line (printed on your discharge
  sheet).
- In an emergency, or if you have thoughts of harming yourself: call your local emergency
  number now.

This clinic and every name in this demo are fictional.
"""

DEMO_QUESTIONS = (
    (
        "After a session, when may you drive again?",
        "Straight after the session if I feel fine\n"
        "The next day, after a full night's sleep\n"
        "After one hour",
        2,
        "No driving, and an escort home",
    ),
    (
        "How do you get home after a session?",
        "An adult takes me home\nBy bus on my own\nI drive myself",
        1,
        "No driving, and an escort home",
    ),
    (
        "Can you stop the treatment after signing?",
        "No, signing commits me to the whole course\n"
        "Yes, at any time, without losing other care\n"
        "Only with the physician's permission",
        2,
        "Your right to withdraw",
    ),
)


@transaction.atomic
def consent_demo_document_seed(*, actor: User) -> ConsentDocument:
    """Create and publish the demo document (v1) and its questions, unless they exist."""
    document, _ = ConsentDocument.objects.get_or_create(
        kind=ConsentDocument.KIND_TREATMENT, defaults={"title": DEMO_TITLE}
    )
    if not document.questions.exists():
        for position, (prompt, choices, correct, heading) in enumerate(DEMO_QUESTIONS, start=1):
            ComprehensionQuestion.objects.create(
                document=document,
                position=position,
                prompt=prompt,
                choices=choices,
                correct_choice=correct,
                section_heading=heading,
            )
    if not ConsentVersion.objects.filter(document=document).exists():
        version = ConsentVersion.objects.create(
            document=document,
            label="v1",
            body_markdown=DEMO_BODY,
            change_summary="First version.",
        )
        consent_version_publish(version_id=version.pk, actor=actor)
    _seed_spanish(document, actor)
    return document


def _seed_spanish(document: ConsentDocument, actor: User) -> None:
    """The Spanish translation of v1 (a version of its own) and the Spanish questions."""
    if not document.questions.filter(language="es").exists():
        for position, (prompt, choices, correct, heading) in enumerate(DEMO_QUESTIONS_ES, start=1):
            ComprehensionQuestion.objects.create(
                document=document,
                language="es",
                position=position,
                prompt=prompt,
                choices=choices,
                correct_choice=correct,
                section_heading=heading,
            )
    source = ConsentVersion.objects.published().filter(document=document, label="v1").first()
    if source is None or source.translations.filter(language="es").exists():
        return
    translation = ConsentVersion.objects.create(
        document=document,
        label="v1-es",
        language="es",
        title=DEMO_TITLE_ES,
        source_version=source,
        body_markdown=DEMO_BODY_ES,
        change_summary="Traducción al español de v1.",
    )
    consent_version_publish(version_id=translation.pk, actor=actor)


def demo_signature(width: int = 600, height: int = 240) -> tuple[str, str]:
    """A drawn-looking signature as signature_pad would send it: (PNG data URL, stroke JSON).

    Used by demo_journey and the tests that sign over HTTP without a browser.
    """
    import base64
    import io
    import json
    import math

    from PIL import Image, ImageDraw

    strokes: list[dict[str, Any]] = []
    for offset in (0, 1):
        points = [
            {
                "x": 60 + i * 7 + offset * 240,
                "y": height / 2 + math.sin(i / 4 + offset) * 38 - offset * 10,
                "time": 1_700_000_000_000 + i * 16,
                "pressure": 0.5,
            }
            for i in range(34)
        ]
        strokes.append({"penColor": "#0b1f33", "dotSize": 0, "minWidth": 0.9, "maxWidth": 2.8,
                        "velocityFilterWeight": 0.7, "compositeOperation": "source-over",
                        "points": points})  # fmt: skip
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        draw.line([(p["x"], p["y"]) for p in stroke["points"]], fill=(11, 31, 51, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    data_url = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
    return data_url, json.dumps(strokes)
