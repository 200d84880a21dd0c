"""The notification centre: the user's own notifications (the bell in the top bar leads here)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shequ.core.exceptions import NotFound
from shequ.core.models import Notification
from shequ.core.notifications import mark_read

PAGE_SIZE = 50


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    qs = Notification.objects.filter(user_id=int(request.user.pk or 0))
    if request.GET.get("unread"):
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs.only("id", "text", "url", "created", "read_at", "kind"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "core/notifications.html",
        {"page": page, "items": page.object_list, "unread_only": bool(request.GET.get("unread"))},
    )


@login_required
def notification_open(request: HttpRequest, pk: str) -> HttpResponse:
    """Mark one notification read and go where it leads (only one's own; a foreign address is not followed)."""
    found = Notification.objects.filter(user_id=int(request.user.pk or 0), pk=int(pk) if pk.isdigit() else 0).first()
    if found is None:
        raise NotFound()
    if found.read_at is None:
        Notification.objects.filter(pk=found.pk).update(read_at=timezone.now())
    target = found.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("core:notification_list")
    return HttpResponseRedirect(target)


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    mark_read(request.user)
    return HttpResponseRedirect(reverse("core:notification_list"))
