from django.shortcuts import render


def home(request):
    """The brand's home on its host: the storefront and console entry (filled in by later issues)."""
    return render(request, "core/home.html")
