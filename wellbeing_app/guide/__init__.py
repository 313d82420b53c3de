"""The well-being guide: loading, validating and searching the articles and break tips."""

from wellbeing_app.guide.content import HELP_ARTICLE_ID, Guide, fold
from wellbeing_app.guide.loader import load_guide
from wellbeing_app.guide.model import (
    LANGUAGES,
    Article,
    Category,
    Country,
    GuideError,
    GuideProblem,
    Helpline,
    Localized,
    SafetyWords,
    Tip,
    UnknownArticleError,
)
from wellbeing_app.guide.terminal import format_article, format_list
from wellbeing_app.guide.tips import TipPicker

__all__ = [
    "HELP_ARTICLE_ID",
    "LANGUAGES",
    "Article",
    "Category",
    "Country",
    "Guide",
    "GuideError",
    "GuideProblem",
    "Helpline",
    "Localized",
    "SafetyWords",
    "Tip",
    "TipPicker",
    "UnknownArticleError",
    "fold",
    "format_article",
    "format_list",
    "load_guide",
]
