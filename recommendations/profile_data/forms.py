from __future__ import annotations

from django import forms


class PrivateSessionForm(forms.Form):
    # A button per state rather than a checkbox: an unchecked box posts nothing, so a
    # missing field would be indistinguishable from a request to turn it off.
    enabled = forms.TypedChoiceField(
        choices=[("on", "On"), ("off", "Off")], coerce=lambda value: value == "on"
    )


class LetterboxdImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Letterboxd’s <code>ratings.csv</code>, or any CSV with the columns "
        "<code>Name</code>, <code>Year</code> and <code>Rating</code> (½ to 5 stars). "
        "Up to 5 MB and 20,000 rows.",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )
