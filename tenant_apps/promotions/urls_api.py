"""REST API of promotions, mounted at /api/v1/."""

urlpatterns: list = []
