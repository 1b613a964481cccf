"""Output shapes of the history API. Sensitive values are always masked here."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from credfile.history.selectors import FieldDiff, VersionRow


class FieldDiffOutput(serializers.Serializer[FieldDiff]):
    """{field, label, from, to}: "from" is a keyword, so those two fields are declared after
    the class (the schema and the output then agree)."""

    field = serializers.CharField(source="name")
    # Shadows Field.label for type checkers only: declared fields leave the class.
    label = serializers.CharField()  # type: ignore[assignment]


FieldDiffOutput._declared_fields.update(
    {"from": serializers.CharField(source="before"), "to": serializers.CharField(source="after")}
)


class VersionOutput(serializers.Serializer[VersionRow]):
    """One recorded version of an object of the file, with what it changed (masked)."""

    id = serializers.IntegerField(source="version.pk")
    version = serializers.IntegerField(source="version.version")
    changed_at = serializers.DateTimeField(source="version.changed_at")
    operation = serializers.CharField(source="version.operation")
    object_type = serializers.CharField(source="version.object_type")
    object_id = serializers.IntegerField(source="version.object_id")
    object = serializers.CharField(source="version.object_repr")
    actor = serializers.IntegerField(source="version.actor_id", allow_null=True)
    actor_name = serializers.CharField(source="version.actor_label")
    approved_by = serializers.IntegerField(source="version.approved_by_id", allow_null=True)
    change_request = serializers.IntegerField(source="version.change_request_id", allow_null=True)
    changes = FieldDiffOutput(source="fields", many=True)


class ObjectDiffOutput(serializers.Serializer[Any]):
    object_type = serializers.CharField()
    object_id = serializers.IntegerField()
    object = serializers.CharField()
    change = serializers.ChoiceField(choices=["added", "removed", "changed"])
    # Shadows Serializer.fields for type checkers only: declared fields leave the class.
    fields = serializers.ListField(child=serializers.DictField())  # type: ignore[assignment]


class DiffOutput(serializers.Serializer[Any]):
    from_version = serializers.IntegerField(help_text=_("Named `from` in the response."))
    to_version = serializers.IntegerField(help_text=_("Named `to` in the response."))
    objects = ObjectDiffOutput(many=True)


class DiffQuery(serializers.Serializer[Any]):
    """`from` and `to` in the query string ("from" is a keyword: the fields are built here)."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            "from": serializers.IntegerField(min_value=1),
            "to": serializers.IntegerField(min_value=1),
        }


class AsOfQuery(serializers.Serializer[Any]):
    date = serializers.DateField()


class AsOfOutput(serializers.Serializer[Any]):
    """The file and its records as they were at the end of `date`; sealed values masked."""

    date = serializers.DateField()
    version = serializers.IntegerField(allow_null=True)
    exists = serializers.BooleanField()
    customer = serializers.DictField(allow_null=True)
    records = serializers.DictField(child=serializers.ListField(child=serializers.DictField()))
