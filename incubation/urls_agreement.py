"""URLs of the project's agreement pages (included by incubation.urls, same namespace)."""

urlpatterns = []
