"""Admin changes go into the same audit trail as everything else."""

from django.forms.models import model_to_dict

from pcndev.audit.services import record


def _json_safe(data: dict) -> dict:
    out = {}
    for key, value in data.items():
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, list | tuple):
            value = [getattr(v, "pk", v) for v in value]
        elif hasattr(value, "pk"):
            value = value.pk
        out[key] = value
    return out


def _snapshot(obj) -> dict:
    data = model_to_dict(obj)
    data.pop("password", None)
    return _json_safe(data)


class AuditedAdmin:
    def save_model(self, request, obj, form, change):
        before = _snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        label = obj._meta.model_name
        record(
            request.user,
            f"{label}.{'updated' if change else 'created'}",
            obj,
            before,
            _snapshot(obj),
            "admin",
        )

    def delete_model(self, request, obj):
        before = _snapshot(obj)
        record(request.user, f"{obj._meta.model_name}.deleted", obj, before, None, "admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            record(request.user, f"{obj._meta.model_name}.deleted", obj, _snapshot(obj), None, "admin")
            obj.delete()
        for obj in instances:
            before = _snapshot(type(obj).objects.get(pk=obj.pk)) if obj.pk else None
            obj.save()
            action = "updated" if before else "created"
            record(request.user, f"{obj._meta.model_name}.{action}", obj, before, _snapshot(obj), "admin")
        formset.save_m2m()
