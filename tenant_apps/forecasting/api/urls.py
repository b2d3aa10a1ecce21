from tenant_apps.core.routers import ApiRouter
from tenant_apps.forecasting.api import views

router = ApiRouter()
router.register("forecasts/accuracy", views.AccuracyViewSet, basename="forecast-accuracy")
router.register("forecasts/weekly", views.ForecastViewSet, basename="forecast-weekly")

urlpatterns = router.urls
