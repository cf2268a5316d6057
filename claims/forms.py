"""Forms of the newsroom screens for articles and claims (they parse input; services decide)."""

from typing import Any

from django import forms
from django.conf import settings

from claims.models import Article, Claim
from factcheck.lib.documents import ACCEPTED


class ArticlePasteForm(forms.Form):
    """Paste an article: title and text, with optional provenance."""

    title = forms.CharField(max_length=300, required=False, help_text="Empty: the first line.")
    body = forms.CharField(
        label="Article text",
        widget=forms.Textarea(attrs={"rows": 18}),
        strip=False,
        error_messages={"required": "The article has no text. Paste or upload its text."},
    )
    source_url = forms.URLField(label="Original URL", max_length=2000, required=False)
    outlet = forms.CharField(max_length=200, required=False)
    author = forms.CharField(max_length=200, required=False)
    # ISO, as a date input requires (the en-gb default dd/mm/yyyy would show as empty).
    published_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class ArticleUploadForm(forms.Form):
    """Upload an article as a file: its type is told by its content, not its name."""

    title = forms.CharField(max_length=300, required=False, help_text="Empty: from the file.")
    file = forms.FileField(help_text=f"{ACCEPTED.capitalize()}.")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.FACTCHECK_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1_000_000:.1f} MB; the limit is "
                f"{limit / 1_000_000:.1f} MB."
            )
        if upload.size == 0:
            raise forms.ValidationError("The file is empty.")
        return upload


class ArticleURLForm(forms.Form):
    """Import an article from a URL the server fetches."""

    url = forms.URLField(label="Article URL", max_length=2000, assume_scheme="https")


class ClaimBulkForm(forms.Form):
    """Select or dismiss several claims of an article at once."""

    claims = forms.ModelMultipleChoiceField(
        queryset=Claim.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    action = forms.ChoiceField(choices=[("select", "Select"), ("dismiss", "Dismiss")])

    def __init__(self, *args: Any, article: Article, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["claims"].queryset = article.claims.all()  # type: ignore[attr-defined]
