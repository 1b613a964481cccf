"""What an inspection found, in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from credfile.audit.chain import Break
from credfile.audit.digests import Problem, describe_problem
from credfile.audit.verification import describe_break
from credfile.inspections.models import FindingKind, Inspection, InspectionFinding, InspectionResult


def finding_detail(finding: InspectionFinding) -> str:
    params = finding.params or {}
    if finding.kind == FindingKind.MISSING:
        return _("The document's stored file is not in the storage.")
    if finding.kind == FindingKind.ORPHAN:
        return _("No document names this stored file.")
    if finding.kind == FindingKind.CHECKSUM_MISMATCH:
        if params.get("sealed"):
            return _("The sealed file cannot be opened: it was changed or replaced.")
        return _("Its SHA-256 is %(actual)s; %(expected)s was recorded when it was attached.") % {
            "actual": params.get("actual", ""),
            "expected": params.get("expected", ""),
        }
    if "break" in params:
        b = params["break"]
        return describe_break(Break(b["reason"], b["seq"], b["event_id"], b.get("detail") or {}))
    if "digest" in params:
        d = params["digest"]
        return describe_problem(Problem(d["path"], d["reason"], d.get("key_id", "")))
    return str(params.get("error", ""))


def inspection_sentence(inspection: Inspection) -> str:
    if inspection.result == InspectionResult.RUNNING:
        return _("The inspection has not finished.")
    values = {
        "documents": f"{inspection.documents_checked:,}",
        "events": f"{inspection.events_checked:,}",
        "mismatches": inspection.checksum_mismatches,
        "missing": inspection.missing_files,
        "orphans": inspection.orphaned_files,
    }
    if inspection.result == InspectionResult.OK:
        return (
            _(
                "Archive intact: %(documents)s documents match their checksums, no file is "
                "missing or orphaned, and the audit chain of %(events)s events verifies."
            )
            % values
        )
    if inspection.chain_ok:
        chain = _("the audit chain verifies")
    elif inspection.chain_break_seq is not None:
        chain = _("the audit chain breaks at event seq %(seq)s") % {
            "seq": inspection.chain_break_seq
        }
    else:
        chain = _("the audit chain's digests do not hold")
    return _(
        "Problems found: %(documents)s documents checked, %(mismatches)s checksum mismatches, "
        "%(missing)s missing files, %(orphans)s orphaned files; %(chain)s."
    ) % (values | {"chain": chain})
