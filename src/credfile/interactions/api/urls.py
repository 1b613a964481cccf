from django.urls import URLPattern

from credfile.interactions.api.views import NoteViewSet, ServiceRecordViewSet

urlpatterns: list[URLPattern] = [
    ServiceRecordViewSet.urlpattern(),
    ServiceRecordViewSet.detail_urlpattern(),
    NoteViewSet.urlpattern(),
    NoteViewSet.detail_urlpattern(),
]
