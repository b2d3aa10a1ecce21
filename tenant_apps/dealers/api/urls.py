app_name = "dealers-api"
urlpatterns: list = []
