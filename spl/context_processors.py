from spl.home import navigation_for


def service(request):
    return {
        "service_name": "Social prescribing",
        "navigation": navigation_for(request) if request.user.is_authenticated else [],
    }
