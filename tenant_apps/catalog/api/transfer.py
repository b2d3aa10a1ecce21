"""Catalog import and export over the API (/api/v1/catalog/import/, /api/v1/catalog/export/), for brand
staff with `catalog.edit`. The answers have the dealer import's shape: 200 with the counts, or 400 with
{"code": "import_invalid", "detail", "rows", "errors": [{"row", "field", "message"}]}; a bad upload or
format is the usual {"code": "invalid", "detail", "fields"}."""

from __future__ import annotations

from dataclasses import asdict
from types import SimpleNamespace

from django.http import HttpResponse
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from tenant_apps.accounts.permissions import CATALOG_EDIT
from tenant_apps.catalog import export, transfer
from tenant_apps.dealers.api.permissions import HasCapability
from tenant_apps.dealers.api.serializers import ExportQuery, ImportInput, ImportRefused, ImportTooLarge


class _FileFormatNegotiation(DefaultContentNegotiation):
    """`?format=` is the file format (csv, xlsx), not DRF's renderer override."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


class CatalogImportApplied(serializers.Serializer):
    applied = serializers.BooleanField()
    rows = serializers.IntegerField()
    created = serializers.IntegerField(
        help_text=gettext_lazy("Rows whose SKU (or product, for a product alone) is new."))
    updated = serializers.IntegerField(help_text=gettext_lazy("Rows whose SKU or product changed."))
    unchanged = serializers.IntegerField()
    products_created = serializers.IntegerField()
    products_updated = serializers.IntegerField()
    series_created = serializers.IntegerField()


class CatalogTransferViewSet(viewsets.GenericViewSet):
    permission_classes = [HasCapability]
    metadata_class = None
    pagination_class = None
    required_capabilities = {"import_file": CATALOG_EDIT, "export": CATALOG_EDIT}

    @extend_schema(summary="Import the catalog from a CSV or XLSX file (upsert by code): all rows or none",
                   request={"multipart/form-data": ImportInput},
                   responses={200: CatalogImportApplied, 400: ImportRefused, 413: ImportTooLarge})
    def import_file(self, request):
        serializer = ImportInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        result = transfer.catalog_import(actor=request.user, file=upload, filename=upload.name)
        if result.applied:
            body = asdict(result)
            body.pop("errors")
            return Response(body, status=status.HTTP_200_OK)
        return Response({
            "code": "import_invalid",
            "detail": _("The file has errors; nothing was imported."),
            "rows": result.rows,
            "errors": [asdict(error) for error in result.errors],
        }, status=status.HTTP_400_BAD_REQUEST)

    @extend_schema(
        summary="Export the whole catalog, one row per SKU (the import's columns)",
        parameters=[ExportQuery],
        responses={(200, "text/csv"): OpenApiTypes.BINARY,
                   (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY},
    )
    def export(self, request):
        query = ExportQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        content, content_type, filename = export.catalog_export(actor=request.user,
                                                                  fmt=query.validated_data["format"])
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response


urlpatterns = [
    path("catalog/import/", CatalogTransferViewSet.as_view(
        {"post": "import_file"}, parser_classes=[MultiPartParser, FormParser]), name="catalog-import"),
    path("catalog/export/", CatalogTransferViewSet.as_view(
        {"get": "export"}, content_negotiation_class=_FileFormatNegotiation), name="catalog-export"),
]
