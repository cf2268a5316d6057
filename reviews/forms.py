"""Forms of the review desk (they parse input; services decide)."""

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from claims.models import Claim
from reviews.models import Evidence, Rating, RatingScale, Verdict


class EvidenceForm(forms.ModelForm[Evidence]):
    """A URL, a quote and a note, with the stance they take on the claim."""

    class Meta:
        model = Evidence
        fields = ["url", "quote", "stance", "note"]
        widgets = {
            "quote": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"url": "Source URL"}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("url") or data.get("quote") or data.get("note")):
            raise forms.ValidationError("Evidence needs at least a URL, a quote or a note.")
        return data


class VerdictForm(forms.ModelForm[Verdict]):
    """Draft or edit a verdict; the rating comes from the default scale."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Verdict
        fields = ["rating", "summary", "explanation"]
        widgets = {"explanation": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scale = RatingScale.objects.filter(is_default=True).first()
        ratings = Rating.objects.filter(scale=scale) if scale else Rating.objects.all()
        self.fields["rating"].queryset = ratings.select_related("scale")  # type: ignore[attr-defined]


class VerdictDecisionForm(forms.Form):
    """An approver's decision: the version they read, and a note when sending the draft back."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


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

    assignee = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False)
    priority = forms.TypedChoiceField(
        choices=Claim.Priority.choices, coerce=int, initial=Claim.Priority.NORMAL
    )
    due_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = reviewers()  # type: ignore[attr-defined]
