"""Grid pages (phone first). The views live in grids/views.py."""

from django.urls import path

from grids import views

app_name = "grids"

urlpatterns = [
    path("events/<int:pk>/", views.event_detail_view, name="event_detail"),
]
