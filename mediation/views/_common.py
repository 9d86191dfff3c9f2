"""Shared helpers of the mediation pages: service errors onto a form, the page of a form of its own."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from governance.exceptions import DomainError
from mediation import policies
from mediation.models import Case

S = Case.Status


def _errors(exc: Exception) -> list[str]:
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return [str(m) for messages_ in exc.message_dict.values() for m in messages_]
        return [str(m) for m in exc.messages]
    return [str(getattr(exc, "detail", exc))]


def _apply_errors(form, exc: Exception) -> None:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        for message in _errors(exc):
            form.add_error(None, message)


def _form_page(
    request: HttpRequest,
    *,
    case: Case,
    action: str,
    form,
    run: Callable[[dict], object],
    done: str,
    template: str,
    extra: dict | None = None,
) -> HttpResponse:
    policies.case_can(user=request.user, action=action, case=case).raise_for_page()
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("mediation:case_detail", pk=case.pk)
    return render(
        request, template, {"case": case, "form": form, **(extra or {})}, status=400 if form.is_bound else 200
    )
