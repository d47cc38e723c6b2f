"""URLs of the project's outcomes pages (included by incubation.urls, same namespace)."""

urlpatterns = []
