"""What PCN development money can and cannot pay for: declarative rules from the guidance, pure Python.

Each initiative answers a few questions (`Answers`). Every rule looks at them and either stays silent or
gives a warning or a block, with its id, the guidance it comes from and the reason shown beside the initiative.
"""

from collections.abc import Callable
from dataclasses import dataclass

PASS, WARN, BLOCK = "pass", "warn", "block"
_SEVERITY = {PASS: 0, WARN: 1, BLOCK: 2}

# What the money is for. The first four are what the guidance says it can be used for.
CATEGORIES = {
    "backfill": "Freeing up clinical time (backfill) to take part in development",
    "transformation": "A resource for transformation, such as change or project management",
    "nhs_family": "Support bought from an NHS 'family' organisation (a leadership academy, CSU or trust)",
    "development": "Development activity: training, coaching, facilitation, organisational development",
    "delivery": "Delivering services to patients",
    "operating": "Running costs: rent, equipment, IT licences, salaries for business as usual",
    "contract": "Something the GP contract or Network Contract DES pays for (ARRS salaries, the CD payment, £1.50 per patient)",
    "other": "Something else",
}
ALLOWED_CATEGORIES = ("backfill", "transformation", "nhs_family", "development")
SOURCES = ("existing", "programme", "top_up")

GUIDANCE_2019 = "PCN Development Support Guidance and Prospectus 2019/20"
GUIDANCE_2020 = "PCN development support guidance 2020/21"


@dataclass(frozen=True)
class Answers:
    category: str
    already_funded: bool = False  # covered by the CCG or another partner in the system
    in_contract: bool = False  # in the GP contract or the Network Contract DES
    pcn_related: bool = True  # for the development of this PCN
    transformation: bool = True  # changes how the PCN works, rather than keeping things running
    existing_funds_checked: bool = True  # existing support funds have been used first
    funding_source: str = "programme"


@dataclass(frozen=True)
class Rule:
    id: str
    outcome: str  # WARN or BLOCK when the rule applies
    guidance: str  # the words of the guidance the rule comes from
    source: str
    applies: Callable[[Answers], bool]
    reason: str


@dataclass(frozen=True)
class Finding:
    rule_id: str
    outcome: str
    reason: str
    guidance: str
    source: str


@dataclass(frozen=True)
class Result:
    outcome: str
    findings: tuple[Finding, ...]

    @property
    def blocked(self) -> bool:
        return self.outcome == BLOCK


RULES: tuple[Rule, ...] = (
    Rule(
        "known-category",
        BLOCK,
        "The money can only be used for PCN development or PCN Clinical Director development.",
        GUIDANCE_2019,
        lambda a: a.category not in CATEGORIES,
        "Choose what the money is for from the list.",
    ),
    Rule(
        "development-not-delivery",
        BLOCK,
        "Funding should be used to support development, rather than to pay for delivery of services or other operating costs.",
        GUIDANCE_2020,
        lambda a: a.category in ("delivery", "operating"),
        "Development money cannot pay for delivering services or for running costs.",
    ),
    Rule(
        "not-in-contract",
        BLOCK,
        "What the funding cannot be used for: anything that is currently in the GP or network contract.",
        GUIDANCE_2019,
        lambda a: a.category == "contract" or a.in_contract,
        "This is already paid for through the GP contract or the Network Contract DES.",
    ),
    Rule(
        "not-already-funded",
        BLOCK,
        "What the funding cannot be used for: anything that is currently covered by the CCG or other partner within the system.",
        GUIDANCE_2019,
        lambda a: a.already_funded,
        "The CCG or another partner already covers this.",
    ),
    Rule(
        "pcn-related",
        BLOCK,
        "What the funding cannot be used for: anything that is not related to PCNs.",
        GUIDANCE_2019,
        lambda a: not a.pcn_related,
        "The money is only for developing the PCN and its clinical directors.",
    ),
    Rule(
        "transformation-only",
        BLOCK,
        "What the funding cannot be used for: costs that do not cover transformation.",
        GUIDANCE_2019,
        lambda a: not a.transformation,
        "Costs that keep things running rather than change how the PCN works cannot be paid for.",
    ),
    Rule(
        "existing-funds-first",
        WARN,
        "Existing support funds are to be used before the additional PCN Development Support funding is taken up.",
        GUIDANCE_2019,
        lambda a: a.funding_source != "existing" and not a.existing_funds_checked,
        "Check existing support funds first: the guidance asks for them to be used before this money.",
    ),
    Rule(
        "other-category",
        WARN,
        "The money can only be used for PCN development or PCN Clinical Director development.",
        GUIDANCE_2019,
        lambda a: a.category == "other",
        "Describe how this develops the PCN; the place lead will check it is eligible.",
    ),
    Rule(
        "known-source",
        BLOCK,
        "Existing support funds are to be used before the additional PCN Development Support funding is taken up.",
        GUIDANCE_2019,
        lambda a: a.funding_source not in SOURCES,
        "Choose where the money comes from: existing funds, this programme or a local top-up.",
    ),
)


def evaluate(answers: Answers, rules: tuple[Rule, ...] = RULES) -> Result:
    """Pass when no rule applies; otherwise the worst outcome, with every applying rule's reason."""
    findings = tuple(
        Finding(r.id, r.outcome, r.reason, r.guidance, r.source) for r in rules if r.applies(answers)
    )
    outcome = max((f.outcome for f in findings), key=_SEVERITY.__getitem__, default=PASS)
    return Result(outcome, findings)
