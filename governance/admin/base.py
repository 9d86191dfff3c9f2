"""Shared by every app's admin: services' errors as form errors or messages, actions row by row."""

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import ngettext

from governance.exceptions import DomainError


def error_detail(exc: Exception) -> str:
    """The human sentence of a ``DomainError`` or a Django ``ValidationError``."""
    if isinstance(exc, DomainError):
        return exc.detail
    if isinstance(exc, ValidationError):
        return "；".join(str(m) for m in exc.messages)
    return str(exc)


def run_action(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: Iterable[Model],
    label: str,
    fn: Callable[[Model], Any],
) -> int:
    """Run one admin action over the selected rows, each through ``fn`` (a service call).

    Every admin action that changes state goes through here, so a policy check added here holds
    for all of them. A row the service refuses is reported as an error message naming the row;
    the others go ahead. Returns how many rows were done.
    """
    done, opts = 0, modeladmin.model._meta
    for obj in queryset:
        try:
            fn(obj)
        except (DomainError, ValidationError) as exc:
            modeladmin.message_user(request, f"{obj}：{error_detail(exc)}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(
            request,
            ngettext("%(label)s：%(n)d 条%(name)s。", "%(label)s：%(n)d 条%(name)s。", done)
            % {"label": label, "n": done, "name": opts.verbose_name if done == 1 else opts.verbose_name_plural},
            messages.SUCCESS,
        )
    return done


def add_service_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on the form: on its field when the form has it."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def adopt(obj: Model, saved: Model) -> None:
    """Make the admin's unsaved ``obj`` the row a service just created (for the log and redirect)."""
    obj.pk = saved.pk
    obj.refresh_from_db()
    obj._state.adding = False


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves call services: a domain error that gets past the form's checks
    (a race, a rule only the service knows) is shown as a message, and nothing is written."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (DomainError, ValidationError) as exc:  # the view's transaction was rolled back
            self.message_user(request, error_detail(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ViewOnlyAdmin(admin.ModelAdmin):
    """Ledger-like rows: they can be read, never added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
