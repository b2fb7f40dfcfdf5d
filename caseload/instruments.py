"""The wellbeing measures, as data: each instrument's exact wording, answer
scale, scoring and bands, in one place for the forms, the case page, the
reports and the tests (../shared/standards/README.md, "Wellbeing measures").

- ONS4, the ONS personal wellbeing questions: four items answered 0 to 10,
  reported item by item with the ONS bands, never added up.
- SWEMWBS, the short Warwick-Edinburgh scale: seven items answered 1 to 5;
  the raw total (7 to 35) is converted to a metric score with the published
  table. A change of 3 metric points or more is meaningful (decision 14).
- WEMWBS, the full Warwick-Edinburgh scale: fourteen items answered 1 to 5,
  total 14 to 70; used only by PCNs that switch it on (it is licensed).
"""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    # ONS4: the bands of this item's answer, and a short name for tables.
    bands: tuple = ()
    short: str = ""

    def band(self, answer):
        return next((band.label for band in self.bands if band.low <= answer <= band.high), "")


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    intro: str
    items: tuple
    scale: tuple  # (value, label) for each answer, lowest first
    summed: bool  # whether the items add up to a score

    @property
    def values(self):
        return [value for value, _ in self.scale]

    def raw(self, answers):
        return sum(answers[item.key] for item in self.items) if self.summed else None

    def score(self, answers):
        """The score reported: SWEMWBS's metric score, WEMWBS's total, or None
        for ONS4 (its items are never summed)."""
        raw = self.raw(answers)
        if raw is None:
            return None
        if self.code == SWEMWBS:
            return SWEMWBS_METRIC[raw]
        return Decimal(raw)

    def check(self, answers):
        """The problems with a set of answers, by item key: every item answered,
        with one of the scale's values."""
        problems = {}
        for item in self.items:
            value = answers.get(item.key)
            if value is None:
                problems[item.key] = f"Select an answer for: {item.text}"
            elif value not in self.values:
                problems[item.key] = (
                    f"Answers are from {self.values[0]} to {self.values[-1]}: {item.text}"
                )
        return problems


ONS4, SWEMWBS, WEMWBS = "ons4", "swemwbs", "wemwbs"

_HIGH_IS_GOOD = (
    Band(0, 4, "Low"),
    Band(5, 6, "Medium"),
    Band(7, 8, "High"),
    Band(9, 10, "Very high"),
)
_ANXIETY = (
    Band(0, 1, "Very low"),
    Band(2, 3, "Low"),
    Band(4, 5, "Medium"),
    Band(6, 10, "High"),
)
_ZERO_TO_TEN = tuple(
    (n, {0: "0 (not at all)", 10: "10 (completely)"}.get(n, str(n))) for n in range(11)
)
_FREQUENCY = (
    (1, "None of the time"),
    (2, "Rarely"),
    (3, "Some of the time"),
    (4, "Often"),
    (5, "All of the time"),
)

_WARWICK_EDINBURGH = [
    ("optimistic", "I've been feeling optimistic about the future"),
    ("useful", "I've been feeling useful"),
    ("relaxed", "I've been feeling relaxed"),
    ("interested_in_people", "I've been feeling interested in other people"),
    ("energy", "I've had energy to spare"),
    ("problems", "I've been dealing with problems well"),
    ("thinking", "I've been thinking clearly"),
    ("good_about_myself", "I've been feeling good about myself"),
    ("close", "I've been feeling close to other people"),
    ("confident", "I've been feeling confident"),
    ("own_mind", "I've been able to make up my own mind about things"),
    ("loved", "I've been feeling loved"),
    ("new_things", "I've been interested in new things"),
    ("cheerful", "I've been feeling cheerful"),
]
# The seven items of the short scale, in its order.
_SHORT = ("optimistic", "useful", "relaxed", "problems", "thinking", "close", "own_mind")
_WARWICK_EDINBURGH_INTRO = (
    "Below are some statements about feelings and thoughts. Please choose the answer "
    "that best describes your experience of each over the last 2 weeks."
)

INSTRUMENTS = {
    ONS4: Instrument(
        code=ONS4,
        name="ONS4 personal wellbeing",
        intro=(
            "Next I would like to ask you four questions about your feelings on aspects of "
            "your life. There are no right or wrong answers. For each of these questions "
            "I'd like you to give an answer on a scale of 0 to 10, where 0 is \u201cnot at "
            "all\u201d and 10 is \u201ccompletely\u201d."
        ),
        items=(
            Item(
                "satisfaction",
                "Overall, how satisfied are you with your life nowadays?",
                _HIGH_IS_GOOD,
                "Life satisfaction",
            ),
            Item(
                "worthwhile",
                "Overall, to what extent do you feel that the things you do in your life "
                "are worthwhile?",
                _HIGH_IS_GOOD,
                "Worthwhile",
            ),
            Item(
                "happiness",
                "Overall, how happy did you feel yesterday?",
                _HIGH_IS_GOOD,
                "Happiness yesterday",
            ),
            Item(
                "anxiety",
                "Overall, how anxious did you feel yesterday?",
                _ANXIETY,
                "Anxiety yesterday",
            ),
        ),
        scale=_ZERO_TO_TEN,
        summed=False,
    ),
    SWEMWBS: Instrument(
        code=SWEMWBS,
        name="Short Warwick-Edinburgh Mental Wellbeing Scale (SWEMWBS)",
        intro=_WARWICK_EDINBURGH_INTRO,
        items=tuple(Item(key, text) for key, text in _WARWICK_EDINBURGH if key in _SHORT),
        scale=_FREQUENCY,
        summed=True,
    ),
    WEMWBS: Instrument(
        code=WEMWBS,
        name="Warwick-Edinburgh Mental Wellbeing Scale (WEMWBS)",
        intro=_WARWICK_EDINBURGH_INTRO,
        items=tuple(Item(key, text) for key, text in _WARWICK_EDINBURGH),
        scale=_FREQUENCY,
        summed=True,
    ),
}

# SWEMWBS raw score (7-35) to metric score, as published (Stewart-Brown et al.).
SWEMWBS_METRIC = {
    raw: Decimal(metric)
    for raw, metric in {
        7: "7.00", 8: "9.51", 9: "11.25", 10: "12.40", 11: "13.33", 12: "14.08",
        13: "14.75", 14: "15.32", 15: "15.84", 16: "16.36", 17: "16.88", 18: "17.43",
        19: "17.98", 20: "18.59", 21: "19.25", 22: "19.98", 23: "20.73", 24: "21.54",
        25: "22.35", 26: "23.21", 27: "24.11", 28: "25.03", 29: "26.02", 30: "27.03",
        31: "28.13", 32: "29.31", 33: "30.70", 34: "32.55", 35: "35.00",
    }.items()
}  # fmt: skip
# A change in SWEMWBS metric score this large, up or down, is meaningful for a
# person (decision 14: about 2.77 standard errors of measurement, rounded up).
MEANINGFUL_SWEMWBS_CHANGE = Decimal(3)


def meaningful_change(before, after):
    """ "improved", "worse" or "" between two SWEMWBS metric scores."""
    change = after - before
    if change >= MEANINGFUL_SWEMWBS_CHANGE:
        return "improved"
    if change <= -MEANINGFUL_SWEMWBS_CHANGE:
        return "worse"
    return ""
