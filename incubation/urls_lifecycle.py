"""URLs of the project's lifecycle pages (included by incubation.urls, same namespace)."""

urlpatterns = []
