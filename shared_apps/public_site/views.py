from django.shortcuts import render


def home(request):
    """The platform's own landing page (the operator host)."""
    return render(request, "public_site/home.html")
