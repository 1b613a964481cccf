"""The shipped retention schedule (docs/archive.md): changed later only by approval."""

from typing import Any

from django.db import migrations

FILE_BASIS = (
    "档案管理制度：结清或到期的客户档案移交归档，保管期满后销毁，保存五年。"
    "《个人信息保护法》第四十七条：处理目的已实现、保存期限已届满的，个人信息处理者应当主动删除个人信息。"
)
ID_BASIS = (
    "《个人信息保护法》第四十七条：处理目的已实现或者为实现处理目的不再必要的，应当主动删除个人信息；"
    "第十九条：保存期限应当为实现处理目的所必要的最短时间。档案管理制度：结清后保存五年。"
)
NEGATIVE_BASIS = (
    "《征信业管理条例》第十六条：征信机构对个人不良信息的保存期限，自不良行为或者事件终止之日起为5年；"
    "超过5年的，应当予以删除。"
)

DEFAULTS: list[dict[str, Any]] = [
    {"record_kind": "file", "document_type": "", "counts_from": "settled", "legal_basis": FILE_BASIS},
    {"record_kind": "document", "document_type": "", "counts_from": "settled", "legal_basis": FILE_BASIS},
    {"record_kind": "document", "document_type": "id_copy", "counts_from": "settled", "legal_basis": ID_BASIS},
    {"record_kind": "negative", "document_type": "", "counts_from": "event_end", "legal_basis": NEGATIVE_BASIS},
]


def add_defaults(apps: Any, schema_editor: Any) -> None:
    rule = apps.get_model("retention", "RetentionRule")
    for values in DEFAULTS:
        rule.objects.get_or_create(
            record_kind=values["record_kind"],
            document_type=values["document_type"],
            file_status="",
            defaults={"period_years": 5, "counts_from": values["counts_from"], "legal_basis": values["legal_basis"]},
        )


def remove_defaults(apps: Any, schema_editor: Any) -> None:
    apps.get_model("retention", "RetentionRule").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("retention", "0001_retention_schedule_lifecycle_holds")]
    operations = [migrations.RunPython(add_defaults, remove_defaults)]
