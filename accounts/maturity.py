"""The maturity limits a profile may be given: an age, not a rating.

A title's ratings and the age each stands for are the catalogue's (`catalog.maturity`);
a profile only says up to which age it may see.
"""

from __future__ import annotations

AGE_CHOICES = [
    (0, "All ages"),
    (7, "7+"),
    (10, "10+"),
    (12, "12+"),
    (13, "13+"),
    (16, "16+"),
    (18, "18+ (everything)"),
]
KIDS_MAX_AGE = 12
