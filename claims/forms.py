"""Forms of the newsroom screens for articles and claims (they parse input; services decide)."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from claims.models import Article, Claim


class ArticlePasteForm(forms.Form):
    """Paste an article: title and text, with optional provenance."""

    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Empty: the first line, or its first sentence when the line is long."),
    )
    body = forms.CharField(
        label=_("Article text"),
        widget=forms.Textarea(attrs={"rows": 18}),
        strip=False,
        error_messages={"required": _("The article has no text. Paste or upload its text.")},
    )
    source_url = forms.URLField(label=_("Original URL"), max_length=2000, required=False)
    outlet = forms.CharField(label=_("Outlet"), max_length=200, required=False)
    author = forms.CharField(label=_("Author"), max_length=200, required=False)
    # ISO, as a date input requires (the en-gb default dd/mm/yyyy would show as empty).
    published_on = forms.DateField(
        label=_("Published on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("Detect from the text")), *Article.Language.choices],
        required=False,
    )


class ArticleUploadForm(forms.Form):
    """Upload an article as a file: its type is told by its content, not its name."""

    title = forms.CharField(
        label=_("Title"), max_length=300, required=False, help_text=_("Empty: from the file.")
    )
    file = forms.FileField(
        label=_("File"),
        # factcheck.lib.documents.ACCEPTED, in words a translator can reach.
        help_text=_(
            "Plain text (.txt), Markdown (.md), HTML, Word (.docx) or PDF with a text layer."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.FACTCHECK_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _t("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {
                    "size": formats.number_format(upload.size / 1_000_000, 1),
                    "limit": formats.number_format(limit / 1_000_000, 1),
                }
            )
        if upload.size == 0:
            raise forms.ValidationError(_t("The file is empty."))
        return upload


class ArticleURLForm(forms.Form):
    """Import an article from a URL the server fetches."""

    url = forms.URLField(label=_("Article URL"), max_length=2000, assume_scheme="https")


class ClaimBulkForm(forms.Form):
    """Select or dismiss several claims of an article at once."""

    claims = forms.ModelMultipleChoiceField(
        label=_("Claims"), queryset=Claim.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    action = forms.ChoiceField(
        label=_("Action"), choices=[("select", _("Select")), ("dismiss", _("Dismiss"))]
    )

    def __init__(self, *args: Any, article: Article, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["claims"].queryset = article.claims.all()  # type: ignore[attr-defined]


class LanguageForm(forms.Form):
    """The language switcher in the page header: one of settings.LANGUAGES, and where to return."""

    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    next = forms.CharField(required=False, widget=forms.HiddenInput)
