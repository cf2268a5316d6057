"""Forms of the review desk (they parse input; services decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from claims.models import Claim
from reviews.models import COMMENT_MAX_LENGTH, Evidence, Rating, RatingScale, Verdict

# A versioned form posted without the version it was read at (an old cached page, a script) is
# refused: saving it would overwrite whatever is stored without anyone having seen it.
MISSING_VERSION = gettext_noop(
    "Nothing was saved: this form did not say which version it was made from. "
    "Check what is stored now, shown on this page, then save again."
)
RELOAD_TO_DECIDE = gettext_noop(
    "Nothing was done: this page did not say which version of the verdict you read. "
    "Reload the page, read the verdict again, then approve it or send it back."
)


def version_field(message: str = MISSING_VERSION) -> forms.IntegerField:
    """The hidden version a versioned form carries: required, so no post skips the check."""
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages={
            "required": _(message),
            "invalid": _(message),
            "min_value": _(message),
        },
    )


class EvidenceForm(forms.ModelForm[Evidence]):
    """A URL, a quote and a note, with the stance they take on the claim."""

    class Meta:
        model = Evidence
        fields = ["url", "quote", "stance", "note"]
        widgets = {
            "quote": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "url": _("Source URL"),
            "quote": _("Quote"),
            "stance": _("Stance"),
            "note": _("Note"),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("url") or data.get("quote") or data.get("note")):
            raise forms.ValidationError(_("Evidence needs at least a URL, a quote or a note."))
        return data


class RatingSelect(forms.Select):
    """A rating select whose options carry their label's description as a tooltip."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        rating = getattr(option["value"], "instance", None)
        if rating is not None:
            language = translation.get_language()
            option["label"] = rating.label_in(language)
            if rating.description:
                option["attrs"]["title"] = rating.description_in(language)
        return option


def _describe_ratings(field: forms.Field, list_id: str) -> None:
    """Point the rating select at the visible list of what each label means."""
    field.widget.attrs.update({"aria-describedby": list_id, "data-rating-help": list_id})


class VerdictForm(forms.ModelForm[Verdict]):
    """Draft or edit a verdict; the rating comes from the default scale.

    The version is the draft's version the author started from, or 0 when there was no draft
    yet (so a draft written meanwhile in another page is a conflict, not overwritten). The
    claimant belongs to the claim: pass it as `initial`.
    """

    version = version_field()
    # Saved on the claim, not the verdict (see services.claim_set_claimant).
    claimant = forms.CharField(
        label=_("Who made the claim"),
        max_length=Claim._meta.get_field("claimant").max_length,
        required=False,
        help_text=_(
            "The person quoted, e.g. “Jane Doe, health minister”. Published with the "
            "verdict as the claim's author."
        ),
    )

    class Meta:
        model = Verdict
        fields = ["rating", "summary", "explanation"]
        widgets = {"explanation": forms.Textarea(attrs={"rows": 6}), "rating": RatingSelect}
        labels = {"rating": _("Rating"), "summary": _("Summary"), "explanation": _("Explanation")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ratings = Rating.of_default_scale().select_related("scale")
        self.fields["rating"].queryset = ratings  # type: ignore[attr-defined]
        self.fields["version"].initial = self.instance.version if self.instance.pk else 0
        _describe_ratings(self.fields["rating"], "rating-descriptions")


class VerdictCorrectionForm(forms.Form):
    """A correction of a published verdict: the new rating or text and a public note.

    The note is not `required` here: the service refuses an empty one with its own words, and
    the browser's `required` attribute saves the round trip.
    """

    rating = forms.ModelChoiceField(
        label=_("Rating"), queryset=Rating.objects.none(), widget=RatingSelect, empty_label=None
    )
    summary = forms.CharField(
        label=_("Summary"), max_length=280, help_text=_("One line for the CMS.")
    )
    explanation = forms.CharField(
        label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    note = forms.CharField(
        label=_("Public correction note"),
        help_text=_("Published with the verdict: what was corrected and why."),
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
        required=False,
    )
    version = version_field()
    verdict: Verdict | None = None  # the verdict it corrects, for the form's action

    def __init__(self, *args: Any, scale: RatingScale | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "correction_%s")
        super().__init__(*args, **kwargs)
        ratings = Rating.objects.filter(scale=scale) if scale else Rating.objects.all()
        self.fields["rating"].queryset = ratings.select_related("scale")  # type: ignore[attr-defined]
        _describe_ratings(self.fields["rating"], "correction-rating-descriptions")

    @classmethod
    def for_verdict(cls, verdict: Verdict, data: Any = None) -> VerdictCorrectionForm:
        """The form for one verdict, prefilled with what it says now."""
        initial = {
            "rating": verdict.rating_id,
            "summary": verdict.summary,
            "explanation": verdict.explanation,
            "version": verdict.version,
        }
        form = cls(data, initial=initial, scale=verdict.rating.scale)
        form.verdict = verdict
        return form


class CommentForm(forms.Form):
    """A message in the claim's thread; the service refuses an empty one with its own words."""

    body = forms.CharField(
        label=_("Add a comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "comment_%s")
        super().__init__(*args, **kwargs)


class VerdictWithdrawForm(forms.Form):
    """Withdraw a published verdict from the CMS: the reason is required and recorded."""

    note = forms.CharField(
        label=_("Why withdraw it"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Say why the verdict is withdrawn.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "withdraw_%s")
        super().__init__(*args, **kwargs)


class ClaimReopenForm(forms.Form):
    """Reopen a claim whose verdict was withdrawn, with an optional note for the history."""

    note = forms.CharField(
        label=_("Why reopen (optional)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "reopen_%s")
        super().__init__(*args, **kwargs)


class VerdictDecisionForm(forms.Form):
    """An approver's decision: the version they read, and a note when sending the draft back."""

    version = version_field(RELOAD_TO_DECIDE)
    note = forms.CharField(
        label=_("Or send back with a note"),
        widget=forms.Textarea(attrs={"rows": 2, "id": "return-note"}),
        required=False,
    )


def reviewers() -> QuerySet[Any]:
    """Active users who can draft verdicts."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(groups__permissions__codename="add_verdict")
        .distinct()
        .order_by("username")
    )


class ClaimAssignForm(forms.Form):
    """Assign a claim to a reviewer with a priority and a due date."""

    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=get_user_model().objects.none(), required=False
    )
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        choices=Claim.Priority.choices,
        coerce=int,
        initial=Claim.Priority.NORMAL,
    )
    # A date input only takes ISO dates: the locale's format (dd/mm/yyyy in en-gb) would render
    # as an empty field, and re-saving the form would then clear the due date.
    due_on = forms.DateField(
        label=_("Due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    version = version_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = reviewers()  # type: ignore[attr-defined]
