"""Forms of the consent section (parsing only; consent.services validates)."""

from __future__ import annotations

from credfile.consent.models import Consent
from credfile.consent.services import CONSENT_FIELDS
from credfile.core.forms import form_for

ConsentForm = form_for(
    Consent,
    CONSENT_FIELDS,
    name="ConsentForm",
    required=("purpose", "scope", "channel", "given_on", "evidence"),
)
