from django.urls import path

from opensurfaces.photos import views

app_name = "photos"

urlpatterns = [
    path("", views.browse, name="index"),
    path("scene/<slug:scene>/", views.browse, name="scene"),
    path("scene/<slug:scene>/<slug:filter_key>/", views.browse, name="browse"),
    path("<int:pk>/", views.detail, name="detail"),
]
