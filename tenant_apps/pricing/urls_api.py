"""REST API of pricing, mounted at /api/v1/."""

urlpatterns: list = []
