from tenant_apps.core.errors import ValidationFailed


class ForecastInvalid(ValidationFailed):
    code = "forecast_invalid"
